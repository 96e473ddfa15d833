"""Scanning the brief's Markdown for the structures the lint checks, with line numbers."""

from __future__ import annotations

from ltbrief.render.scan import (
    Cell,
    find_images,
    find_table_cells,
    parse_attributes,
    scan,
    unescape,
)

TEXT = """\
## Heading

```{python}
# not a heading
```

:::: respondent-quotes
::: {.respondent-quote response="PMS20-1"}
> "Quoted
lazily continued"
:::
::::

> bare

::: {.colophon}
never closed
"""


def test_attributes() -> None:
    parsed = parse_attributes('{#fig-a .wide .x fig-alt="A chart" width=50%}')
    assert parsed.identifier == "fig-a"
    assert parsed.classes == ("wide", "x")
    assert parsed.values == {"fig-alt": "A chart", "width": "50%"}
    assert parse_attributes("colophon").classes == ("colophon",)


def test_scan_finds_fences_headings_divs_and_quotes() -> None:
    structure = scan(TEXT)
    assert [(h.line, h.level, h.text) for h in structure.headings] == [(1, 2, "Heading")]
    assert [(f.line, f.info) for f in structure.fences] == [(3, "{python}")]
    assert [(d.line, d.end_line, d.attributes.classes) for d in structure.divs] == [
        (7, 12, ("respondent-quotes",)),
        (8, 11, ("respondent-quote",)),
        (16, None, ("colophon",)),
    ]
    assert [(q.line, q.divs) for q in structure.quote_lines] == [
        (9, (7, 8)),
        (10, (7, 8)),
        (14, ()),
    ]
    assert structure.stray_closings == ()


def test_a_closing_fence_with_nothing_open_is_stray() -> None:
    assert scan("text\n:::\n").stray_closings == (2,)


def test_images_with_their_attributes() -> None:
    images = find_images('x\n![A [nested] caption](fig.svg){#fig-a alt="Alt"} ![b](c.png)')
    assert [(i.line, i.src, i.caption, dict(i.attributes.values)) for i in images] == [
        (2, "fig.svg", "A [nested] caption", {"alt": "Alt"}),
        (2, "c.png", "b", {}),
    ]


def test_table_cells_with_their_lines() -> None:
    table = "Text\n\n| A | B \\| C |\n|:---|---:|\n| 1. x |  |\n\n: Caption {#tbl-x}\n"
    assert find_table_cells(table) == [
        Cell(3, "A"),
        Cell(3, r"B \| C"),
        Cell(5, "1. x"),
    ]


def test_unescape_removes_backslashes_before_punctuation_only() -> None:
    assert unescape(r"jo\@x\.org \\ \n \{\{\<") == r"jo@x.org \ \n {{<"
