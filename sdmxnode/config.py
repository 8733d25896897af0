"""Settings declared once (name, default, help), read from SDMXNODE_* variables, typed once."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdmxnode.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One setting of the node: its name, default value, type and what it is for.

    `type` is str, int, float, bool or Path; with `several`, the value is a list of paths
    separated by the path separator (os.pathsep).
    """

    name: str
    default: Any
    help: str
    type: type = str
    several: bool = False

    @property
    def env(self) -> str:
        """The environment variable that sets it."""
        return f"SDMXNODE_{self.name}"

    @property
    def field(self) -> str:
        """The name of its field in `Settings`."""
        return self.name.lower()

    def parse(self, raw: str) -> Any:
        """The value of the environment text `raw`, as `sdmxnode settings` shows it (paths
        stay text); ConfigError when it is not of the setting's type."""
        if self.type is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if self.type is int:
            try:
                return int(raw)
            except ValueError as exc:
                raise ConfigError(f"{self.env} must be an integer, not {raw!r}") from exc
        if self.type is float:
            try:
                return float(raw)
            except ValueError as exc:
                raise ConfigError(f"{self.env} must be a number, not {raw!r}") from exc
        return raw

    def typed(self, value: Any) -> Any:
        """The `Settings` field value of `value` (a text to parse, or a value of the type)."""
        if isinstance(value, str):
            value = self.parse(value)
        if self.type is Path:
            text = str(value)
            if self.several:
                return tuple(Path(part) for part in text.split(os.pathsep) if part)
            return Path(text)
        if self.type is str:
            return str(value)
        if self.type is bool:
            return bool(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "an integer" if self.type is int else "a number"
            raise ConfigError(f"{self.env} must be {kind}, not {value!r}")
        if self.type is int and not float(value).is_integer():
            raise ConfigError(f"{self.env} must be an integer, not {value!r}")
        return self.type(value)


PROJECT_ROOT = Path(__file__).resolve().parent.parent

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "sqlite:///sdmxnode.db",
        "SQLAlchemy URL of the store: a SQLite file (default, in the working folder) or "
        "postgresql+psycopg://user:password@host/dbname",
    ),
    Setting(
        "WRITE_WAIT",
        10.0,
        "Seconds a write waits for the store (SQLite's write lock, PostgreSQL's row locks) "
        "before it is refused with 503 and Retry-After; nothing of it is written",
        float,
    ),
    Setting(
        "SQLITE_DURABLE",
        True,
        "SQLite commits survive a power loss (synchronous=FULL); false relaxes that to "
        "synchronous=NORMAL (a commit may be lost on power loss, never half applied)",
        bool,
    ),
    Setting(
        "AUDIT_SPOOL",
        "",
        "File where audit entries that could not be written to the database wait (JSON "
        "lines) until the next audit write or start; empty: next to the SQLite database "
        "file (<database>.audit-spool.jsonl), or sdmxnode-audit-spool.jsonl in the working "
        "folder for PostgreSQL",
    ),
    Setting(
        "AUDIT_RETENTION_DAYS",
        400,
        "Days the audit log keeps its entries and counted refusals (older ones are deleted "
        "when the node starts; 0: keep everything)",
        int,
    ),
    Setting(
        "STRUCTURE_DIRS",
        f"{PROJECT_ROOT / 'codelists'}{os.pathsep}{PROJECT_ROOT / 'dsd'}",
        "Folders of SDMX-ML structure messages loaded by `sdmxnode init` "
        "(separated by the path separator)",
        Path,
        several=True,
    ),
    Setting(
        "DEMO_DATA",
        f"{PROJECT_ROOT / 'fixtures' / 'data'}{os.pathsep}{PROJECT_ROOT / 'fixtures' / 'ims2017'}",
        "Folders of demo data messages (.xml, .xml.gz) loaded by `sdmxnode init` into a node "
        "that holds no data yet (separated by the path separator)",
        Path,
        several=True,
    ),
    Setting(
        "DEMO_METADATA",
        str(PROJECT_ROOT / "fixtures" / "metadata" / "demo"),
        "Folder of demo reference-metadata messages loaded by `sdmxnode init` into a node that "
        "holds no metadata sets yet",
        Path,
    ),
    Setting("SENDER_ID", "IMDX", "Sender id written in the header of every message"),
    Setting("NODE_NAME", "sdmxnode", "Name of this node, shown on its pages and in /health"),
    Setting(
        "MAX_REQUEST_BYTES",
        50 * 1024 * 1024,
        "Largest request body accepted, after decompression (bytes)",
        int,
    ),
    Setting(
        "MAX_URL_LENGTH",
        8000,
        "Longest request URL (path and query) accepted; a longer one is refused with 414 "
        "(SDMX 140). Up to 8126 gunicorn's request line limit is set just above it; over "
        "that gunicorn reads request lines of any length (0: no limit)",
        int,
    ),
    Setting(
        "REQUEST_TIMEOUT",
        300,
        "Seconds one request may take: a body not received by then is refused with 408, "
        "work (a load, a validation, a query) still running is stopped with 503 (SDMX 503), "
        "a streamed answer is cut (0: no limit)",
        int,
    ),
    Setting(
        "THREADS",
        8,
        "Threads per worker process of `sdmxnode serve`: requests one process serves at "
        "once; must be more than SDMXNODE_MAX_UPLOADS, so that reads keep threads of their own",
        int,
    ),
    Setting(
        "MAX_UPLOADS",
        4,
        "Requests with a body (loads, validation, structure submissions) one worker process "
        "reads at once; one more is refused at once with 503 (SDMX 503) and Retry-After, "
        "its body unread",
        int,
    ),
    Setting(
        "UPLOAD_MIN_RATE",
        1024,
        "Slowest average rate (bytes per second) at which a request body may arrive, after a "
        "head start of SDMXNODE_UPLOAD_IDLE_TIMEOUT seconds; a slower body is cut with 408 "
        "(0: no minimum)",
        int,
    ),
    Setting(
        "UPLOAD_IDLE_TIMEOUT",
        15.0,
        "Longest pause (seconds) while a request body arrives; a longer stall is cut with 408 "
        "(0: only SDMXNODE_REQUEST_TIMEOUT bounds it, and the minimum rate's head start is "
        "15 seconds)",
        float,
    ),
    Setting(
        "SEND_TIMEOUT",
        60.0,
        "Longest wait (seconds) for a client to take more of an answer (the connection's "
        "buffers full); a slower reader is disconnected, freeing its thread (0: no limit)",
        float,
    ),
    Setting(
        "HEADER_TIMEOUT",
        10.0,
        "Seconds a client may take to send a request's line and headers from its first byte; "
        "a slower one is disconnected (0: no limit). Headers arriving slowly wait without "
        "holding a thread",
        float,
    ),
    Setting(
        "MAX_RESPONSE_OBSERVATIONS",
        5_000_000,
        "Most observations one data answer may hold; a larger one is refused with 413 "
        "(SDMX 510) saying how to narrow the query (0: no limit)",
        int,
    ),
    Setting(
        "VALIDATE_CACHE",
        "",
        "Folder where `sdmxnode validate` keeps the structures it prepared from structure "
        "files, keyed by those files' paths, sizes and modification times; empty: "
        "$XDG_CACHE_HOME/sdmxnode or ~/.cache/sdmxnode; `off`: no cache",
    ),
    Setting(
        "BULK_DIR",
        "",
        "Folder where each dataflow's full Parquet and Arrow downloads are kept, one file per "
        "version of its data (written by the first such download, served from the file after, "
        "replaced after a load or a structure change); empty: next to the SQLite database "
        "file (<database>.bulk/), or sdmxnode-bulk/ in the working folder for PostgreSQL; "
        "`off`: no files, every download is built",
    ),
    Setting(
        "STRUCTURE_CACHE_SIZE",
        512,
        "Number of parsed artefacts kept in memory per process",
        int,
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level (DEBUG, INFO, WARNING, ERROR)"),
    Setting(
        "AGGREGATE_TOLERANCE",
        0.001,
        "Relative tolerance of the aggregate check: |aggregate - sum of members| may be up "
        "to this share of the aggregate (0.001: 0.1 %)",
        float,
    ),
    Setting(
        "AGGREGATE_CHECKS",
        "",
        "Dataflows whose messages get the aggregate rule (warnings) in loads and validation, "
        "as AGENCY:ID separated by commas ('*' for every dataflow; empty: none)",
    ),
    Setting(
        "HARVEST_SOURCES",
        "",
        "Sources `sdmxnode harvest --all` harvests: `name=url;name=url` (every structure "
        "of each), or a JSON file (or JSON text) mapping names to "
        '{"url", "structures": [{"resource", "agency", "id", "version"}], "data": '
        '["AGENCY,ID[,VERSION]"]}',
    ),
    Setting(
        "HARVEST_RETRIES",
        3,
        "Retries of a harvest request that failed for a transient reason (network, 5xx, "
        "429), with exponential backoff from one second",
        int,
    ),
    Setting("HARVEST_TIMEOUT", 120, "Seconds a harvest request may take", int),
    Setting(
        "NOTIFY_INTERVAL",
        5.0,
        "Seconds between two passes of the notification deliverer that `serve` runs "
        "(0: no deliverer; `sdmxnode notifications deliver` makes one pass)",
        float,
    ),
    Setting(
        "NOTIFY_ATTEMPTS",
        8,
        "Attempts to deliver one notification before it is marked failed",
        int,
    ),
    Setting(
        "NOTIFY_BACKOFF",
        30.0,
        "Seconds before the first retry of a notification; each retry waits twice as long "
        "as the one before (at most an hour)",
        float,
    ),
    Setting("NOTIFY_TIMEOUT", 10.0, "Seconds a callback may take to answer", float),
    Setting(
        "HARVEST_MAX_BYTES",
        1024 * 1024 * 1024,
        "Largest answer a harvest accepts from a source, after decompression (bytes); a "
        "larger one fails the request rather than exhausting memory",
        int,
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


#: The password of a URL's user information (scheme://user:password@host), read as
#: SQLAlchemy reads database URLs: the user ends at ':' or '/', the password at '@'.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^@\s]*@")


def mask_passwords(text: str) -> str:
    """`text` with the password of every URL in it shown as *** (as `sdmxnode settings`
    shows DATABASE_URL: postgresql+psycopg://user:***@host/db)."""
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)


def read_setting_values(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Each setting's value as `sdmxnode settings` shows it: defaults, then SDMXNODE_*
    variables (parsed), then `overrides` (names with or without SDMXNODE_, as given)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env)
        values[setting.name] = setting.default if raw is None else setting.parse(raw)
    for key, value in (overrides or {}).items():
        name = key.removeprefix("SDMXNODE_")
        if name in SETTINGS_BY_NAME:
            values[name] = value
    return values


@dataclass(frozen=True)
class Settings:
    """The effective settings of a node, typed; one field per entry of SETTINGS."""

    database_url: str
    write_wait: float
    sqlite_durable: bool
    audit_spool: str
    audit_retention_days: int
    structure_dirs: tuple[Path, ...]
    demo_data: tuple[Path, ...]
    demo_metadata: Path
    sender_id: str
    node_name: str
    max_request_bytes: int
    max_url_length: int
    request_timeout: int
    threads: int
    max_uploads: int
    upload_min_rate: int
    upload_idle_timeout: float
    send_timeout: float
    header_timeout: float
    max_response_observations: int
    validate_cache: str
    bulk_dir: str
    structure_cache_size: int
    log_level: str
    aggregate_tolerance: float
    aggregate_checks: str
    harvest_sources: str
    harvest_retries: int
    harvest_timeout: int
    notify_interval: float
    notify_attempts: int
    notify_backoff: float
    notify_timeout: float
    harvest_max_bytes: int

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from a value per setting name (texts are parsed); ConfigError when one
        is not of its setting's type."""
        return cls(**{s.field: s.typed(values[s.name]) for s in SETTINGS})


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """The effective settings: defaults, then SDMXNODE_* variables, then `overrides`."""
    return Settings.from_values(read_setting_values(overrides, environ))
