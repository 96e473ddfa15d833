"""The coding export, whatever tool wrote it, read into passages placed on the codebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ltbrief.codebook import Codebook
from ltbrief.coding.codes import place_codes
from ltbrief.coding.passages import CodingRead
from ltbrief.coding.qdc import read_qdc
from ltbrief.coding.qdpx import read_qdpx
from ltbrief.coding.qualcoder import read_qualcoder
from ltbrief.coding.taguette import read_taguette
from ltbrief.coding.tidy import read_coding_csv
from ltbrief.config import Loaded
from ltbrief.paths import ProjectPaths
from ltbrief.sources.mapping import Coding, SourcesFile

# Formats whose passages are parts of answers: several of one answer with one code are
# one reference. A CSV row is a reference already, and a repeat is an error in it.
PASSAGE_FORMATS = frozenset({"qdpx", "qualcoder", "taguette"})


def read_coding(
    paths: ProjectPaths, sources: Loaded[SourcesFile], codebook: Codebook
) -> CodingRead:
    """Read the coding export(s) ``data/sources.yml`` names; each passage gets its sub-theme.

    With one file per coder (``coding.files``), each file's passages take its coder.
    """
    coding = sources.model.coding
    entries = (
        [(coding.file, None)] if coding.file else [(e.file, e.coder) for e in coding.files or []]
    )
    reads = [_read_one(paths.raw_file(name), coder, coding) for name, coder in entries]
    passages = pd.concat([read.passages for read in reads], ignore_index=True)
    tree = read_qdc(paths.raw_file(coding.codebook)) if coding.codebook else reads[0].tree
    notes = [note for read in reads for note in read.notes]
    if coding.codebook:
        notes.append(f"{coding.codebook}: the tool's code tree, {len(tree or ()):,} codes")
    placed = place_codes(passages, codebook, tree, reads[0].source)
    return CodingRead(placed, tree, tuple(notes), reads[0].source)


def _read_one(path: Path, coder: str | None, coding: Coding) -> CodingRead:
    """One export file in the declared format; ``coder``, where given, coded all of it."""
    if coding.format == "qdpx":
        read = read_qdpx(path, coding)
    elif coding.format == "qualcoder":
        read = read_qualcoder(path, coding.link)  # type: ignore[arg-type]
    elif coding.format == "taguette":
        read = read_taguette(path, coder or coding.counted_coder or "", coding.link)  # type: ignore[arg-type]
    else:
        read = read_coding_csv(path, coder or coding.counted_coder)
    if coder is None:
        return read
    return CodingRead(read.passages.assign(coder=coder), read.tree, read.notes, read.source)


def references_of(read: CodingRead, format_: str) -> tuple[pd.DataFrame, list[str]]:
    """One reference per (response, question, code, coder), and what was merged to get it."""
    passages = read.passages
    if format_ not in PASSAGE_FORMATS:
        return passages, []
    key = ["response_id", "question", "code", "coder"]
    merged = passages.drop_duplicates(key, keep="first").reset_index(drop=True)
    notes = []
    if len(merged) < len(passages):
        notes.append(
            f"{read.source.name}: {len(passages) - len(merged):,} passage(s) with the code of "
            "another passage of the same answer and coder counted once with it"
        )
    return merged, notes


def counted(references: pd.DataFrame, sources: Loaded[SourcesFile]) -> pd.DataFrame:
    """The references of the coder whose coding the brief counts."""
    coders = sorted(references["coder"].unique())
    chosen = sources.model.coding.counted_coder
    if chosen is None:
        if len(coders) > 1:
            raise sources.error(
                f"the coding holds {len(coders)} coders ({', '.join(coders)}) and data/sources.yml "
                "does not say whose coding the brief counts",
                "coding",
                expected="coding.counted_coder: one of " + ", ".join(repr(c) for c in coders),
                action="add counted_coder under coding in data/sources.yml",
            )
        return references
    if chosen not in coders:
        raise sources.error(
            f"the counted coder {chosen!r} coded nothing in the export",
            "coding", "counted_coder",
            expected="one of the export's coders: " + ", ".join(repr(c) for c in coders),
            action="correct coding.counted_coder in data/sources.yml",
        )  # fmt: skip
    return references.loc[references["coder"] == chosen].reset_index(drop=True)
