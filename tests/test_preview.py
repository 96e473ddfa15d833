"""Preview: which saves trigger a rebuild, and one rebuild per burst of saves."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from watchdog.events import FileModifiedEvent, FileMovedEvent

from ltbrief import preview
from ltbrief.paths import PATHS


@pytest.mark.parametrize(
    ("path", "watched"),
    [
        (PATHS.report, True),
        (PATHS.codebook, True),
        (PATHS.raw / "survey_export.csv", True),
        (PATHS.raw / "qualtrics_export.tsv", True),
        (PATHS.sources, True),
        (PATHS.suite("summarise"), True),
        (PATHS.root / "src/ltbrief/resources/render/report.css", True),
        (PATHS.output / "report.html", False),
        (PATHS.variables, False),
        (PATHS.processed / "tables/figures.csv", False),
        (PATHS.root / ".report.qmd.swp", False),
        (PATHS.root / "report.qmd~", False),
        (PATHS.root / "src/ltbrief/__pycache__/x.pyc", False),
    ],
)
def test_only_sources_trigger_a_rebuild(path: Path, watched: bool) -> None:
    assert preview.is_source(path, PATHS) is watched


def test_a_burst_of_saves_rebuilds_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview, "QUIET_SECONDS", 0.05)
    done = threading.Event()
    calls: list[int] = []

    def rebuild() -> None:
        calls.append(1)
        done.set()

    handler = preview._Debounced(PATHS, rebuild)
    for _ in range(5):
        handler.on_any_event(FileModifiedEvent(str(PATHS.report)))
    handler.on_any_event(FileMovedEvent(str(PATHS.root / ".tmp123"), str(PATHS.report)))
    handler.on_any_event(FileModifiedEvent(str(PATHS.output / "report.html")))
    assert done.wait(2)
    threading.Event().wait(0.2)
    assert calls == [1]
