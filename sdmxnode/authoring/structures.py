"""Write `codelists/` and `dsd/`: code lists, agency, concept and category schemes, DSDs."""

from __future__ import annotations

import logging
from pathlib import Path

from sdmxnode.authoring import xml, xml30
from sdmxnode.authoring.area_maps import write_area_maps
from sdmxnode.authoring.areas import build_area_codelist, build_area_origin_codelist
from sdmxnode.authoring.artefacts import CodelistDef, DsdDef
from sdmxnode.authoring.associations import write_area_associations
from sdmxnode.authoring.codelists import DOMAIN_CODELISTS
from sdmxnode.authoring.concepts import CONCEPTS
from sdmxnode.authoring.consumers import CONSUMER_AGENCY, CONSUMERS
from sdmxnode.authoring.dsds import CATEGORIES, DSDS
from sdmxnode.authoring.hierarchies import (
    AREA_ALIAS,
    HCL_FILE,
    HCL_ID,
    build_area_hierarchies,
)
from sdmxnode.authoring.ims2017_names import write_ims2017_maps
from sdmxnode.authoring.msd import COVERAGE_GROUP, METADATAFLOWS, MSD_ID, VERSION
from sdmxnode.authoring.official import OFFICIAL_CODELISTS
from sdmxnode.authoring.process import (
    PROCESS_DESCRIPTION,
    PROCESS_ID,
    PROCESS_NAME,
    PROCESS_VERSION,
    STEPS,
)
from sdmxnode.authoring.providers import AGREEMENTS, PROVIDER_AGENCY, PROVIDERS
from sdmxnode.authoring.taxonomy import (
    TAXONOMY_DESCRIPTION,
    TAXONOMY_ID,
    TAXONOMY_NAME,
    TAXONOMY_VERSION,
    TOPICS,
)

logger = logging.getLogger(__name__)

CATEGORY_SCHEME_ID = "CAT_MIGRATION"
AGENCIES = (
    (
        "IMDX",
        "International Migration Data eXchange",
        "Maintains the migration structures published by this node (placeholder agency id).",
    ),
)


def list_codelists() -> list[CodelistDef]:
    """Every code list the repository ships: official, IMDX domain lists, CL_AREA(_ORIGIN)."""
    area = build_area_codelist()
    return [
        *OFFICIAL_CODELISTS,
        *DOMAIN_CODELISTS,
        COVERAGE_GROUP,
        area,
        build_area_origin_codelist(area),
    ]


def write_codelists(target: Path) -> list[Path]:
    """Write one SDMX-ML 2.1 structure message per code list, named AGENCY-ID-VERSION.xml."""
    paths = []
    for codelist in list_codelists():
        root, sections = xml.structure_message(f"IMDX-{codelist.agency_id}-{codelist.id}")
        xml.add_codelist(xml.section(root, sections, "Codelists"), codelist)
        paths.append(xml.write_message(root, target / codelist.file_name))
    logger.info("wrote %d code lists to %s", len(paths), target)
    return paths


def _write_dsd(dsd: DsdDef, target: Path) -> Path:
    root, sections = xml.structure_message(f"IMDX-{dsd.id}")
    for dataflow in dsd.dataflows:
        xml.add_dataflow(xml.section(root, sections, "Dataflows"), dataflow, dsd)
    xml.add_dsd(xml.section(root, sections, "DataStructures"), dsd)
    for dataflow in dsd.dataflows:
        xml.add_constraint(xml.section(root, sections, "Constraints"), dataflow, dsd)
    return xml.write_message(root, target / dsd.file_name)


