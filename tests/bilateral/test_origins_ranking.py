"""The origins page's ranking (`Side`): the largest partners are those with a figure in
the latest period, so that its caption never reads "the 15 largest of 13"."""

from __future__ import annotations

from sdmxnode.services.pages.bilateral import CHART_LINES, TOP, Partner, Side


def side(latest_figures: list[float | None]) -> Side:
    partners = [
        Partner(f"C{n:02d}", f"Country {n}", {} if v is None else {"2017": v, "1990": 1.0})
        for n, v in enumerate(latest_figures)
    ]
    partners.sort(key=lambda p: -(p.at("2017") or 0.0))
    count = sum(1 for p in partners if (p.at("2017") or 0) > 0)
    return Side("title", partners, None, [], count)


def test_the_largest_are_the_partners_with_a_latest_figure() -> None:
    few = side([5.0, 0.0, 3.0, None, 2.0, 0.0, 9.0] + [None] * 20)
    assert few.count == 4
    assert [p.at("2017") for p in few.top] == [9.0, 5.0, 3.0, 2.0]
    series = few.chart_data(["1990", "2017"])["series"]
    assert len(series) == 4  # type: ignore[arg-type]


def test_many_partners_show_the_top_ones() -> None:
    many = side([float(n) for n in range(1, 40)])
    assert len(many.top) == TOP and many.top[0].at("2017") == 39.0
    assert len(many.chart_data(["2017"])["series"]) == CHART_LINES  # type: ignore[arg-type]
