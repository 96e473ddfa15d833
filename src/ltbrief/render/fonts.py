"""Atkinson Hyperlegible (OFL), from PyPI's ``fontpkg-atkinson-hyperlegible``.

Both outputs use these files, never the machine's own fonts, so they look and measure
the same everywhere.
"""

from __future__ import annotations

import base64
from pathlib import Path

import fontpkg_atkinson_hyperlegible as atkinson

FAMILY = atkinson.FAMILY
# The HTML embeds only the faces the stylesheet uses, to keep the page small.
WEB_FACES = (("Regular", 400), ("Bold", 700))


def font_folder() -> Path:
    """The folder holding the four Atkinson Hyperlegible TrueType files."""
    return atkinson.ROOT / "files"


def font_face_css() -> str:
    """``@font-face`` rules with the web faces inlined as data URIs."""
    rules = []
    for style, weight in WEB_FACES:
        data = (font_folder() / f"AtkinsonHyperlegible-{style}.ttf").read_bytes()
        encoded = base64.b64encode(data).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; '
            f"font-weight: {weight}; font-display: swap; "
            f'src: url("data:font/ttf;base64,{encoded}") format("truetype"); }}'
        )
    return "\n".join(rules) + "\n"
