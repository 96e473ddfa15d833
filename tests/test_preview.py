"""Preview: which saves trigger a rebuild, what is served, and the page reloading by itself."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect
from watchdog.events import (
    FileClosedNoWriteEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from ltbrief import preview
from ltbrief.audit import BUILD_INPUTS
from ltbrief.build import run_build
from ltbrief.paths import PATHS, ProjectPaths
from tests.conftest import CHROMIUM
from tests.test_accessibility import axe_violations

BRIEF = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
{csp}<title>Brief</title>
</head>
<body>
<main><h1>Brief</h1><p>Words.</p></main>
</body>
</html>
"""
TIMEOUT_MS = 30_000


@pytest.mark.parametrize(
    ("path", "watched"),
    [
        (PATHS.report, True),
        (PATHS.codebook, True),
        (PATHS.raw / "survey_export.csv", True),
        (PATHS.raw / "qualtrics_export.tsv", True),
        (PATHS.sources, True),
        (PATHS.quote_reviews, True),
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
    if watched:
        assert any(
            path.parent == folder
            or (folder in path.parents and not preview.watched_alone(folder, PATHS))
            for folder in preview.watched_folders(PATHS)
        )


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


def test_reading_a_source_does_not_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview, "QUIET_SECONDS", 0.01)
    calls: list[int] = []
    handler = preview._Debounced(PATHS, lambda: calls.append(1))
    handler.on_any_event(FileOpenedEvent(str(PATHS.codebook)))
    handler.on_any_event(FileClosedNoWriteEvent(str(PATHS.codebook)))
    threading.Event().wait(0.1)
    assert calls == []


def test_saves_during_a_rebuild_queue_exactly_one_more() -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    running: list[int] = []
    calls: list[int] = []

    def rebuild() -> None:
        running.append(1)
        calls.append(len(running))  # how many rebuilds run at once, this one included
        started.set()
        release.wait(5)
        running.pop()
        if len(calls) == 2:
            finished.set()

    rebuilder = preview._Rebuilder(rebuild)
    rebuilder.request()
    assert started.wait(5)
    for _ in range(3):
        rebuilder.request()
    release.set()
    assert finished.wait(5)
    rebuilder.stop()
    assert calls == [1, 1]
    assert not rebuilder.thread.is_alive()


def reload_tag(page: str) -> str:
    (tag,) = re.findall(r"<script data-build=[^>]*>.*?</script>\n", page)
    return tag


def test_the_reload_script_goes_into_the_served_copy_only(tmp_path: Path) -> None:
    paths = ProjectPaths.at(tmp_path)
    paths.output.mkdir()
    on_disk = BRIEF.format(csp="").encode()
    (paths.output / "report.html").write_bytes(on_disk)
    state = preview.BuildState()
    state.record(None)

    served = preview.served_brief(paths, state)

    assert preview.RELOAD_SCRIPT in served
    assert f'data-build="{state.build}"' in served
    assert served.index(reload_tag(served)) < served.index("</body>")
    assert served.replace(reload_tag(served), "") == on_disk.decode()
    assert (paths.output / "report.html").read_bytes() == on_disk


def policy_of(page: str) -> dict[str, list[str]]:
    (content,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    directives = [directive.split() for directive in html.unescape(content).split(";")]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize(
    ("policy", "script_src", "connect_src"),
    [
        ("default-src 'none'; style-src 'unsafe-inline'", ["HASH"], ["'self'"]),
        ("default-src 'self'; img-src data:", ["'self'", "HASH"], ["'self'"]),
        ("script-src 'none'; connect-src 'none'", ["HASH"], ["'self'"]),
        ("script-src 'unsafe-inline'", ["'unsafe-inline'"], None),
        (
            "script-src 'unsafe-inline' 'nonce-abc'",
            ["'unsafe-inline'", "'nonce-abc'", "HASH"],
            None,
        ),
        ("img-src data:", None, None),
    ],
)
def test_a_content_security_policy_lets_the_reload_script_run(
    policy: str, script_src: list[str] | None, connect_src: list[str] | None
) -> None:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    served = preview.with_live_reload(BRIEF.format(csp=meta), "b-1")

    script = re.search(r"<script[^>]*>(.*?)</script>", served, re.S)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    amended = policy_of(served)
    expected = [f"'sha256-{digest}'" if s == "HASH" else s for s in script_src or []]
    assert amended.get("script-src") == (expected or None)
    assert amended.get("connect-src") == connect_src
    assert amended.get("img-src", ["data:"]) == ["data:"]


def test_the_error_page_shows_the_message_as_text() -> None:
    message = "report.qmd:3: unknown variable '<script>alert(1)</script>' & more"
    page = BeautifulSoup(preview.error_page(message, last_good=True), "html.parser")

    assert page.html is not None and page.html["lang"] == "en-GB"
    assert page.main is not None and page.main.h1 is not None and page.main.pre is not None
    assert page.main.pre.get_text() == message
    assert page.find("script") is None
    link = page.find("a")
    assert link is not None and link["href"] == "/last-good"


def test_the_error_page_without_a_good_brief_links_to_none() -> None:
    page = BeautifulSoup(preview.error_page("broken", last_good=False), "html.parser")
    assert page.find("a") is None
    assert "No brief has been built yet." in page.get_text()


@pytest.mark.parametrize("host", ["0.0.0.0", "", "localhost", "::"])
def test_the_server_binds_loopback_only(host: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        preview.LoopbackServer((host, 0), ProjectPaths.at(tmp_path), preview.BuildState())


def test_a_taken_port_moves_on_to_the_next_free_one(tmp_path: Path) -> None:
    paths, state = ProjectPaths.at(tmp_path), preview.BuildState()
    taken = preview.bind(0, paths, state)
    try:
        port = taken.server_address[1]
        moved = preview.bind(port, paths, state)
        assert moved.server_address == (preview.LOOPBACK, moved.server_address[1])
        assert moved.server_address[1] > port
        moved.server_close()
    finally:
        taken.server_close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, ProjectPaths, preview.BuildState]]:
    """A preview server on a fake build's outputs, with no watcher and no build."""
    paths = ProjectPaths.at(tmp_path)
    paths.output.mkdir()
    (paths.output / "report.html").write_text(BRIEF.format(csp=""), encoding="utf-8")
    (paths.output / "validation.html").write_text("<p>valid</p>", encoding="utf-8")
    state = preview.BuildState()
    state.record(None)
    server = preview.bind(0, paths, state)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", paths, state
    state.stop()
    server.shutdown()
    server.server_close()
    thread.join(5)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def test_the_server_serves_the_brief_its_last_good_copy_and_outputs(
    served: tuple[str, ProjectPaths, preview.BuildState],
) -> None:
    url, paths, state = served
    on_disk = (paths.output / "report.html").read_bytes()
    assert preview.RELOAD_SCRIPT.encode() in get(url + "/")
    assert get(url + "/last-good") == on_disk
    assert get(url + "/validation.html") == b"<p>valid</p>"

    state.record("report.qmd:3: unknown variable <x>")
    page = get(url + "/").decode()
    assert "report.qmd:3: unknown variable &lt;x&gt;" in page
    assert preview.RELOAD_SCRIPT in page
    assert get(url + "/last-good") == on_disk


@pytest.mark.parametrize(
    "path", ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/{root}/pyproject.toml", "/none.html"]
)
def test_the_server_serves_nothing_outside_the_outputs(
    served: tuple[str, ProjectPaths, preview.BuildState], path: str
) -> None:
    url, paths, _ = served
    (paths.root / "pyproject.toml").write_text("not an output", encoding="utf-8")
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(url + path.format(root=paths.root))
    assert refused.value.code == 404


def test_the_event_stream_announces_every_build(
    served: tuple[str, ProjectPaths, preview.BuildState],
) -> None:
    url, _, state = served
    with urllib.request.urlopen(url + "/events", timeout=5) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert stream.readline() == f"data: {state.build}\n".encode()
        assert stream.readline() == b"\n"
        state.record("broken")
        assert stream.readline() == f"data: {state.build}\n".encode()


def test_a_failed_first_build_serves_the_error_and_stops_cleanly(tmp_path: Path) -> None:
    running = preview.serve(ProjectPaths.at(tmp_path), port=0)
    try:
        page = BeautifulSoup(get(running.url), "html.parser")
        assert page.main is not None and page.main.pre is not None
        assert "the file is missing" in page.main.pre.get_text()
        assert page.find("a") is None
    finally:
        running.stop()
    threads = [running.serving, running.rebuilder.thread, running.observer]
    assert not any(thread.is_alive() for thread in threads)


def test_ctrl_c_stops_the_preview(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ltbrief.preview", "--project", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        address = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline())
        assert address is not None
        assert b"No brief has been built yet." in get(address.group(0))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()


# A real browser on a real build of a copy of the project.


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    paths = ProjectPaths.at(tmp_path_factory.mktemp("preview"))
    for name in BUILD_INPUTS:
        origin, copy = PATHS.root / name, paths.root / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(origin, copy) if origin.is_dir() else shutil.copy(origin, copy)
    run_build(paths, formats=("html",), out=io.StringIO())
    return paths


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_a_strict_content_security_policy_still_reloads(
    served: tuple[str, ProjectPaths, preview.BuildState], browser: Browser
) -> None:
    url, paths, state = served
    strict = """<meta http-equiv="Content-Security-Policy" content="default-src 'none'">\n"""
    (paths.output / "report.html").write_text(BRIEF.format(csp=strict), encoding="utf-8")
    page = browser.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(url)
    with page.expect_navigation(timeout=TIMEOUT_MS):
        state.record(None)
    assert refused == []
    page.close()


def typo_line(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if "responses_typo" in line)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_the_page_follows_every_save(project: ProjectPaths, browser: Browser) -> None:
    running = preview.serve(project, port=0)
    page: Page = browser.new_page()
    try:
        page.goto(running.url)
        expect(page.locator("main h1")).to_have_text("Challenges and support needs of partnerships")
        original = project.report.read_text(encoding="utf-8")

        # (1) A new sentence appears without the test reloading.
        sentence = "This sentence was added while the preview was open."
        edited = f"{original.rstrip()}\n\n{sentence}\n"
        project.report.write_text(edited, encoding="utf-8")
        expect(page.get_by_text(sentence)).to_be_visible(timeout=TIMEOUT_MS)
        served = page.request.get(running.url).text()
        on_disk = (project.output / "report.html").read_text(encoding="utf-8")
        assert served.replace(reload_tag(served), "") == on_disk

        # (2) A wrong variable shows its located error, with a link to the last good brief.
        broken = f"{edited}\nWe counted {{{{< var responses_typo >}}}} answers.\n"
        project.report.write_text(broken, encoding="utf-8")
        problem = page.locator("main pre")
        expect(problem).to_contain_text(
            f"report.qmd:{typo_line(broken)}: unknown variable 'responses_typo'",
            timeout=TIMEOUT_MS,
        )
        expect(page.locator("html")).to_have_attribute("lang", "en-GB")
        expect(page.locator("main h1")).to_have_text("The brief was not updated")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Read the last good brief").click()
        expect(page).to_have_url(running.url + "last-good")
        expect(page.get_by_text(sentence)).to_be_visible()
        assert page.request.get(page.url).body() == (project.output / "report.html").read_bytes()
        page.go_back()
        expect(problem).to_be_visible()

        # (3) Fixing the text brings the brief back by itself.
        project.report.write_text(edited, encoding="utf-8")
        expect(page.locator("main h1")).to_have_text(
            "Challenges and support needs of partnerships", timeout=TIMEOUT_MS
        )
        expect(page.get_by_text(sentence)).to_be_visible()
    finally:
        page.close()
        running.stop()
