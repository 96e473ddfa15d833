"""Cross-reference labels (``{#tbl-...}``, ``{#fig-...}``) and references (``@tbl-...``).

Numbering happens at render time in ``resources/render/crossref.lua``, which labels
tables "Table 1.1", "Table 1.2", ... in document order; here the lint finds the labels
and references in the source so it can report a reference to nothing, with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ltbrief.render.scan import line_of

LABEL_KINDS = ("tbl", "fig")
_LABEL = re.compile(r"\{[^{}\n]*?#(?P<id>(?:tbl|fig)-[\w-]+)[^{}\n]*\}")
# Pandoc's citation syntax: @ at the start of a word (after a space, "[", "(", ";" or "-"),
# so e-mail addresses, escaped \@ and URLs with @ in them are not references.
_REFERENCE = re.compile(r"(?<![^\s\[(;-])@(?P<id>\w[\w-]*(?:[:.#$%&+?<>~/][\w-]+)*)")


@dataclass(frozen=True)
class Mention:
    """A label or a reference: its id and the line it is on."""

    id: str
    line: int


def find_labels(text: str) -> list[Mention]:
    """Every ``#tbl-`` or ``#fig-`` identifier inside ``{...}`` attributes."""
    return [Mention(match["id"], line_of(text, match.start())) for match in _LABEL.finditer(text)]


def find_references(text: str) -> list[Mention]:
    """Every ``@id`` written in Pandoc's citation syntax."""
    return [
        Mention(match["id"], line_of(text, match.start())) for match in _REFERENCE.finditer(text)
    ]