def write_structures(target: Path) -> list[Path]:
    """Write the agency and data provider schemes with the provision agreements, the
    concept and category schemes, the hierarchies of CL_AREA with their associations to
    the dataflows' REF_AREA and one file per DSD."""
    paths = []
    root, sections = xml.structure_message("IMDX-AGENCIES")
    xml.add_agency_scheme(xml.section(root, sections, "OrganisationSchemes"), AGENCIES)
    paths.append(xml.write_message(root, target / "IMDX-AGENCIES.xml"))

    root, sections = xml.structure_message("IMDX-DATA_PROVIDERS")
    schemes = xml.section(root, sections, "OrganisationSchemes")
    xml.add_data_provider_scheme(schemes, PROVIDER_AGENCY, PROVIDERS)
    names = {provider_id: name for provider_id, name, _ in PROVIDERS}
    for agreement in AGREEMENTS:
        xml.add_provision_agreement(
            xml.section(root, sections, "ProvisionAgreements"),
            agreement.id,
            f"{names[agreement.provider_id]} reports {agreement.dataflow_id}",
            agreement.dataflow_id,
            (PROVIDER_AGENCY, agreement.provider_id),
        )
    paths.append(xml.write_message(root, target / "IMDX-DATA_PROVIDERS.xml"))

    root, sections = xml.structure_message("IMDX-DATA_CONSUMERS")
    schemes = xml.section(root, sections, "OrganisationSchemes")
    xml.add_data_consumer_scheme(schemes, CONSUMER_AGENCY, CONSUMERS)
    paths.append(xml.write_message(root, target / "IMDX-DATA_CONSUMERS.xml"))

    root, sections = xml.structure_message(f"IMDX-{TAXONOMY_ID}")
    xml.add_reporting_taxonomy(
        xml.section(root, sections, "ReportingTaxonomies"),
        ("IMDX", TAXONOMY_ID, TAXONOMY_VERSION),
        {"en": TAXONOMY_NAME},
        TAXONOMY_DESCRIPTION,
        TOPICS,
    )
    paths.append(xml.write_message(root, target / f"IMDX-{TAXONOMY_ID}-{TAXONOMY_VERSION}.xml"))

    root, structures = xml30.structure_message(f"IMDX-{PROCESS_ID}")
    xml30.add_process(
        structures, (PROCESS_ID, PROCESS_VERSION), {"en": PROCESS_NAME}, PROCESS_DESCRIPTION, STEPS
    )
    paths.append(xml.write_message(root, target / f"IMDX-{PROCESS_ID}-{PROCESS_VERSION}.xml"))

    root, sections = xml.structure_message("IMDX-CS_MIGRATION")
    names = {"en": "Concepts for international migration statistics"}
    xml.add_concept_scheme(xml.section(root, sections, "Concepts"), names, CONCEPTS)
    paths.append(xml.write_message(root, target / "IMDX-CS_MIGRATION-1.0.0.xml"))

    root, sections = xml.structure_message(f"IMDX-{CATEGORY_SCHEME_ID}")
    names = {"en": "Topics of international migration statistics"}
    scheme_section = xml.section(root, sections, "CategorySchemes")
    xml.add_category_scheme(scheme_section, CATEGORY_SCHEME_ID, names, CATEGORIES)
    for dsd in DSDS:
        for dataflow in dsd.dataflows:
            for category in (dataflow.category, *dataflow.extra_categories):
                categorisations = xml.section(root, sections, "Categorisations")
                xml.add_categorisation(categorisations, CATEGORY_SCHEME_ID, category, dataflow.id)
    paths.append(xml.write_message(root, target / f"IMDX-{CATEGORY_SCHEME_ID}-1.0.0.xml"))

    root, sections = xml.structure_message(f"IMDX-{HCL_ID}")
    for hcl in build_area_hierarchies(build_area_codelist()):
        hcls = xml.section(root, sections, "HierarchicalCodelists")
        xml.add_hierarchical_codelist(hcls, hcl, AREA_ALIAS)
    paths.append(xml.write_message(root, target / HCL_FILE))
    paths.append(write_area_associations(DSDS, target))

    area = build_area_codelist()
    paths.append(write_area_maps(area, target))
    paths.append(write_ims2017_maps(area, build_area_origin_codelist(area), target))
    paths += [_write_dsd(dsd, target) for dsd in DSDS]
    paths.append(write_metadata_structures(target))
    logger.info("wrote %d structure files to %s", len(paths), target)
    return paths


def write_metadata_structures(target: Path) -> Path:
    """Write the MSD and its metadataflows as one SDMX-ML 3.0 structure message."""
    root, structures = xml30.structure_message(f"IMDX-{MSD_ID}")
    xml30.add_msd(structures)
    xml30.add_metadataflows(structures, METADATAFLOWS)
    return xml.write_message(root, target / f"IMDX-{MSD_ID}-{VERSION}.xml")
