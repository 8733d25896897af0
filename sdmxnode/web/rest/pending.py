"""Standard SDMX-REST resources the node does not serve yet, answered with 501 as the spec asks.

SDMX-REST 1.5 (4_7_errors.md) and 2.x (status.md): "implement all standard interfaces,
at least as 501". Each route is replaced by the real one when its issue lands.
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint

from sdmxnode.errors import NotImplementedSdmx

blueprint = Blueprint("rest_pending", __name__)

_PENDING_V1: tuple[str, ...] = ()
_PENDING_V2: tuple[str, ...] = ()


def _not_yet(resource: str, api: str) -> NotImplementedSdmx:
    return NotImplementedSdmx(
        f"the {resource} resource of SDMX-REST {api} is not implemented by this node yet",
        where=resource,
    )


for _name in _PENDING_V1:

    def _view_v1(path: str = "", _name: str = _name) -> NoReturn:
        raise _not_yet(_name, "1.5")

    blueprint.add_url_rule(f"/rest/{_name}", f"pending_v1_{_name}", _view_v1)
    blueprint.add_url_rule(f"/rest/{_name}/<path:path>", f"pending_v1_{_name}_path", _view_v1)

for _name in _PENDING_V2:

    def _view_v2(path: str = "", _name: str = _name) -> NoReturn:
        raise _not_yet(_name, "2.x")

    blueprint.add_url_rule(f"/rest/v2/{_name}", f"pending_v2_{_name}", _view_v2)
    blueprint.add_url_rule(f"/rest/v2/{_name}/<path:path>", f"pending_v2_{_name}_path", _view_v2)
