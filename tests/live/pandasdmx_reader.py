"""Run by tests/live/test_interop_clients.py in a separate interpreter that has pandasdmx.

pandasdmx 1.10 (the last release) needs pydantic 1, which the node's test dependencies
(pysdmx, openapi-spec-validator) cannot share a virtual environment with; so it runs in its
own. Usage: `python pandasdmx_reader.py NODE_URL ACCEPT...`. Prints, as JSON, the DSD's
dimension ids and, per Accept value, "series key|period" -> value of the answer to a query
for two countries' latest period. Imports nothing of the node.
"""

import json
import sys

import pandasdmx


def main(url: str, formats: list[str]) -> dict:
    """What pandasdmx reads from the node at `url` in each of `formats`."""
    pandasdmx.add_source({"id": "SDMXNODE", "url": f"{url}/rest", "name": "sdmxnode"})
    request = pandasdmx.Request("SDMXNODE")
    flow = request.dataflow("DF_MIG_STOCK_IMS", provider="IMDX").dataflow["DF_MIG_STOCK_IMS"]
    dsd_id = flow.structure.id
    dsd = request.datastructure(dsd_id, provider="IMDX").structure[dsd_id]
    dimensions = [d.id for d in dsd.dimensions if d.id != "TIME_PERIOD"]
    key = ".".join("FRA+KEN" if d == "REF_AREA" else "" for d in dimensions)
    out: dict = {"dimensions": dimensions}
    for accept in formats:
        # pandasdmx's SDMX-JSON reader builds the structure from the message; given the
        # DSD it expects every DSD attribute in the message (KeyError otherwise).
        extra = {} if "json" in accept else {"dsd": dsd}
        message = request.get(
            resource_type="data",
            resource_id="DF_MIG_STOCK_IMS",
            key=key,
            params={"startPeriod": "2019"},
            headers={"Accept": accept},
            **extra,
        )
        series = pandasdmx.to_pandas(message.data[0])
        names = list(series.index.names)
        values = {}
        for index, value in series.items():
            row = dict(zip(names, index if isinstance(index, tuple) else (index,), strict=True))
            series_key = ".".join(str(row[d]) for d in dimensions)
            values[f"{series_key}|{row['TIME_PERIOD']}"] = float(value)
        out[accept] = values
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
