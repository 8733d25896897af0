"""`sdmxnode validate` on the real messages of ../shared/corpus gives the manifest's verdicts.

How a file's expected verdict is read off MANIFEST.tsv (columns message_kind,
needs_structure_file, notes), first rule that applies:

1. message_kind "Error": not a submission (an SDMX error message). `validate` answers exit
   1 with one NOT_A_SUBMISSION error. (Reference-metadata messages are checked like data.)
2. message_kind "... (header+footer only)": a service's answer whose footer defers the data.
   The manifest notes the footer's severity is misspelt ("Infomation"), which the footer XSD
   refuses: exit 1 with SCHEMA errors, and the footer message reported as FOOTER_MESSAGE.
3. notes say "KNOWN-INVALID": exit 1 with a SCHEMA error.
4. A data message whose structure is incomplete (its needs_structure_file, or the row of the
   structure file it names, says "not available", "absent", "not in corpus" or "not copied"):
   what can be checked must pass. Valid, or invalid only with UNKNOWN_STRUCTURE (the
   dataflow or DSD the message names is not among the structures given). A structure
   message whose needs_structure_file says so (a DSD without its code lists): valid, or
   invalid only with UNRESOLVED_REFERENCE.
5. Anything else: valid (exit 0). For valid data messages the number of observations
   checked must equal the manifest's "N obs".

needs_structure_file naming a corpus file means `--structure <that file>`.

ADJUDICATED lists the files where the rules above and the node disagreed, the node was
checked against the standard and found right, with the evidence.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.cli import main

VALID = "valid"
INVALID = "invalid"
NOT_A_SUBMISSION = "not a submission"
UNVERIFIABLE = "unverifiable"
_INCOMPLETE = re.compile(r"not available|absent|not in corpus|not copied")

#: file -> (verdict, the only finding codes allowed, why the node is right).
ADJUDICATED = {
    "ESTAT-esms.xml": (
        INVALID,
        {"UNKNOWN_STRUCTURE"},
        "its header names the MSD ESTAT:ESMS(1.0), while ESTAT-esms-structure.xml holds it as"
        " ESTAT:ESMS_SIMPLE(1.0) (the report structure ids match): the set is reported against"
        " a structure the files do not hold. `--metadata-structure"
        " MetadataStructure=ESTAT:ESMS_SIMPLE(1.0)` checks it against the one it comes with"
        " (tests/test_cli_metadata.py).",
    ),
    "INSEE-CNA-2010-CONSO-SI-A17-structure.xml": (
        INVALID,
        {"UNRESOLVED_REFERENCE"},
        "its DSD FR1:CNA-2010-CONSO-SI-A17(1.0) references the code lists FR1:CL_AREA,"
        " CL_FREQ, CL_OBS_STATUS, CL_TIME_COLLECT and CL_UNIT (1.0), which the message does"
        " not carry (it holds CL_CNA_OP, CL_CNA_PRODUIT, CL_PRIX_REF and CL_SECT_INST only);"
        " so its dataflow's DSD cannot be stored either. A structure submission (POST"
        " /rest/v2/structure) or `sdmxnode load` refuses both the same way (409).",
    ),
    "INSEE-dataflow.xml": (
        INVALID,
        {"UNRESOLVED_REFERENCE"},
        "a list of 663 dataflows (an answer to a dataflow query without references): each"
        " references its DSD (str:Structure/Ref), which the message does not carry and the"
        " structures it is checked against do not hold; a structure submission or `sdmxnode"
        " load` refuses each dataflow the same way (409).",
    ),
    "ESTAT-demography-xs.xml": (
        INVALID,
        {"MISSING_ATTRIBUTE"},
        "DSD ESTAT:DEMOGRAPHY(1.0) declares DECIMALS assignmentStatus='Mandatory', attached to"
        " dimension DEMO (the observation dimension of this cross-sectional message); no"
        " observation carries DECIMALS. The 2.1 structure-specific XSDs make every attribute"
        " optional, so only the structure rule can see it.",
    ),
    "IMF_STA-DSD_BOP-v30.xml": (
        INVALID,
        {"SCHEMA"},
        "its MetadataAttributeUsage elements lack AttributeRelationship, which"
        " SDMXStructureDataStructure.xsd (3.0.0, MetadataAttributeUsageType) requires"
        " (minOccurs 1).",
    ),
}


@dataclass(frozen=True)
class Expected:
    """What the manifest says about one file."""

    file: str
    verdict: str
    structure: str | None
    observations: int | None
    allowed_codes: frozenset[str] | None  # None: any (for valid messages: none at all)


def _manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def expected_verdicts(corpus: Path) -> list[Expected]:
    """Every manifest row read with the rules of the module docstring."""
    rows = _manifest(corpus)
    needs_of = {row["file"]: row["needs_structure_file"] for row in rows}
    expected = []
    for row in rows:
        kind, needs, notes = row["message_kind"], row["needs_structure_file"], row["notes"]
        first = needs.split(" ")[0]
        structure = first if (corpus / first).is_file() and first != row["file"] else None
        obs = re.match(r"(\d+) obs", row["observations_or_items"])
        observations = int(obs.group(1)) if obs else None
        codes: set[str] | None
        if kind == "Error":
            verdict, codes = NOT_A_SUBMISSION, {"NOT_A_SUBMISSION"}
        elif "footer only" in kind:
            verdict, codes = INVALID, {"SCHEMA", "FOOTER_MESSAGE"}
        elif "KNOWN-INVALID" in notes:
            verdict, codes = INVALID, {"SCHEMA"}
        elif kind != "Structure" and (
            _INCOMPLETE.search(needs) or (structure and _INCOMPLETE.search(needs_of[structure]))
        ):
            verdict, codes = UNVERIFIABLE, {"UNKNOWN_STRUCTURE"}
        elif kind == "Structure" and _INCOMPLETE.search(needs):
            verdict, codes = UNVERIFIABLE, {"UNRESOLVED_REFERENCE"}
        else:
            verdict, codes = VALID, None
        if row["file"] in ADJUDICATED:
            verdict, adjudicated_codes, _why = ADJUDICATED[row["file"]]
            codes = set(adjudicated_codes)
        expected.append(
            Expected(
                row["file"],
                verdict,
                structure,
                observations,
                frozenset(codes) if codes is not None else None,
            )
        )
    return expected


def _check(expected: Expected, report: dict) -> None:
    codes = {finding["code"] for finding in report["findings"]}
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
    name = expected.file
    if expected.verdict == VALID:
        assert report["valid"], f"{name}: {report['findings']}"
        if expected.observations is not None:
            assert report["observations"] == expected.observations, name
    elif expected.verdict == UNVERIFIABLE:
        assert report["valid"] or errors <= expected.allowed_codes, f"{name}: {errors}"
    else:
        assert not report["valid"], name
        assert expected.allowed_codes is not None
        assert errors and codes <= expected.allowed_codes, f"{name}: {codes}"
        if expected.verdict == NOT_A_SUBMISSION:
            assert report["errors"] == 1 and report["datasets"] == 0, name


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", f"sqlite:///{tmp_path / 'never-created.db'}")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _validate(runner: CliRunner, files: list[Path], structure: Path | None):
    arguments = ["--log-level", "error", "validate", "--format", "json"]
    if structure is not None:
        arguments += ["--structure", str(structure)]
    return runner.invoke(main, [*arguments, *map(str, files)])


@pytest.mark.corpus
def test_every_corpus_file_gets_the_manifest_verdict(runner: CliRunner, corpus: Path) -> None:
    """One `validate` run per structure file (each run builds its structure store once);
    the exit status of a run is 0 exactly when every report in it says valid."""
    expected = expected_verdicts(corpus)
    assert len(expected) == len(_manifest(corpus)) >= 30
    groups: dict[str | None, list[Expected]] = {}
    for entry in expected:
        groups.setdefault(entry.structure, []).append(entry)
    exits = set()
    for structure, entries in groups.items():
        result = _validate(
            runner,
            [corpus / entry.file for entry in entries],
            corpus / structure if structure else None,
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        reports = json.loads(result.stdout)
        assert sorted(reports) == sorted(entry.file for entry in entries)
        for entry in entries:
            _check(entry, reports[entry.file])
        all_valid = all(report["valid"] for report in reports.values())
        assert result.exit_code == (0 if all_valid else 1), structure
        exits.add(result.exit_code)
    assert exits == {0, 1}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "exit_code"),
    [("ECB-EXR-ts.json", 0), ("FMR-error-150.xml", 1), ("BIS-gh-180.xml", 1)],
)
def test_exit_status_of_one_file(runner: CliRunner, corpus: Path, name: str, exit_code: int):
    result = _validate(runner, [corpus / name], None)
    assert result.exit_code == exit_code, result.output
    assert json.loads(result.stdout)[name]["valid"] is (exit_code == 0)


@pytest.mark.corpus
def test_error_message_is_named_with_its_code(runner: CliRunner, corpus: Path) -> None:
    result = runner.invoke(main, ["validate", str(corpus / "FMR-error-304.xml")])
    assert result.exit_code == 1
    assert "NOT_A_SUBMISSION" in result.stdout and "code 304" in result.stdout


@pytest.mark.corpus
def test_footer_without_data_set_is_not_a_submission(
    runner: CliRunner, corpus: Path, tmp_path: Path
) -> None:
    """The Eurostat footer answer made schema-valid (a header Structure, the severity spelt
    right): still no data, only a footer that defers it, so not a submission."""
    text = (corpus / "ESTAT-footer-413.xml").read_text(encoding="utf-8")
    structure = (
        '<message:Structure structureID="S1" dimensionAtObservation="TIME_PERIOD">'
        '<common:StructureUsage><Ref agencyID="IMDX" id="DF_MIG_STOCK_IMS" version="1.0.0"/>'
        "</common:StructureUsage></message:Structure>\n    <message:DataSetAction>"
    )
    repaired = text.replace("<message:DataSetAction>", structure, 1).replace(
        '"Infomation"', '"Information"'
    )
    path = tmp_path / "footer-only.xml"
    path.write_text(repaired, encoding="utf-8")
    result = _validate(runner, [path], None)
    report = json.loads(result.stdout)["footer-only.xml"]
    assert result.exit_code == 1
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("FOOTER_MESSAGE", "warning"),
        ("NOT_A_SUBMISSION", "error"),
    ]
    assert "code 413" in report["findings"][0]["message"]
