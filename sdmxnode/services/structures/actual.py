"""Each dataflow's standing Actual content constraint, derived from the data it holds.

SDMX 2.1 `ContentConstraint type="Actual"` (3.0 `DataConstraint role="Actual"`) states what a
dataflow actually holds. The node keeps no copy that a load could leave behind: the
constraint `{agency}:CR_A_{id}({version})` of each dataflow holding observations is built
from the stored data when a structure query reaches it, so every load, replacement and
deletion shows in the next answer. Its content is that of a whole-dataflow availability
query (`services.data.availability`): the codes with data per dimension, the time range,
the series and observation counts as `sdmx_metrics` annotations.

`ActualConstraints` is the structure store that structure queries read: the stored
artefacts plus these constraints, which reference their dataflow (so they are the
dataflow's parents, and the answers of `contentconstraint`, `actualconstraint` and
`dataconstraint`). Their identity, digest and time of change come from the dataflow and the
time its data last changed; the element is built only when an answer holds it, and kept
per digest.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sdmxnode.errors import NotFound
from sdmxnode.formats.registry.structure import STRUCTURE_FORMATS
from sdmxnode.formats.sdmxml.elements import split_structure_message
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.data.availability import ACTUAL_CONSTRAINT_PREFIX, actual_constraint
from sdmxnode.services.node import Node
from sdmxnode.services.structures.models import build_message
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import StructureStore

CONSTRAINT = "ContentConstraint"


@dataclass(frozen=True)
class _Derived:
    artefact: StoredArtefact
    dataflow: StoredArtefact


#: A built element's key: the database (its URL), the dataflow pk and the digest.
_Key = tuple[str, int, str]


class _ElementCache:
    """Built constraint elements by `_Key`, the most recent `size` kept."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._elements: OrderedDict[_Key, bytes | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _Key) -> tuple[bool, bytes | None]:
        with self._lock:
            if key not in self._elements:
                return False, None
            self._elements.move_to_end(key)
            return True, self._elements[key]

    def put(self, key: _Key, element: bytes | None) -> None:
        with self._lock:
            self._elements[key] = element
            while len(self._elements) > self._size:
                self._elements.popitem(last=False)


_ELEMENTS = _ElementCache()


def actual_constraint_ref(dataflow: ArtefactRef) -> ArtefactRef:
    """The identity of a dataflow's standing Actual constraint."""
    return ArtefactRef(
        CONSTRAINT, dataflow.agency_id, f"{ACTUAL_CONSTRAINT_PREFIX}{dataflow.id}", dataflow.version
    )


