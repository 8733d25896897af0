"""`python -m sdmxnode.authoring`: regenerate codelists/, dsd/, the demo data and metadata."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sdmxnode.authoring.demo import SOURCE_FILE, write_demo_data
from sdmxnode.authoring.demo_metadata import write_demo_metadata
from sdmxnode.authoring.ims2017 import SOURCE_FILE as IMS2017_FILE
from sdmxnode.authoring.ims2017 import TARGET_FILE as IMS2017_TARGET
from sdmxnode.authoring.ims2017 import write_ims2017_data
from sdmxnode.authoring.ims2017_names import RM_FILE as IMS2017_MAPS
from sdmxnode.authoring.structures import write_codelists, write_structures

logger = logging.getLogger(__name__)

DEMO_PATH = Path("fixtures") / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
#: The 2017 origin-by-destination data: a folder of its own, which test nodes leave out.
IMS2017_PATH = Path("fixtures") / "ims2017" / IMS2017_TARGET
#: SDMX-ML 3.0 generic metadata, one set per country.
METADATA_PATH = Path("fixtures") / "metadata" / "demo" / "IMDX-MDF_MIG_STOCK-IMS2019.xml"


def generate(root: Path, source: Path | None = None) -> list[Path]:
    """Write every generated file under `root`; the demo data and metadata only when
    `source` exists."""
    paths = write_codelists(root / "codelists") + write_structures(root / "dsd")
    source = source if source is not None else root.parent / "shared" / "data" / SOURCE_FILE
    if source.is_file():
        paths.append(write_demo_data(source, root / DEMO_PATH))
        paths.append(write_demo_metadata(source, root / METADATA_PATH))
    else:
        logger.warning("demo data not regenerated: %s is absent", source)
    bilateral = source.parent / "ims2017" / IMS2017_FILE
    if bilateral.is_file():
        paths.append(
            write_ims2017_data(bilateral, root / "dsd" / IMS2017_MAPS, root / IMS2017_PATH)
        )
    else:
        logger.warning("2017 bilateral data not regenerated: %s is absent", bilateral)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Generate dsd/, codelists/ and the demo data; the exit status of the command."""
    parser = argparse.ArgumentParser(prog="python -m sdmxnode.authoring", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root")
    parser.add_argument("--source", type=Path, default=None, help=f"path of {SOURCE_FILE}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    paths = generate(args.root.resolve(), args.source)
    logger.info("%d files written", len(paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
