"""Choosing formats and engines, and never replacing good outputs with a failed render."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.errors import BuildError
from ltbrief.render import LintFailed, output_file, render
from ltbrief.render.__main__ import main
from tests.fixtures.render.fixture import make_project


def test_a_brief_with_problems_renders_nothing_and_keeps_old_outputs(tmp_path: Path) -> None:
    paths = make_project(tmp_path)
    previous = output_file(paths, "html")
    previous.parent.mkdir(parents=True)
    previous.write_text("last good page", encoding="utf-8")
    report = paths.report.read_text(encoding="utf-8")
    paths.report.write_text(report.replace("{{< var responses >}}", "{{< var responce >}}"))
    with pytest.raises(LintFailed) as caught:
        render(paths)
    assert [problem.message for problem in caught.value.problems] == ["unknown variable 'responce'"]
    assert previous.read_text(encoding="utf-8") == "last good page"
    assert sorted(p.name for p in paths.output.iterdir()) == ["report.html"]


@pytest.mark.parametrize(
    ("formats", "engine", "problem"),
    [(("pdfx",), "embedded", "unknown output format pdfx"), ((), "embedded", "(none given)"),
     (("html",), "pandoc", "unknown engine 'pandoc'")],
)  # fmt: skip
def test_unknown_choices_are_refused(
    tmp_path: Path, formats: tuple[str, ...], engine: str, problem: str
) -> None:
    with pytest.raises(BuildError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        render(make_project(tmp_path), formats=formats, engine=engine)


def test_quarto_engine_without_quarto_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = make_project(tmp_path / "project")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["--engine", "quarto", "--project", str(paths.root)]) == 1
    error = capsys.readouterr().err
    assert "no 'quarto' is on PATH" in error
    assert "--engine embedded" in error
