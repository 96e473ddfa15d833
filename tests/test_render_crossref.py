"""Finding cross-reference labels and references in the source."""

from __future__ import annotations

from ltbrief.render.crossref import find_labels, find_references


def test_labels_come_from_table_captions_and_image_attributes() -> None:
    text = ': Summary {#tbl-challenges}\n\n![Chart](c.svg){#fig-chart fig-alt="A chart"}\n{#sec-x}'
    assert [(m.id, m.line) for m in find_labels(text)] == [("tbl-challenges", 1), ("fig-chart", 3)]


def test_references_use_citation_syntax_and_skip_emails_and_escapes() -> None:
    text = "See @tbl-a, (@fig-b). Mail a@b.org or \\@tbl-c, <https://x.org/@me>.\n[@tbl-d; @tbl-e]"
    assert [(m.id, m.line) for m in find_references(text)] == [
        ("tbl-a", 1), ("fig-b", 1), ("tbl-d", 2), ("tbl-e", 2)
    ]  # fmt: skip
