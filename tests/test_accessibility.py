"""The HTML brief in a real browser: axe-core finds nothing, at desktop width and at 320 px.

Drives Debian's chromium through playwright (never a downloaded browser) with the
``axe.min.js`` that ships in the axe-playwright-python package, fully offline.
"""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, Page, Route

from ltbrief.paths import ProjectPaths
from ltbrief.render import render
from tests.conftest import CHROMIUM
from tests.fixtures.render.fixture import make_project

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
NARROW = 320

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def html_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths: ProjectPaths = make_project(tmp_path_factory.mktemp("brief"))
    (written,) = render(paths, formats=("html",))
    return written


def open_page(browser: Browser, html_file: Path, width: int) -> tuple[Page, list[str]]:
    """Load the brief at ``width`` px, blocking and recording every request but its own."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    blocked: list[str] = []

    def only_the_file(route: Route) -> None:
        if route.request.url == html_file.as_uri():
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(html_file.as_uri())
    return page, blocked


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run()")
    return [f"{v['id']}: {v['nodes'][0]['html'][:120]}" for v in results["violations"]]


@pytest.mark.parametrize("width", [1280, NARROW])
def test_axe_finds_no_violations(browser: Browser, html_file: Path, width: int) -> None:
    page, blocked = open_page(browser, html_file, width)
    assert axe_violations(page) == []
    assert blocked == []
    page.close()


def test_nothing_overflows_at_320_px(browser: Browser, html_file: Path) -> None:
    page, _ = open_page(browser, html_file, NARROW)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    page.close()


def test_skip_link_is_first_and_visible_on_focus(browser: Browser, html_file: Path) -> None:
    page, _ = open_page(browser, html_file, 1280)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {href: e.getAttribute('href'), top: e.getBoundingClientRect().top,"
        " outline: getComputedStyle(e).outlineStyle}; })()"
    )
    assert focused["href"] == "#content"
    assert focused["top"] >= 0
    assert focused["outline"] != "none"
    page.close()


def test_print_hides_the_skip_link(browser: Browser, html_file: Path) -> None:
    page, _ = open_page(browser, html_file, 1280)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).display") == "none"
    page.close()
