"""What the two REFI-QDA formats share: safe XML, GUIDs, and the code tree.

REFI-QDA 1.5 (the Rotterdam Exchange Format Initiative, www.qdasoftware.org) is written by
NVivo, ATLAS.ti, MAXQDA, QualCoder, Quirkos and Transana. Its XML schema is version 1.0:
namespaces ``urn:QDA-XML:project:1.0`` and ``urn:QDA-XML:codebook:1.0``. Vendors differ, so
elements are matched by local name, whatever the namespace's version, and each vendor's
deviation is handled where it bites, with a comment naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from lxml import etree

from ltbrief.coding.passages import ToolCode
from ltbrief.errors import BuildError

_GUID = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?"
)
NAMESPACE_PREFIX = "urn:QDA-XML:"
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# A document type declaration comes before the root element, in the first bytes.
_HEAD_BYTES = 1 << 16


def normal_guid(text: str | None) -> str:
    """A GUID as compared here: braces dropped, lower case (ATLAS.ti writes upper case)."""
    return (text or "").strip().strip("{}").lower()


def is_guid(text: str) -> bool:
    """Whether the text is a GUID, with or without braces."""
    return _GUID.fullmatch(text.strip()) is not None


def local(tag: object) -> str:
    """An element's name without its namespace (comments and processing instructions: "")."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def iterate(
    data: IO[bytes], path: Path, what: str, root: str, tags: Sequence[str], action: str
) -> Iterator[tuple[str, etree._Element]]:
    """Stream the start and end events of the elements named ``tags`` in a REFI-QDA file.

    The root element must be ``root``, in a REFI-QDA namespace (any version) or none;
    ``tags`` are local names, whatever their namespace, and lxml leaves out the other
    elements before Python sees them. A document type declaration is refused before
    parsing: no REFI-QDA file has one, and it is how a small XML file expands itself into
    gigabytes. Nothing is fetched. ``action`` says what to do when the file is wrong.
    """
    head = data.read(_HEAD_BYTES)
    doctype = _DOCTYPE.search(head)
    if doctype:
        raise BuildError(
            f"{what} declares a document type (<!DOCTYPE>), which REFI-QDA files never do",
            file=path,
            line=head[: doctype.start()].count(b"\n") + 1,
            expected="a REFI-QDA file without a document type declaration",
            action=action,
        )
    events = etree.iterparse(
        _Prefixed(head, data),
        events=("start", "end"),
        tag=[*(f"{{*}}{tag}" for tag in tags), *tags],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    checked = False
    try:
        for event, element in events:
            if not checked:
                _check_root(element.getroottree().getroot(), root, path, what, action)
                checked = True
            yield event, element
    except etree.XMLSyntaxError as error:
        raise BuildError(
            f"{what} is not valid XML ({error.msg})",
            file=path,
            line=error.lineno or None,
            expected="the XML file the tool exported, unchanged",
            action=f"{action}; do not edit the file by hand",
        ) from None
    if not checked and events.root is not None:  # none of ``tags``: the root still counts
        _check_root(events.root, root, path, what, action)


class _Prefixed:
    """A byte stream whose first bytes were already read: them, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = (
                (self._head, b"") if size < 0 else (self._head[:size], self._head[size:])
            )
            return chunk
        return self._rest.read(size)


def _check_root(element: etree._Element, root: str, path: Path, what: str, action: str) -> None:
    """Refuse a root of another name, or XML of a namespace that is not REFI-QDA's."""
    namespace = etree.QName(element).namespace or ""
    if namespace and not namespace.startswith(NAMESPACE_PREFIX):
        raise BuildError(
            f"{what} is XML of another kind (namespace {namespace!r})",
            file=path,
            line=element.sourceline,
            expected="a REFI-QDA file, namespace urn:QDA-XML:project:1.0 or "
            "urn:QDA-XML:codebook:1.0",
            action=action,
        )
    if local(element.tag) != root:
        raise BuildError(
            f"{what} has the root element <{local(element.tag)}>, not <{root}>",
            file=path,
            line=element.sourceline,
            expected=f"a REFI-QDA file whose root is <{root}>",
            action=action,
        )


class CodeTreeReader:
    """Collects the nested ``Code`` elements of a CodeBook as they stream past."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.codes: list[ToolCode] = []
        self.lines: dict[str, int | None] = {}
        self._open: list[tuple[str, bool]] = []

    def start(self, element: etree._Element) -> None:
        """A ``Code`` opens: note its name, so its children know their parents."""
        name = (element.get("name") or "").strip()
        guid = normal_guid(element.get("guid"))
        if not guid or not name:
            missing = "guid" if not guid else "name"
            raise BuildError(
                f"a code has no {missing}",
                file=self.path,
                line=element.sourceline,
                expected="every Code with a guid and a name (REFI-QDA requires both)",
                action="export the project again; give every code a name in the tool",
            )
        if guid in self.lines:
            raise BuildError(
                f"the code GUID {guid} is defined twice (first on line {self.lines[guid]})",
                file=self.path,
                line=element.sourceline,
                expected="each code's guid once",
                action="export the project again from the tool",
            )
        self.lines[guid] = element.sourceline
        codable = (element.get("isCodable") or "true").strip().lower() in ("true", "1")
        self._open.append((name, codable))
        path = tuple(open_name for open_name, _ in self._open)
        self.codes.append(ToolCode(guid, name, path, codable))

    def end(self) -> None:
        """A ``Code`` closes."""
        self._open.pop()
