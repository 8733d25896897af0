"""The slow paths of the row rules: findings for rows not known good, and the state kept
between rows (series seen with their periods, caches of values found right, mandatory
attributes still missing)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from operator import contains

from sdmxnode.formats.rows import (
    ACTION_CODES,
    ACTIONS,
    MAX_KEY_VALUE_LENGTH,
    MAX_SERIES_KEY_LENGTH,
    DatasetRows,
)
from sdmxnode.validation.findings import Finding
from sdmxnode.validation.periods import period_frequency_problem, period_syntax_problem
from sdmxnode.validation.plan import RowPlan, ValueRule
from sdmxnode.validation.report import Report

#: Bound on the per-data-set caches of values already found right (memory stays flat).
CACHE_LIMIT = 100_000
DELETE = "Delete"
#: Actions that update what is stored without replacing the series: a series the store
#: holds keeps the attribute values such an update leaves out. An SDMX 2.1 Replace too
#: (it replaces observations); an SDMX 3.0 one replaces the series, which must be whole.
INCREMENTAL = frozenset({"Information", "Append", "Merge"})
#: For a data set and series keys (as `.`-joined text): per series the store holds, the
#: ids of the series attributes it holds a value for.
StoredSeries = Callable[[DatasetRows, Collection[str]], Mapping[str, frozenset[str]]]


class RowChecker:
    """The slow paths of check_rows: building findings, and the state kept between rows."""

    def __init__(
        self,
        plan: RowPlan,
        dataset: DatasetRows,
        report: Report,
        stored: StoredSeries | None = None,
    ) -> None:
        self.plan = plan
        self.dataset = dataset
        self.report = report
        self.stored = stored
        self.incremental = INCREMENTAL | ({"Replace"} if dataset.sdmx_version == "2.1" else set())
        self.action = dataset.action  # the action of the current row
        #: Missing mandatory series attributes noted under an incremental action: no
        #: error if the store holds them for every series concerned.
        self.updating: set[tuple[int, tuple]] = set()
        self.dataflow = dataset.structure.dataflow or dataset.structure.dsd
        self.seen: dict[tuple, tuple] = {}  # series key -> its periods, once finished
        self.series_good: set[tuple] = set()
        self.observation_good: set[tuple] = set()
        self.period_caches: dict[str | None, dict[str, str]] = {}
        self.pending: dict[tuple[int, tuple], tuple[int, str]] = {}  # missing mandatory
        self.reported: set[tuple] = set()  # (column, value, attachment key) already reported
        self.canonical: list[dict[str, str]] = [
            {code: code for code in (rule.codes or ())} if rule is not None else {}
            for rule in plan.dimension_rules
        ]
        self.unknown_left = dict(plan.unknown_columns)
        self._known_codes = _known_codes(plan.dimension_rules)
        #: (attribute index, attachment key) -> the value first given there
        self.held: dict[tuple[int, tuple], str] = {}
        self.conflicting: set[tuple[int, tuple]] = set()  # reported once each

    # -- data set level -------------------------------------------------------------------

    def start(self) -> None:
        """Check the data set as a whole before its first row: action and dimension order."""
        if self.dataset.action not in ACTIONS:
            self.report.error(
                "BAD_ACTION",
                f"data set action {self.dataset.action!r} is not one of {', '.join(ACTIONS)}",
            )
        self.header_columns()
        if self.plan.dimensions_out_of_order:
            self.report.warning(
                "DIMENSION_ORDER",
                "dimensions are not in the order of the DSD "
                f"{self.dataset.structure.dsd}: expected {', '.join(self.plan.dimension_ids)}",
            )

    def header_columns(self) -> None:
        """Report the header's columns that no component defines (SDMX-CSV 1.0, row 1)."""
        dataset = self.dataset
        components = ", ".join(dataset.structure.columns)
        for column in dataset.unknown_columns:
            self.report.error(
                "UNKNOWN_COMPONENT",
                f"column {column} is not a component of {dataset.structure.dsd} nor a column "
                f"of the format; its components are: {components}",
                line=1,
                component=column,
            )

    def dataset_attributes(self, row: tuple) -> None:
        """Note the mandatory data-set attributes missing on the first row that is no Delete
        (reported at the end unless a later row gives them)."""
        given = self.dataset.dataset_attributes
        for rule in self.plan.series_rules:
            if rule.scope != "dataset" or not rule.mandatory or rule.component.id in given:
                continue
            if row[rule.index] is None or row[rule.index] == "":
                self.pending[(rule.index, ())] = (row[-1], "")

    def first_row(self, row: tuple) -> None:
        """Data-set level checks on the first row: absent dimensions."""
        for dimension in self.plan.absent_dimensions:
            self.report.error(
                "MISSING_DIMENSION",
                f"the data set gives no value for dimension {dimension} of "
                f"{self.dataset.structure.dsd}",
                line=row[-1] or None,
                component=dimension,
            )

    def unknown_columns(self, row: tuple) -> bool:
        """Report the columns that are no component, once each; whether any was found."""
        for index, column in list(self.unknown_left.items()):
            if row[index] is None:
                continue
            del self.unknown_left[index]
            self.report.error(
                "UNKNOWN_COMPONENT",
                f"{column} (value {row[index]!r}) is not a component of "
                f"{self.dataset.structure.dsd}; its components are: "
                f"{', '.join(self.dataset.structure.columns)}",
                line=row[-1] or None,
                series_key=self._key_text(self.plan.key_of(row)),
                component=column,
            )
        return bool(self.unknown_left)

    def row_action(self, row: tuple) -> bool:
        """True when the row deletes; a value that is no SDMX action is reported."""
        action = row[self.plan.action_index or 0]
        if action in ACTION_CODES:
            self.action = ACTION_CODES[action]
            return self.action == DELETE
        self.action = self.dataset.action
        if action is not None and action != "":
            self.report.error(
                "BAD_ACTION",
                f"action {action!r} is not one of {', '.join(ACTION_CODES)}",
                line=row[-1] or None,
                series_key=self._key_text(self.plan.key_of(row)),
            )
        return False

    # -- series ---------------------------------------------------------------------------

    def switch_series(
        self, key: tuple, row: tuple, previous: tuple | None, periods: set
    ) -> tuple[tuple, set, bool]:
        """Store the periods of the series left, then find or start the series of `key`."""
        if previous is not None:
            self.seen[previous] = tuple(periods)
        known = self.seen.get(key)
        if known is not None:
            return key, set(known), False
        canonical = self.canonical_key(key)
        self.seen[canonical] = ()
        self.report.series += 1
        self._check_key(canonical, row)
        return canonical, set(), True

    def canonical_key(self, key: tuple) -> tuple:
        """`key` with each value as its code list's own string (None stays None: no code is
        None), so that the series kept share their strings."""
        return tuple(map(dict.get, self.canonical, key, key))

    def key_passes(self, key: tuple) -> bool:
        """Whether a new series key passes every key check, by the fast tests alone (False
        may also mean that only the value-by-value checks can tell)."""
        return self._lengths_pass(key) and self._codes_known(key)

    def keys_pass(self, columns: list[tuple]) -> bool:
        """`key_passes` for several new series keys at once, given as columns (one tuple per
        key position): per column at C speed, key by key (`key_passes`) only when the
        longest values of each position together exceed the series key's length."""
        known = self._known_codes
        if known is None:
            return False
        for position, codes in zip(*known, strict=True):
            if not codes.issuperset(columns[position]):
                return False
        longest = [max(map(len, filter(None, column)), default=0) for column in columns]
        if max(longest, default=0) > MAX_KEY_VALUE_LENGTH:
            return False
        if sum(longest) + len(columns) - 1 <= MAX_SERIES_KEY_LENGTH:
            return True
        return all(map(self.key_passes, zip(*columns, strict=True)))

    def canonical_keys(self, columns: list[tuple]) -> list[tuple]:
        """`canonical_key` of several keys at once, given as columns."""
        return list(zip(*map(_canonical_column, self.canonical, columns), strict=True))

    def _codes_known(self, key: tuple) -> bool:
        """Whether every key value a rule checks is one of its codes (at C speed)."""
        known = self._known_codes
        return known is not None and all(map(contains, known[1], map(key.__getitem__, known[0])))

    @staticmethod
    def _lengths_pass(key: tuple) -> bool:
        """Whether the key's values and the series key are within the length limits."""
        lengths = list(map(len, filter(None, key)))  # the values given
        return (
            max(lengths, default=0) <= MAX_KEY_VALUE_LENGTH
            and sum(lengths) + len(key) - 1 <= MAX_SERIES_KEY_LENGTH  # joined by '.'
        )

    def _check_key(self, key: tuple, row: tuple) -> None:
        self._check_key_lengths(key, row)
        if self._codes_known(key):
            return  # every value a rule checks is one of its codes
        attributes_only = self.plan.time_index is None or row[self.plan.time_index] is None
        for position, rule in enumerate(self.plan.dimension_rules):
            if rule is None:
                continue
            value = key[position]
            if value is None or value == "":
                if not attributes_only:  # attribute rows may have partial keys (SDMX-CSV 2.0)
                    self._error(
                        "MISSING_DIMENSION",
                        f"no value for dimension {rule.component.id}",
                        key,
                        row,
                        component=rule.component.id,
                    )
                continue
            if rule.ok is not None and value in rule.ok:
                continue
            problem = rule.problem(value, self.dataflow)
            if problem is not None:
                self._error(*problem, key, row, component=rule.component.id)

    def _check_key_lengths(self, key: tuple, row: tuple) -> None:
        """VALUE_TOO_LONG for a key value or a series key over the declared limits."""
        if self._lengths_pass(key):
            return
        for dimension_id, value in zip(self.plan.dimension_ids, key, strict=False):
            if value is not None and len(value) > MAX_KEY_VALUE_LENGTH:
                self._error(
                    "VALUE_TOO_LONG",
                    f"the value of dimension {dimension_id} has {len(value)} characters; "
                    f"key values may have at most {MAX_KEY_VALUE_LENGTH}",
                    key,
                    row,
                    component=dimension_id,
                )
                return
        length = len(self._key_text(key))
        if length > MAX_SERIES_KEY_LENGTH:
            self._error(
                "VALUE_TOO_LONG",
                f"the series key has {length} characters; series keys (values joined by '.') "
                f"may have at most {MAX_SERIES_KEY_LENGTH}",
                key,
                row,
            )

    def series_attributes(self, values: tuple, key: tuple, row: tuple, fresh: bool) -> None:
        """Check the data-set and series level attribute values of a row not known good."""
        right = True
        for rule, value in zip(self.plan.series_rules, values, strict=True):
            attached = self.attached(rule, key)
            if value is None or value == "":
                if rule.mandatory:
                    right = False
                    self._missing(rule, attached, key, row, fresh)
                continue
            self.pending.pop((rule.index, attached), None)
            if rule.ok is not None and value in rule.ok:
                continue
            problem = rule.problem(value, self.dataflow)
            if problem is None:
                continue
            right = False
            if (rule.index, value, attached) not in self.reported:
                self.reported.add((rule.index, value, attached))
                self._error(*problem, key, row, component=rule.component.id)
        if right and len(self.series_good) < CACHE_LIMIT:
            self.series_good.add(values)

    def held_attributes(self, values: tuple, key: tuple, row: tuple) -> None:
        """INCONSISTENT_ATTRIBUTE when a data-set, group or series attribute is given a value
        that differs from the one an earlier row gave the same series (group, data set).

        A row that leaves the attribute empty gives no value: the value given by the other
        rows of its series applies (SDMX-CSV repeats series attributes on every row; a
        message may repeat a series or leave the attribute off some rows).
        """
        for rule, value in zip(self.plan.held_rules, values, strict=True):
            if value is None or value == "":
                continue
            slot = (rule.index, self.attached(rule, key))
            first = self.held.setdefault(slot, value)
            if first == value or slot in self.conflicting:
                continue
            self.conflicting.add(slot)
            where = {"dataset": "the data set", "series": "series"}.get(rule.scope, rule.scope)
            owner = where if rule.scope == "dataset" else f"{where} {self._key_text(slot[1])}"
            self._error(
                "INCONSISTENT_ATTRIBUTE",
                f"{rule.component.id} is {value!r} here but {first!r} on an earlier row of "
                f"{owner}: an attribute of a {rule.scope} has one value",
                key,
                row,
                component=rule.component.id,
            )

    def attached(self, rule: ValueRule, key: tuple) -> tuple:
        """What a data-set, group or series attribute's value belongs to: () for the data
        set, else the key values it attaches to."""
        if rule.scope == "dataset":
            return ()
        if rule.key_positions:
            return tuple(key[p] for p in rule.key_positions)
        return key

    def _missing(
        self, rule: ValueRule, attached: tuple, key: tuple, row: tuple, fresh: bool
    ) -> None:
        """Note a mandatory series attribute missing on the first row of its series: it is
        reported at the end unless a later row of the same series gives it (data-set level
        ones are noted by `first_row`)."""
        if rule.scope != "dataset" and fresh and (rule.index, attached) not in self.pending:
            self.pending[(rule.index, attached)] = (row[-1], self._key_text(key))
            if self.stored is not None and self.action in self.incremental:
                self.updating.add((rule.index, attached))

    # -- observations ---------------------------------------------------------------------

    def missing_period(self, key: tuple, row: tuple) -> None:
        """Report an observation that has a value but no time period."""
        time = self.dataset.structure.time_dimension
        self._error(
            "MISSING_DIMENSION",
            "an observation value without a time period",
            key,
            row,
            component=time.id if time else None,
        )

    def period(
        self, period: str, freq: str | None, key: tuple, row: tuple, cache: dict[str, str]
    ) -> str:
        """Check a period not seen before for `freq`; cache it when it is right."""
        time_id = self.dataset.structure.time_dimension
        component = time_id.id if time_id else None
        problem = period_syntax_problem(period)
        if problem is not None:
            self._error("BAD_PERIOD", problem, key, row, period=period, component=component)
            return period
        problem = period_frequency_problem(period, freq)
        if problem is not None:
            self._error("PERIOD_FREQUENCY", problem, key, row, period=period, component=component)
            return period
        if len(cache) < CACHE_LIMIT:
            cache[period] = period
        return period

    def duplicate(self, period: str, key: tuple, row: tuple) -> None:
        """Report a second observation for the same series key and period (unless the key
        lacks a dimension value: series then merge, and every such duplicate follows from
        that MISSING_DIMENSION finding, so it is counted, not reported)."""
        if self.plan.absent_dimensions or any(value is None or value == "" for value in key):
            self.report.suppressed += 1
            return
        self._error(
            "DUPLICATE",
            f"a second observation for series {self._key_text(key)} and period {period!r}",
            key,
            row,
            period=period or None,
        )

    def observation_value(self, rule: ValueRule, value: str, key: tuple, row: tuple) -> None:
        """Check an observation value against its measure's representation."""
        problem = rule.problem(value, self.dataflow)
        if problem is not None:
            self._error(*problem, key, row, period=self._period(row), component=rule.component.id)

    def observation_attributes(self, values: tuple, key: tuple, row: tuple) -> None:
        """Check the observation-level attributes of a row: mandatory ones and their values."""
        right = True
        for rule, value in zip(self.plan.observation_rules, values, strict=True):
            if value is None or value == "":
                if rule.mandatory:
                    right = False
                    self._error(
                        "MISSING_ATTRIBUTE",
                        f"mandatory attribute {rule.component.id} is missing on an observation",
                        key,
                        row,
                        period=self._period(row),
                        component=rule.component.id,
                    )
                continue
            if rule.ok is not None and value in rule.ok:
                continue
            problem = rule.problem(value, self.dataflow)
            if problem is not None:
                right = False
                self._error(
                    *problem, key, row, period=self._period(row), component=rule.component.id
                )
        if right and len(self.observation_good) < CACHE_LIMIT:
            self.observation_good.add(values)

    # -- the end --------------------------------------------------------------------------

    def unreadable(self, finding: Finding) -> None:
        """Record the error that stopped the reader; nothing after it is checked."""
        self.report.add(finding)
        self.report.stopped = True  # the reader cannot go on past a broken data set

    def finish(self, key: tuple | None, periods: set) -> None:
        """End of the data set: record the last series, then check whole series and groups."""
        if key is not None:
            self.seen[key] = tuple(periods)
        if not self.seen:
            self._dataset_attributes_without_rows()
        by_index = {rule.index: rule for rule in self.plan.series_rules}
        held = self._held_in_store(by_index)
        for (index, attached), (line, key_text) in self.pending.items():
            if (index, attached) in held:
                continue
            rule = by_index[index]
            level = "data set" if rule.scope == "dataset" else "series"
            self.report.error(
                "MISSING_ATTRIBUTE",
                f"mandatory {level} attribute {rule.component.id} is missing",
                line=line or None,
                series_key=key_text if rule.scope != "dataset" else None,
                component=rule.component.id,
            )

    def _held_in_store(self, by_index: dict[int, ValueRule]) -> set[tuple[int, tuple]]:
        """The missing attributes noted under an incremental action that the store holds
        for every series of the message they attach to (one lookup for them all)."""
        slots = [slot for slot in self.pending if slot in self.updating]
        if not slots or self.stored is None:
            return set()
        members: dict[tuple[int, tuple], list[str]] = {}
        groups: dict[tuple[int, ...], dict[tuple, list[tuple]]] = {}  # the series per group
        for index, attached in slots:
            positions = by_index[index].key_positions
            if positions and positions not in groups:
                grouped = groups[positions] = {}
                for key in self.seen:
                    grouped.setdefault(tuple(key[p] for p in positions), []).append(key)
            keys = groups[positions].get(attached, []) if positions else [attached]
            members[(index, attached)] = [self._key_text(key) for key in keys]
        found = self.stored(self.dataset, {key for keys in members.values() for key in keys})
        return {
            slot
            for slot, keys in members.items()
            if keys and all(by_index[slot[0]].component.id in found.get(k, ()) for k in keys)
        }

    def _dataset_attributes_without_rows(self) -> None:
        if self.dataset.action == DELETE:
            return  # a Delete needs no attributes
        for rule in self.plan.series_rules:
            if rule.scope != "dataset" or not rule.mandatory:
                continue
            if rule.component.id not in self.dataset.dataset_attributes:
                self.report.error(
                    "MISSING_ATTRIBUTE",
                    f"mandatory data set attribute {rule.component.id} is missing",
                    component=rule.component.id,
                )

    # -- helpers --------------------------------------------------------------------------

    def _error(
        self,
        code: str,
        message: str,
        key: tuple,
        row: tuple,
        *,
        period: str | None = None,
        component: str | None = None,
    ) -> None:
        self.report.error(
            code,
            message,
            line=row[-1] or None,
            series_key=self._key_text(key),
            period=period,
            component=component,
        )

    def _period(self, row: tuple) -> str | None:
        index = self.plan.time_index
        return row[index] if index is not None else None

    @staticmethod
    def _key_text(key: tuple) -> str:
        return ".".join(value or "" for value in key)


def _canonical_column(canonical: dict[str, str], column: tuple) -> list:
    return list(map(canonical.get, column, column))


def _known_codes(
    rules: tuple[ValueRule | None, ...],
) -> tuple[list[int], list[frozenset[str]]] | None:
    """For a key whose checked values are all known codes, the one test that says so at C
    speed: the key positions that have a rule, and each one's codes. None when a rule has
    no such codes (its values are checked one by one)."""
    positions: list[int] = []
    codes: list[frozenset[str]] = []
    for position, rule in enumerate(rules):
        if rule is None:
            continue
        if rule.ok is None:
            return None
        positions.append(position)
        codes.append(rule.ok)
    return positions, codes
