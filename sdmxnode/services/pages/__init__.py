"""What the HTML pages for people show: catalogue, dataflow, explorer, comparability, mirror."""


def N_(message: str) -> str:  # noqa: N802  (gettext's name for "extract, translate later")
    """Marks `message` for the interface catalogue; the page translates it when shown (the
    services build interface text without knowing the page's language)."""
    return message
