"""The institutions that report to the node: IMDX's data provider scheme and the provision
agreements that say which dataflow each provider reports.

Only providers with a real, documented role are listed: UN DESA's Population Division
produces International Migrant Stock, the source of the demo data (`authoring.demo`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sdmxnode.authoring.demo import DATAFLOW
from sdmxnode.authoring.ims2017 import DATAFLOW as IMS2017_DATAFLOW

PROVIDER_AGENCY = "IMDX"

#: (id, English name, description) of each data provider of IMDX:DATA_PROVIDERS(1.0).
PROVIDERS: tuple[tuple[str, str, str], ...] = (
    (
        "UN_DESA_POP",
        "United Nations, Department of Economic and Social Affairs, Population Division",
        "Produces the International Migrant Stock estimates (the migrant-stock demo data:"
        " the 2019 revision by destination, the 2017 revision by origin and destination).",
    ),
)


@dataclass(frozen=True)
class AgreementDef:
    """A provision agreement: the provider (id in IMDX:DATA_PROVIDERS) reports the dataflow."""

    provider_id: str
    dataflow_id: str

    @property
    def id(self) -> str:
        """PA_{provider}_{dataflow}, unique per pair."""
        return f"PA_{self.provider_id}_{self.dataflow_id}"


AGREEMENTS: tuple[AgreementDef, ...] = (
    AgreementDef("UN_DESA_POP", DATAFLOW[1]),
    AgreementDef("UN_DESA_POP", IMS2017_DATAFLOW[1]),
)