class ActualConstraints(StructureStore):
    """The node's structure store whose reads add each dataflow's Actual constraint (see
    the module). One instance serves one request: which dataflows hold data is read once,
    when first needed."""

    _node: Node
    _derived: dict[int, _Derived] | None

    @classmethod
    def of(cls, node: Node) -> ActualConstraints:
        """The node's structure store, with the actual constraints of its data."""
        store = cls.sharing(node.store)
        store._node = node
        store._derived = None
        return store

    def _all(self) -> dict[int, _Derived]:
        if self._derived is None:
            with self._node.data.reading() as reader:
                held = reader.dataflows_with_data()
            stored_flows = super().find_artefacts({"Dataflow"}) if held else []
            flows = {a.pk: a for a in stored_flows}
            derived: dict[int, _Derived] = {}
            for dataflow_pk, changed, last_load in held:
                flow = flows.get(dataflow_pk)
                if flow is not None:
                    artefact = _artefact(flow, changed, last_load)
                    derived[artefact.pk] = _Derived(artefact, flow)
            # A constraint stored under the same identity (submitted by a maintainer) takes
            # the derived one's place: one identity, one artefact in every answer.
            stored = super().find_by_identity(
                {
                    (CONSTRAINT, d.artefact.ref.agency_id, d.artefact.ref.id)
                    for d in derived.values()
                }
            )
            taken = {a.ref for a in stored}
            self._derived = {pk: d for pk, d in derived.items() if d.artefact.ref not in taken}
        return self._derived

    def _may_hold(self, types: Collection[str] | None, ids: Collection[str] | None) -> bool:
        """Whether a lookup by these types and ids can reach a derived constraint."""
        if types is not None and CONSTRAINT not in types:
            return False
        return ids is None or any(i.startswith(ACTUAL_CONSTRAINT_PREFIX) for i in ids)

    def find_artefacts(
        self,
        types: Collection[str] | None = None,
        agencies: Collection[str] | None = None,
        ids: Collection[str] | None = None,
    ) -> list[StoredArtefact]:
        """The store's matching artefacts and the matching derived constraints, in order."""
        found = super().find_artefacts(types, agencies, ids)
        if not self._may_hold(types, ids):
            return found
        extra = [
            d.artefact
            for d in self._all().values()
            if (agencies is None or d.artefact.ref.agency_id in agencies)
            and (ids is None or d.artefact.ref.id in ids)
        ]
        if not extra:
            return found
        return sorted(
            found + extra, key=lambda a: (a.ref.type, a.ref.agency_id, a.ref.id, a.ref.version)
        )

    def find_artefact(self, ref: ArtefactRef) -> StoredArtefact | None:
        """The artefact with exactly this identity, stored or derived."""
        if self._may_hold({ref.type}, {ref.id}):
            for derived in self._all().values():
                if derived.artefact.ref == ref:
                    return derived.artefact
        return super().find_artefact(ref)

    def find_by_identity(self, keys: Collection[tuple[str, str, str]]) -> list[StoredArtefact]:
        """Every version of the artefacts named by (type, agency, id), derived ones too."""
        found = super().find_by_identity(keys)
        if any(self._may_hold({t}, {i}) for t, _, i in keys):
            wanted = set(keys)
            found.extend(
                d.artefact
                for d in self._all().values()
                if (CONSTRAINT, d.artefact.ref.agency_id, d.artefact.ref.id) in wanted
            )
        return found

    def read_xml(self, pks: Collection[int]) -> dict[int, bytes]:
        """The element of each artefact: stored, or built from the data."""
        stored = [pk for pk in pks if pk >= 0]
        result = super().read_xml(stored) if stored else {}
        for pk in pks:
            if pk < 0:
                element = self._element(pk)
                if element is not None:
                    result[pk] = element
        return result

    def read_one_xml(self, artefact: StoredArtefact) -> bytes:
        """The element of one artefact found before; NotFound if it is gone since."""
        if artefact.pk >= 0:
            return super().read_one_xml(artefact)
        element = self._element(artefact.pk)
        if element is None:
            raise NotFound(f"{artefact.ref}: the dataflow's data was deleted while the request ran")
        return element

    def list_references_from(self, pks: Collection[int]) -> dict[int, set[ArtefactRef]]:
        """For each artefact, the identities it references (a constraint: its dataflow)."""
        stored = [pk for pk in pks if pk >= 0]
        result = super().list_references_from(stored) if stored else {}
        derived = self._all() if any(pk < 0 for pk in pks) else {}
        for pk in pks:
            if pk < 0:
                found = derived.get(pk)
                result[pk] = {found.dataflow.ref} if found is not None else set()
        return result

    def list_referrers(
        self, keys: Collection[tuple[str, str, str]]
    ) -> list[tuple[StoredArtefact, ArtefactRef]]:
        """Artefacts referencing any version of (type, agency, id): a dataflow's
        derived constraint among them."""
        found = super().list_referrers(keys)
        flows = {(a, i) for t, a, i in keys if t == "Dataflow"}
        if flows:
            found.extend(
                (d.artefact, d.dataflow.ref)
                for d in self._all().values()
                if (d.dataflow.ref.agency_id, d.dataflow.ref.id) in flows
            )
        return found

    def _element(self, pk: int) -> bytes | None:
        derived = self._all().get(pk)
        if derived is None:
            return None
        key = (self.database_identity, derived.dataflow.pk, derived.artefact.digest)
        known, element = _ELEMENTS.get(key)
        if not known:
            element = _build(self._node, derived.dataflow)
            _ELEMENTS.put(key, element)
        return element


def _artefact(dataflow: StoredArtefact, changed: datetime, last_load: int) -> StoredArtefact:
    """The derived constraint's row: identity from the dataflow, digest from the dataflow
    and the last load of its data, time of change from both."""
    changed = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
    digest = hashlib.sha256(f"{dataflow.digest}|load {last_load}".encode()).hexdigest()
    return StoredArtefact(
        pk=-dataflow.pk,
        ref=actual_constraint_ref(dataflow.ref),
        is_final=False,
        name=f"Data held for {dataflow.ref.id}",
        sdmx_ml="2.1",
        digest=digest,
        updated=max(dataflow.updated, changed),
    )


_ML21 = next(f for f in STRUCTURE_FORMATS if f.name == "sdmx-ml-2.1")


def _build(node: Node, dataflow: StoredArtefact) -> bytes | None:
    """The SDMX-ML 2.1 element of the dataflow's Actual constraint (None: no data now)."""
    constraint = actual_constraint(node, dataflow)
    if constraint is None:
        return None
    assert _ML21.writer is not None
    written = _ML21.writer(build_message([constraint], node.header()))  # type: ignore[call-arg]
    return next(r.xml for r in split_structure_message(written).records if r.ref.type == CONSTRAINT)
