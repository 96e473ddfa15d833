"""Every path the project uses, resolved from the project root.

No other module holds a path literal: code asks for ``ProjectPaths`` (or the
module-level ``PATHS`` for the real project) and tests build one on a
temporary folder with ``ProjectPaths.at(tmp_path)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ProjectPaths:
    """The folders and files of one project tree (the real one, or a test's copy)."""

    root: Path
    raw: Path
    interim: Path
    processed: Path
    codebook: Path
    expectations: Path
    notebooks: Path
    output: Path
    docs: Path

    @classmethod
    def at(cls, root: Path | str) -> ProjectPaths:
        """Lay out the standard tree under ``root``."""
        root = Path(root).resolve()
        data = root / "data"
        return cls(
            root=root,
            raw=data / "raw",
            interim=data / "interim",
            processed=data / "processed",
            codebook=data / "codebook.yml",
            expectations=root / "expectations",
            notebooks=root / "notebooks",
            output=root / "_output",
            docs=root / "docs",
        )

    def with_folders(
        self,
        raw: Path | str | None = None,
        interim: Path | str | None = None,
        processed: Path | str | None = None,
    ) -> ProjectPaths:
        """Return these paths with the data folders a notebook was given swapped in."""
        changes = {
            name: Path(value).resolve()
            for name, value in {"raw": raw, "interim": interim, "processed": processed}.items()
            if value
        }
        return replace(self, **changes)

    # Raw inputs, never written by the build.
    @property
    def sources(self) -> Path:
        """The data sources file: which raw files to read and what their columns mean."""
        return self.root / "data" / "sources.yml"

    def raw_file(self, name: str) -> Path:
        """A raw input named in the data sources file (a file name, no folders)."""
        return self.raw / name

    @property
    def raw_checksums(self) -> Path:
        return self.raw / "SHA256SUMS"

    @property
    def quote_reviews(self) -> Path:
        """The committed record of who reviewed each published quote, and when."""
        return self.root / "data" / "quote-reviews.csv"

    # Stage outputs.
    @property
    def responses(self) -> Path:
        return self.interim / "responses.parquet"

    @property
    def references(self) -> Path:
        return self.processed / "references.parquet"

    @property
    def agreement(self) -> Path:
        """The coders' agreement that notebook 02 measured, as JSON."""
        return self.processed / "agreement.json"

    @property
    def tables(self) -> Path:
        return self.processed / "tables"

    @property
    def figures(self) -> Path:
        return self.processed / "figures"

    @property
    def validation(self) -> Path:
        """One JSON record per validated suite, written by the notebooks."""
        return self.processed / "validation"

    @property
    def generated_manifest(self) -> Path:
        """Checksums of what notebook 03 wrote, so a hand-edited output is caught."""
        return self.processed / "generated.sha256"

    @property
    def variables(self) -> Path:
        return self.root / "_variables.yml"

    @property
    def output_hashes(self) -> Path:
        """The committed SHA-256 of every published output, checked by the audit."""
        return self.root / "outputs.sha256"

    @property
    def build_record(self) -> Path:
        """The runner's MD5 of every stage's inputs, to re-run only what changed."""
        return self.root / ".doit.db"

    @property
    def build_lock(self) -> Path:
        """Held while a build runs, so a second build in the same folder waits for it."""
        return self.root / ".build.lock"

    # The brief.
    @property
    def report(self) -> Path:
        return self.root / "report.qmd"

    @property
    def quarto_config(self) -> Path:
        return self.root / "_quarto.yml"

    def notebook(self, stem: str) -> Path:
        """The stored (output-free) notebook of a stage, e.g. ``01-clean-responses``."""
        return self.notebooks / f"{stem}.ipynb"

    def suite(self, name: str) -> Path:
        """The reviewed Great Expectations suite of a stage, e.g. ``clean_responses``."""
        return self.expectations / f"{name}.json"


PATHS = ProjectPaths.at(PROJECT_ROOT)


def resource(*parts: str) -> Path:
    """A file shipped inside the package under ``src/ltbrief/resources/``."""
    return PACKAGE_ROOT.joinpath("resources", *parts)
