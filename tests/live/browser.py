"""Debian's Chromium driven by Playwright, for the browser tests: the launch settings of this
closed network, a skip when either is absent, and the problems a page must not have."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
#: Without the background-networking flags Chromium's own connections are refused by this
#: machine's closed network, many at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "screenshots"


def require_browser() -> ModuleType:
    """playwright.sync_api; skips the calling module when Chromium or Playwright is absent."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is absent (pip install playwright)"
    )


def launch(playwright: object) -> object:
    """A headless Chromium from Debian's package."""
    return playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


def watch_problems(page: object) -> list[str]:
    """The list that collects the page's console errors, uncaught exceptions and HTTP
    answers >= 400, for the caller to assert empty."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: problems.append(str(e)))  # type: ignore[attr-defined]
    page.on(  # type: ignore[attr-defined]
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return problems
