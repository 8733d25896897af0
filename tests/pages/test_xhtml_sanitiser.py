"""The allow-list sanitiser keeps presentational XHTML and drops everything else."""

from __future__ import annotations

import lxml.html

from sdmxnode.services.pages.xhtml import sanitise_xhtml

XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'


def _tags(markup: str) -> list[str]:
    return [e.tag for e in lxml.html.fragment_fromstring(markup, create_parent="x").iter()][1:]


def test_presentational_markup_survives() -> None:
    source = (
        f"<div {XHTML}><h2>Method</h2><p>Counts <em>foreign-born</em> and <strong>refugees</strong>"
        "<br/>since 1990.</p><ul><li>one</li></ul><ol><li>two</li></ol>"
        '<table><thead><tr><th scope="col">a</th></tr></thead><tbody><tr><td colspan="2">1</td>'
        "</tr></tbody></table><span>x</span></div>"
    )
    clean = sanitise_xhtml(source)
    assert _tags(clean) == [
        "div", "h2", "p", "em", "strong", "br", "ul", "li", "ol", "li",
        "table", "thead", "tr", "th", "tbody", "tr", "td", "span",
    ]  # fmt: skip
    assert 'scope="col"' in clean and 'colspan="2"' in clean
    assert "xmlns" not in clean


def test_scripts_styles_and_handlers_are_dropped() -> None:
    clean = sanitise_xhtml(
        f"<div {XHTML}><script>alert(1)</script><style>p{{}}</style>"
        '<p onclick="alert(2)" style="color:red" class="x">kept</p>'
        '<img src="x" onerror="alert(3)"/><font color="red">font text</font>'
        '<iframe src="https://evil.example">inside</iframe></div>'
    )
    assert "alert" not in clean and "script" not in clean and "style" not in clean
    assert "onclick" not in clean and "class" not in clean and "img" not in clean
    assert "inside" not in clean and "iframe" not in clean
    assert "kept" in clean and "font text" in clean and "<font" not in clean


def test_links_keep_only_safe_schemes() -> None:
    clean = sanitise_xhtml(
        '<div><a href="https://un.org/a" target="_blank">un</a>'
        '<a href="mailto:x@y.org">mail</a><a href="http://x.org">plain</a>'
        '<a href="javascript:alert(1)">js</a><a href="java\tscript:alert(1)">tab</a>'
        '<a href="data:text/html,x">data</a></div>'
    )
    page = lxml.html.fragment_fromstring(clean)
    hrefs = {a.text: a.get("href") for a in page.iter("a")}
    assert hrefs == {
        "un": "https://un.org/a",
        "mail": "mailto:x@y.org",
        "plain": "http://x.org",
        "js": None,
        "tab": None,
        "data": None,
    }
    assert "target" not in clean


def test_plain_text_and_broken_markup() -> None:
    assert sanitise_xhtml("just text") == "just text"
    assert sanitise_xhtml("") == ""
    assert "<p>" in sanitise_xhtml("<p>unclosed")
