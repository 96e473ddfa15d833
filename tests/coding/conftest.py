"""Small REFI-QDA projects built in the shapes each tool writes them."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

NAMESPACE = "urn:QDA-XML:project:1.0"
ANNA, BEN = "0a000000-0000-4000-8000-000000000001", "0a000000-0000-4000-8000-000000000002"
CODES = {
    "challenge": "0c000000-0000-4000-8000-000000000001",
    "engagement": "0c000000-0000-4000-8000-000000000002",
    "involved": "0c000000-0000-4000-8000-000000000003",
    "awareness": "0c000000-0000-4000-8000-000000000004",
    "support": "0c000000-0000-4000-8000-000000000005",
    "skills": "0c000000-0000-4000-8000-000000000006",
    "core": "0c000000-0000-4000-8000-000000000007",
}
CODE_TREE = f"""<CodeBook><Codes>
<Code guid="{CODES["challenge"]}" name="Main challenge" isCodable="false">
 <Code guid="{CODES["engagement"]}" name="Engagement" isCodable="false">
  <Code guid="{CODES["involved"]}" name="Getting people involved" isCodable="true" color="#aa0000"/>
  <Code guid="{CODES["awareness"]}" name="Other engagement" isCodable="true"/>
 </Code>
</Code>
<Code guid="{CODES["support"]}" name="Support needed" isCodable="false">
 <Code guid="{CODES["skills"]}" name="Skills" isCodable="false">
  <Code guid="{CODES["core"]}" name="Core skills" isCodable="true"/>
 </Code>
</Code>
</Codes></CodeBook>"""


@dataclass
class Selection:
    start: int
    end: int
    codes: list[str]
    user: str = ANNA
    coding_user: str | None = None


@dataclass
class Document:
    name: str
    text: str
    selections: list[Selection] = field(default_factory=list)
    guid: str = ""
    path: str | None = None  # plainTextPath; None: internal://<guid>.txt
    inline: bool = False


def project_xml(
    documents: list[Document], origin: str = "NVivo 12.6", cases: str = "", tree: str = CODE_TREE,
    namespace: str = NAMESPACE,
) -> str:  # fmt: skip
    """A project.qde holding the documents and their coded selections."""
    sources = []
    for index, document in enumerate(documents, start=1):
        document.guid = document.guid or f"05000000-0000-4000-8000-{index:012d}"
        path = document.path if document.path is not None else f"internal://{document.guid}.txt"
        selections = "".join(
            f'<PlainTextSelection guid="5e000000-0000-4000-{index:04d}-{number:012d}" name="" '
            f'startPosition="{s.start}" endPosition="{s.end}" creatingUser="{s.user}">'
            + "".join(
                f'<Coding guid="c0000000-{index:04d}-4000-{number:04d}-{k:012d}" '
                f'creatingUser="{s.coding_user or s.user}">'
                f'<CodeRef targetGUID="{CODES.get(c, c)}"/></Coding>'
                for k, c in enumerate(s.codes)
            )
            + "</PlainTextSelection>"
            for number, s in enumerate(document.selections)
        )  # fmt: skip
        attributes = f'guid="{document.guid}" name={quoteattr(document.name)}'
        if document.inline:
            content = f"<PlainTextContent>{document.text}</PlainTextContent>"
            sources.append(f"<TextSource {attributes}>{content}{selections}</TextSource>")
        else:
            sources.append(
                f'<TextSource {attributes} plainTextPath="{path}">{selections}</TextSource>'
            )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{namespace}" name="Survey" '
        f'origin="{origin}">\n<Users><User guid="{ANNA}" name="Anna"/><User guid="{BEN}" '
        f'name="Ben"/></Users>\n{tree}\n{cases}<Sources>{"".join(sources)}</Sources></Project>\n'
    )


def write_qdpx(
    path: Path, documents: list[Document], *, folder: str = "sources", bom: bool = False,
    project_name: str = "project.qde", extra: dict[str, bytes] | None = None, **options: str,
) -> Path:  # fmt: skip
    """A .qdpx: the project file and each document's text in the sources folder."""
    xml = project_xml(documents, **options)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(project_name, xml)
        for document in documents:
            if not document.inline and document.path is None:
                data = document.text.encode("utf-8")
                archive.writestr(
                    f"{folder}/{document.guid}.txt", (b"\xef\xbb\xbf" if bom else b"") + data
                )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path
