"""Errors written for people: where the problem is, what was expected, what to do."""

from __future__ import annotations

from pathlib import Path


class BuildError(Exception):
    """A problem with an input that a person must fix; the build stops with this message.

    The message names the file, the row or line, the column, what was expected and
    what to do next, so that no traceback is needed to act on it.
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
    ) -> None:
        self.problem = problem
        self.file = Path(file) if file is not None else None
        self.row = row
        self.line = line
        self.column = column
        self.expected = expected
        self.action = action
        super().__init__(self.message)

    @property
    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(_display_path(self.file))
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
