"""Errors written for people: where the problem is, what was expected, what to do."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from pathlib import Path


class BuildError(Exception):
    """A problem with an input that a person must fix; the build stops with this message.

    The message names the file (and the sheet and cell of a workbook, or the place in a
    project file such as a document and its characters), the row or line,
    the column, what was expected and what to do next, so that no traceback is needed to
    act on it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: Path | str | None = None,
        row: int | str | None = None,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        action: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        place: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = Path(file) if file is not None else None
        self.row = row
        self.line = line
        self.column = column
        self.expected = expected
        self.action = action
        self.sheet = sheet
        self.cell = cell
        self.place = place
        super().__init__(self.message)

    @property
    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(_display_path(self.file))
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.place:
            parts.append(self.place)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    @property
    def message(self) -> str:
        lines = [f"{self.location}: {self.problem}" if self.location else self.problem]
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.action:
            lines.append(f"  what to do: {self.action}")
        return "\n".join(lines)


def _display_path(path: Path) -> str:
    """Show a path relative to the working folder when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def nearest(name: str, candidates: Iterable[str]) -> list[str]:
    """The candidates closest to ``name``, best first: what a misspelling likely meant."""
    candidates = list(candidates)
    folded = {candidate.casefold(): candidate for candidate in candidates}
    if name.casefold() in folded:
        return [folded[name.casefold()]]
    return get_close_matches(name, candidates, n=3, cutoff=0.6)


def did_you_mean(name: str, candidates: Iterable[str], otherwise: str = "") -> str:
    """A suggestion naming the closest candidates, or ``otherwise`` when none is close."""
    close = [f"'{candidate}'" for candidate in nearest(name, candidates)]
    if not close:
        return otherwise
    listed = close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1]
    return f"did you mean {listed}?"
