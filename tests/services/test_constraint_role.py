"""The role of a stored content constraint is read from its element's own attribute."""

from __future__ import annotations

import pytest

from sdmxnode.services.structures.queries import constraint_role


@pytest.mark.parametrize(
    "element, role",
    [
        (
            b'<str:ContentConstraint id="C" type="Allowed" agencyID="A"><com:Name>Actual '
            b"figures</com:Name></str:ContentConstraint>",
            "Allowed",
        ),
        (b"<?xml version='1.0'?>\n<str:ContentConstraint id='C' type='Actual'>", "Actual"),
        (
            b'<str:DataConstraint xmlns:str="x" role="Allowed" id="Actual"></str:DataConstraint>',
            "Allowed",
        ),
        (b'<str:ContentConstraint id="C"><com:Annotation type="Actual"/>', None),
    ],
)
def testconstraint_role_reads_the_start_tag_only(element: bytes, role: str | None) -> None:
    assert constraint_role(element) == role
