"""Reproducibility and the audit: two builds in two folders agree; a difference is named."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from ltbrief import audit
from ltbrief.build import run_build
from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths


def outputs_tree(root: Path) -> ProjectPaths:
    paths = ProjectPaths.at(root)
    for name, text in {
        "_output/report.html": "<html></html>",
        "_output/notebooks/01-clean-responses.ipynb": "{}",
        "_output/notebooks/01-clean-responses.failed.ipynb": "{}",
        "data/processed/tables/figures.csv": "key,value\n",
        "_variables.yml": "responses: 1,018\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return paths


class TestRecordAndCompare:
    def test_records_every_published_output_but_failed_copies(self, tmp_path: Path) -> None:
        paths = outputs_tree(tmp_path)
        names = [
            line.split("  ")[1] for line in audit.record_outputs(paths).read_text().splitlines()
        ]
        assert names == [
            "_output/notebooks/01-clean-responses.ipynb",
            "_output/report.html",
            "_variables.yml",
            "data/processed/tables/figures.csv",
        ]

    def test_names_each_file_that_differs_is_missing_or_unlisted(self, tmp_path: Path) -> None:
        paths = outputs_tree(tmp_path)
        audit.record_outputs(paths)
        (tmp_path / "_output/report.html").write_text("<html>changed</html>")
        (tmp_path / "_variables.yml").unlink()
        (tmp_path / "_output/report.pdf").write_bytes(b"%PDF")
        result = audit.compare_outputs(paths.output_hashes, paths).set_index("file")["status"]
        assert result.to_dict() == {
            "_output/notebooks/01-clean-responses.ipynb": "match",
            "_output/report.html": "differs",
            "_output/report.pdf": "unlisted",
            "_variables.yml": "missing",
            "data/processed/tables/figures.csv": "match",
        }

    def test_audit_without_a_list_says_how_to_make_one(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="no list of published output hashes"):
            audit.audit(ProjectPaths.at(tmp_path))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    root = tmp_path_factory.mktemp("first-clone")
    for name in audit.BUILD_INPUTS:
        origin = PATHS.root / name
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, root / name)
        else:
            shutil.copy(origin, root / name)
    paths = ProjectPaths.at(root)
    run_build(paths, out=io.StringIO())
    audit.record_outputs(paths)
    return paths


@pytest.mark.slow
class TestAudit:
    def test_a_rebuild_in_another_folder_gives_identical_bytes(self, built: ProjectPaths) -> None:
        result = audit.audit(built)
        assert len(result) >= 20
        assert set(result["status"]) == {"match"}, result.loc[result["status"] != "match"]

    def test_a_tampered_output_is_named_and_fails_the_audit(
        self, built: ProjectPaths, capsys: pytest.CaptureFixture[str]
    ) -> None:
        manifest = built.output_hashes.read_text().splitlines()
        pdf = next(i for i, line in enumerate(manifest) if line.endswith("_output/report.pdf"))
        manifest[pdf] = "0" * 64 + manifest[pdf][64:]
        tampered = built.root / "tampered"
        shutil.copytree(built.root, tampered, ignore=shutil.ignore_patterns("tampered"))
        (tampered / "outputs.sha256").write_text("\n".join(manifest) + "\n")
        assert audit.main(["--project", str(tampered)]) == 1
        assert "_output/report.pdf: differs" in capsys.readouterr().err

    def test_a_changed_raw_byte_stops_the_audit_before_building(
        self, built: ProjectPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        shutil.copytree(built.root, tmp_path / "copy")
        export = tmp_path / "copy" / "data" / "raw" / "survey_export.csv"
        data = bytearray(export.read_bytes())
        data[100] ^= 1
        export.write_bytes(bytes(data))
        assert audit.main(["--project", str(tmp_path / "copy")]) == 1
        assert "survey_export.csv does not match its recorded checksum" in capsys.readouterr().err
