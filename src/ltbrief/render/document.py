"""The brief ready for Pandoc: shortcodes expanded, metadata merged, build time fixed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ltbrief.paths import ProjectPaths
from ltbrief.render.project import Project, build_timestamp, load_project
from ltbrief.render.shortcodes import expand, load_variables


@dataclass(frozen=True)
class Document:
    """The expanded Markdown body of the brief, its project, and its creation time."""

    project: Project
    markdown: str
    epoch: int

    @property
    def paths(self) -> ProjectPaths:
        return self.project.paths

    def metadata(self, output_format: str) -> dict[str, Any]:
        """The metadata Pandoc sees for one output format (as Quarto would merge it)."""
        return self.project.options(output_format)


def prepare(paths: ProjectPaths) -> Document:
    """Read the project, expand includes and variables, and fix the build time."""
    project = load_project(paths)
    variables = load_variables(paths.variables)
    markdown = expand(project.body, paths.report, paths.root, variables)
    return Document(project=project, markdown=markdown, epoch=build_timestamp(project))
