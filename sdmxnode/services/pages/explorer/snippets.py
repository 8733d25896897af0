"""Code that fetches a data selection from a program: the same REST URL in the clients
statisticians use (sdmx1, pysdmx, pandas on SDMX-CSV, R's rsdmx, curl)."""

from __future__ import annotations

from dataclasses import dataclass

#: The SDMX-CSV 1.0 media type (SDMX-REST 1.5 `4_5_data_formats`), as curl asks for it.
CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv;version=1.0.0"


@dataclass(frozen=True)
class Snippet:
    """A few lines in one language: an id for the page, a title, the language, the code."""

    id: str
    title: str
    language: str
    code: str


def list_snippets(rest_url: str, csv_url: str) -> list[Snippet]:
    """The snippets reading the selection at `rest_url` (the node's default SDMX-ML answer)
    and `csv_url` (the same selection as SDMX-CSV 1.0)."""
    return [
        Snippet(
            "sdmx1",
            "Python, sdmx1 (pip install sdmx1)",
            "python",
            f'import sdmx\n\nmessage = sdmx.read_url("{rest_url}")\n'
            "data = sdmx.to_pandas(message)\nprint(data)\n",
        ),
        Snippet(
            "pysdmx",
            'Python, pysdmx (pip install "pysdmx[xml,data]")',
            "python",
            "from pysdmx.io import get_datasets\n\n"
            f'datasets = get_datasets("{rest_url}")\nprint(datasets[0].data)\n',
        ),
        Snippet(
            "pandas",
            "Python, pandas reading SDMX-CSV",
            "python",
            f'import pandas as pd\n\ndata = pd.read_csv("{csv_url}")\nprint(data)\n',
        ),
        Snippet(
            "rsdmx",
            'R, rsdmx (install.packages("rsdmx"))',
            "r",
            f'library(rsdmx)\n\nmessage <- readSDMX("{rest_url}")\n'
            "data <- as.data.frame(message)\nhead(data)\n",
        ),
        Snippet(
            "curl",
            "Shell, curl (SDMX-CSV into a file)",
            "shell",
            f'curl -H "Accept: {CSV_MEDIA_TYPE}" -o data.csv "{rest_url}"\n',
        ),
    ]
