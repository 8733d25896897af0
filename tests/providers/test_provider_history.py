"""History per data provider: asOf, updatedAfter and includeHistory of one provider's
agreement give that provider's past and changes alone, and a dataflow's asOf answer keeps
each provider's data set apart; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime

from flask.testing import FlaskClient

from tests.providers.conftest import post_data, small_csv
from tests.providers.test_data_per_provider import CSV, WORLD_1990, values

NSO = "/rest/v2/data/provisionagreement/IMDX/PA_NSO/1.0.0/*"
DESA = "/rest/v2/data/provisionagreement/IMDX/PA_UN_DESA_POP_DF_MIG_STOCK_IMS/1.0.0/*"
FLOW = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*"


def _moment() -> str:
    time.sleep(1.1)  # load times are compared to the second in some answers
    moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    time.sleep(1.1)
    return moment


def test_each_providers_history_is_its_own(
    two_providers: FlaskClient, nso_token: str, desa_token: str
) -> None:
    client = two_providers
    before = _moment()
    assert post_data(client, nso_token, small_csv(sex="_T", scale=3), "PUT").status_code == 200
    after = _moment()
    assert post_data(client, desa_token, small_csv(sex="_T", scale=5), "PUT").status_code == 200

    # asOf: each agreement as it was, the other provider's later change not in it
    assert values(client, f"{NSO}?asOf={before}")[(WORLD_1990, "1990")] == "153011473"
    assert values(client, f"{NSO}?asOf={after}")[(WORLD_1990, "1990")] == str(3 * 153011473)
    assert values(client, f"{DESA}?asOf={after}")[(WORLD_1990, "1990")] == "306022946"

    # updatedAfter: only that provider's changes since then
    assert client.get(f"{NSO}?updatedAfter={after}", headers=CSV).status_code == 204
    changed = values(client, f"{DESA}?updatedAfter={after}")
    assert changed[(WORLD_1990, "1990")] == str(5 * 153011473)

    # a dataflow's asOf answer: one data set per provider, each with its own value
    answer = client.get(f"{FLOW}?asOf={after}", headers=CSV)
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    world = {
        r["STRUCTURE_ID"]: r["OBS_VALUE"]
        for r in rows
        if r["TIME_PERIOD"] == "1990" and r["REF_AREA"] == "1" and r["SEX"] == "_T"
        and r["COUNTRY_BIRTH"] == "FB"
    }  # fmt: skip
    assert world == {
        "IMDX:PA_NSO(1.0.0)": str(3 * 153011473),
        "IMDX:PA_UN_DESA_POP_DF_MIG_STOCK_IMS(1.0.0)": "306022946",
    }
