"""Live preview for editors: serve the HTML brief on loopback and reload it after every save.

Builds once, then serves the brief at http://127.0.0.1:4848/ (or the next free port) and
watches the sources. The incremental build does the work, so saving ``report.qmd``
re-renders in about a second and runs no notebook; saving data or code re-runs what depends
on it. After each rebuild the open page reloads itself, told by a server-sent event stream at
``/events``. While the last rebuild failed, the page shows its located message instead, with
a link to the last good brief at ``/last-good``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import mimetypes
import os
import re
import secrets
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from ltbrief.build import run_build
from ltbrief.errors import BuildError
from ltbrief.paths import PACKAGE_ROOT, PATHS, ProjectPaths

# Editors save in bursts (temporary file, rename, metadata); one rebuild per burst.
QUIET_SECONDS = 0.3
# A file read, not changed: the build itself reads every source, so these must not rebuild.
READS = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 4848
PORTS_TRIED = 100  # from the port asked for upwards, the first free one is taken
# An idle event stream sends a comment this often, so a closed tab ends its stream.
HEARTBEAT_SECONDS = 15.0
# Reloads the page once the server announces a build other than the one it shows.
RELOAD_SCRIPT = (
    "(() => {"
    " const shown = document.currentScript.dataset.build;"
    " const events = new EventSource('/events');"
    " events.onmessage = (event) => {"
    " if (event.data !== shown) { events.close(); window.location.reload(); } };"
    " })();"
)
RELOAD_SCRIPT_HASH = (
    f"'sha256-{base64.b64encode(hashlib.sha256(RELOAD_SCRIPT.encode()).digest()).decode()}'"
)
# What the reload script needs of a Content-Security-Policy: for each need, the directives
# that may govern it (most specific first, the fallback last), the one to add when only the
# fallback is set, and the source to allow.
RELOAD_NEEDS = (
    (("script-src-elem", "script-src", "default-src"), "script-src", RELOAD_SCRIPT_HASH),
    (("connect-src", "default-src"), "connect-src", "'self'"),
)
CSP_META = re.compile(
    r"<meta\b[^>]*\bhttp-equiv\s*=\s*[\"']?content-security-policy(?=[\"'\s/>])[^>]*>", re.I
)
CONTENT_ATTRIBUTE = re.compile(r"(?<![\w-])content\s*=\s*([\"'])(.*?)\1", re.I | re.S)
ERROR_PAGE = """<!DOCTYPE html>
<html lang="en-GB" xml:lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not updated: the brief has a problem</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; color: #1a1a1a; }}
main {{ max-width: 48rem; margin: 0 auto; padding: 1.5rem 1rem; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f3f3;
       border-left: 0.3rem solid #a00000; padding: 1rem; }}
a {{ color: #0b4f9c; }}
</style>
</head>
<body>
<main>
<h1>The brief was not updated</h1>
<p>The last save stopped the build. Fix the problem below and save again: this page
reloads by itself and shows the brief once it builds.</p>
<pre>{message}</pre>
{last_good}
</main>
</body>
</html>
"""
LAST_GOOD_LINK = (
    '<p><a href="/last-good">Read the last good brief</a>, from the last build that worked.</p>'
)
NO_BRIEF_YET = "<p>No brief has been built yet.</p>"


def watched_folders(paths: ProjectPaths) -> list[Path]:
    """The folders whose files feed the brief: brief, data files, raw data, suites, code."""
    data = paths.codebook.parent  # the codebook, sources file and quote reviews
    return [paths.root, data, paths.raw, paths.expectations, paths.notebooks, PACKAGE_ROOT]


def watched_alone(folder: Path, paths: ProjectPaths) -> bool:
    """Whether a watched folder is watched without its subfolders, which hold outputs."""
    return folder in {paths.root, paths.codebook.parent}


def is_source(path: Path, paths: ProjectPaths) -> bool:
    """Whether a saved file is one the build reads (not an output, cache or editor backup)."""
    ignored_parts = {"_output", "interim", "processed", "__pycache__", ".git", ".venv"}
    if ignored_parts & set(path.parts) or path.name.startswith((".", "#")):
        return False
    if path.name.endswith(("~", ".swp", ".tmp")) or path == paths.variables:
        return False
    if path.parent == paths.raw:
        return True  # a raw export, whatever the tool named it (.xlsx, .tsv, ...)
    return path.suffix in {".qmd", ".yml", ".csv", ".json", ".ipynb", ".py", ".lua", ".typ",
                           ".css", ".html", ".txt"} or path.name == "SHA256SUMS"  # fmt: skip


class _Debounced(FileSystemEventHandler):
    """Call ``rebuild`` once a burst of changes to source files has gone quiet."""

    def __init__(self, paths: ProjectPaths, rebuild: Callable[[], None]) -> None:
        self.paths = paths
        self.rebuild = rebuild
        self.timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Restart the quiet period when a source file changed; ignore reads and other files."""
        changed = Path(str(getattr(event, "dest_path", "") or event.src_path))
        if event.is_directory or event.event_type in READS or not is_source(changed, self.paths):
            return
        self.cancel()
        self.timer = threading.Timer(QUIET_SECONDS, self.rebuild)
        self.timer.start()

    def cancel(self) -> None:
        """Drop the rebuild still waiting for its burst of saves to go quiet, if any."""
        if self.timer is not None:
            self.timer.cancel()


class _Rebuilder:
    """Run ``rebuild`` in one worker thread, one at a time; a request during one queues one more."""

    def __init__(self, rebuild: Callable[[], None]) -> None:
        self.rebuild = rebuild
        self.wanted = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._work, name="preview-rebuild", daemon=True)
        self.thread.start()

    def request(self) -> None:
        """Ask for a rebuild: at once if the worker is idle, else after the one under way."""
        self.wanted.set()

    def stop(self) -> None:
        """Let the rebuild under way finish, run no other, and end the worker."""
        self.stopping = True
        self.wanted.set()
        self.thread.join()

    def _work(self) -> None:
        """Wait for a request, rebuild, and again, until stopped."""
        while True:
            self.wanted.wait()
            if self.stopping:
                return
            self.wanted.clear()
            self.rebuild()


class BuildState:
    """The outcome of the latest build, under a name that changes with every build."""

    def __init__(self) -> None:
        self.session = secrets.token_hex(4)  # a restarted preview reloads the pages left open
        self.count = 0
        self.error: str | None = None
        self.stopped = False
        self.changed = threading.Condition()

    @property
    def build(self) -> str:
        """The name of the latest build, as the reload script compares it."""
        return f"{self.session}-{self.count}"

    def record(self, error: str | None) -> None:
        """Record a finished build (``error`` is why it failed, or None) and tell every stream."""
        with self.changed:
            self.count += 1
            self.error = error
            self.changed.notify_all()

    def latest(self) -> tuple[str, str | None]:
        """The latest build's name and its error (None if it succeeded), read together."""
        with self.changed:
            return self.build, self.error

    def wait_for_change(self, seen: str, timeout: float) -> str | None:
        """The latest build's name once it differs from ``seen`` or ``timeout`` passed.

        None once the preview stops.
        """
        with self.changed:
            self.changed.wait_for(lambda: self.stopped or self.build != seen, timeout)
            return None if self.stopped else self.build

    def stop(self) -> None:
        """End every event stream."""
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


def rebuild_html(paths: ProjectPaths) -> str | None:
    """Bring the HTML brief up to date; return (and print) why it could not be, or None."""
    started = time.perf_counter()
    try:
        run_build(paths, formats=("html",))
    except BuildError as error:
        problem = error.message
    except Exception:  # a bug, or code saved mid-edit: show it and keep previewing
        problem = f"the build stopped with an unexpected error:\n{traceback.format_exc()}"
    else:
        print(f"Rebuilt the brief in {time.perf_counter() - started:.1f} s", flush=True)
        return None
    print(f"\nNot updated: {problem}\n", file=sys.stderr, flush=True)
    return problem


def with_live_reload(page: str, build: str) -> str:
    """The page as served: the reload script before ``</body>``, allowed by its CSP ``<meta>``.

    ``build`` names the build the page shows. Each Content-Security-Policy ``<meta>`` gets
    its policy amended by ``_policy_allowing_reload``; the rest of the page is left as it is.
    """

    def amend(meta: re.Match[str]) -> str:
        tag = meta.group(0)
        content = CONTENT_ATTRIBUTE.search(tag)
        if content is None:
            return tag
        policy = _policy_allowing_reload(html.unescape(content.group(2)))
        start, end = content.span()
        return f'{tag[:start]}content="{html.escape(policy)}"{tag[end:]}'

    served = CSP_META.sub(amend, page)
    script = f'<script data-build="{html.escape(build)}">{RELOAD_SCRIPT}</script>\n'
    body_end = served.lower().rfind("</body>")
    if body_end < 0:
        return served + script
    return served[:body_end] + script + served[body_end:]


def _policy_allowing_reload(policy: str) -> str:
    """A Content-Security-Policy that also lets the reload script run and reach ``/events``.

    Only what the policy restricts is widened: the script's hash where scripts are limited
    (unless inline scripts already run), this server where connections are limited.
    """
    directives: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *sources = directive.split() or [""]
        if name:
            directives.setdefault(name.lower(), sources)  # of a repeated name, the first counts
    for governing, added, source in RELOAD_NEEDS:
        name = next((name for name in governing if name in directives), None)
        if name is None or (source == RELOAD_SCRIPT_HASH and _runs_inline(directives[name])):
            continue
        replaced = {"'none'", source.lower()}
        kept = [allowed for allowed in directives[name] if allowed.lower() not in replaced]
        directives[added if name == "default-src" else name] = [*kept, source]
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _runs_inline(sources: list[str]) -> bool:
    """Whether a script source list already runs any inline script (no hash or nonce voids it)."""
    lowered = [source.lower() for source in sources]
    voiding = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
    return "'unsafe-inline'" in lowered and not any(s.startswith(voiding) for s in lowered)


def error_page(message: str, last_good: bool) -> str:
    """The accessible page served in place of the brief while its last rebuild failed.

    ``last_good`` is whether a brief from an earlier build exists to link to.
    """
    return ERROR_PAGE.format(
        message=html.escape(message), last_good=LAST_GOOD_LINK if last_good else NO_BRIEF_YET
    )


def served_brief(paths: ProjectPaths, state: BuildState) -> str:
    """The page for ``/``: the latest brief, or why the last rebuild failed; both reload."""
    build, error = state.latest()
    report = paths.output / "report.html"
    if error is None and report.is_file():
        return with_live_reload(report.read_text(encoding="utf-8"), build)
    problem = error or f"{report} is missing: save a source to rebuild it"
    return with_live_reload(error_page(problem, report.is_file()), build)


class LoopbackServer(ThreadingHTTPServer):
    """An HTTP server for this machine alone: it refuses any address but 127.0.0.1."""

    def __init__(self, address: tuple[str, int], paths: ProjectPaths, state: BuildState) -> None:
        self.paths = paths
        self.state = state
        super().__init__(address, _PreviewHandler)

    def server_bind(self) -> None:
        """Bind, after checking the address is the loopback one."""
        host = self.server_address[0]
        if host != LOOPBACK:
            raise ValueError(f"the preview serves {LOOPBACK} only, not {host}")
        super().server_bind()


class _PreviewHandler(BaseHTTPRequestHandler):
    """Serve the brief at ``/``, the build's event stream, the last good brief and outputs."""

    server: LoopbackServer

    def do_GET(self) -> None:
        """Answer one request by its path."""
        route = unquote(urlsplit(self.path).path)
        output = self.server.paths.output
        if route == "/events":
            self._stream_events()
        elif route in {"/", "/report.html"}:
            self._send(served_brief(self.server.paths, self.server.state).encode(), "text/html")
        elif route == "/last-good":
            self._send_file(output / "report.html")
        else:
            self._send_file(output / route.lstrip("/"))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing for requests that succeed (errors are still logged)."""

    def _send(self, body: bytes, content_type: str) -> None:
        """Send ``body``, never to be cached: it changes with every build."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_file(self, path: Path) -> None:
        """Send a file of the build's outputs as it is on disk, or 404 for any other path."""
        if not path.is_file() or not path.resolve().is_relative_to(self.server.paths.output):
            self.send_error(HTTPStatus.NOT_FOUND, "not an output of the build")
            return
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._send(path.read_bytes(), content_type)

    def _stream_events(self) -> None:
        """Announce the latest build's name now and after every build, until the preview stops."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = ""
        try:
            while (build := self.server.state.wait_for_change(seen, HEARTBEAT_SECONDS)) is not None:
                self.wfile.write(f"data: {build}\n\n".encode() if build != seen else b":\n\n")
                self.wfile.flush()
                seen = build
        except ConnectionError:
            return  # the tab closed or reloaded


def bind(port: int, paths: ProjectPaths, state: BuildState) -> LoopbackServer:
    """A server on the first free port from ``port`` upwards (any free one for 0)."""
    candidates = list(range(port, port + PORTS_TRIED)) if port else [0]
    for candidate in candidates[:-1]:
        with contextlib.suppress(OSError):
            return LoopbackServer((LOOPBACK, candidate), paths, state)
    return LoopbackServer((LOOPBACK, candidates[-1]), paths, state)


@dataclass
class Preview:
    """A running preview: its address, and the parts that ``stop`` ends."""

    url: str
    server: LoopbackServer
    serving: threading.Thread
    observer: BaseObserver
    saves: _Debounced
    rebuilder: _Rebuilder

    def stop(self) -> None:
        """Stop watching, finish the rebuild under way, end the event streams and the server."""
        self.observer.stop()
        self.observer.join()
        self.saves.cancel()
        self.rebuilder.stop()
        self.server.state.stop()
        self.server.shutdown()
        self.server.server_close()
        self.serving.join()


def serve(paths: ProjectPaths, port: int = DEFAULT_PORT) -> Preview:
    """Build once, then serve the brief on loopback and rebuild it after each burst of saves.

    ``port`` is the first port tried (0: any free one). Returns the running preview.
    """
    state = BuildState()
    server = bind(port, paths, state)
    state.record(rebuild_html(paths))
    serving = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    serving.start()
    rebuilder = _Rebuilder(lambda: state.record(rebuild_html(paths)))
    saves = _Debounced(paths, rebuilder.request)
    observer = Observer()
    for folder in watched_folders(paths):
        if folder.is_dir():  # a copy of the project may lack suites and notebooks
            observer.schedule(saves, str(folder), recursive=not watched_alone(folder, paths))
    observer.start()
    url = f"http://{LOOPBACK}:{server.server_address[1]}/"
    return Preview(url, server, serving, observer, saves, rebuilder)


def open_browser(url: str) -> None:
    """Open ``url`` in the desktop's browser; without a desktop, leave the terminal alone."""
    desktop = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if desktop or not sys.platform.startswith("linux"):
        webbrowser.open(url)


def main(argv: Sequence[str] | None = None) -> int:
    """Build once, then serve and live-reload the brief until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m ltbrief.preview", description=__doc__)
    parser.add_argument("--project", type=Path, default=PATHS.root)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="first port to try (default 4848)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    arguments = parser.parse_args(argv)
    try:
        preview = serve(ProjectPaths.at(arguments.project), port=arguments.port)
    except KeyboardInterrupt:
        print("\nStopped during the first build.", flush=True)
        return 130
    try:
        print(
            f"Previewing the brief at {preview.url}; it reloads after every save. Ctrl+C stops.",
            flush=True,
        )
        if not arguments.no_browser:
            open_browser(preview.url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping the preview…", flush=True)
    finally:
        preview.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
