"""The Code's provisions as data (code_requirements/<version>/): what every verdict is given against."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError, Problem, fail
from checker.load.resources import is_bundled
from checker.load.schemas import validate_doc
from checker.load.yamlfile import load


@dataclass(frozen=True)
class Provision:
    """One provision of the Code, as the catalogue states it."""

    id: str
    section: str
    part: str | None
    title: str
    requirement: str
    modal: str
    parameters: dict[str, int]
    wording: str
    uncertain: bool
    uncertainty: str | None

    @property
    def sort_key(self) -> tuple[int, int]:
        major, minor = self.id.split(".")
        return int(major), int(minor)


@dataclass
class Catalogue:
    """A Code catalogue's provisions and sections, read from its folder."""

    folder: Path
    code: dict[str, Any]
    sections: list[dict[str, Any]]
    form: dict[str, Any] | None = None
    provisions: dict[str, Provision] = field(default_factory=dict)

    def ordered(self) -> list[Provision]:
        return sorted(self.provisions.values(), key=lambda p: p.sort_key)

    def section_title(self, provision: Provision) -> str:
        """"Section 6 – Complaint stages: Stage 1" style heading for a provision's table."""
        section = next(s for s in self.sections if s["number"] == provision.section)
        title = f"Section {section['number']} – {section['title']}"
        part = next((p for p in section.get("parts", []) if p["id"] == provision.part), None)
        return f"{title}: {part['title']}" if part else title


def load_catalogue(folder: Path) -> Catalogue:
    """Load code.yaml and every section-*.yaml of one Code version; ids must be unique and sections known. A catalogue
    the user gives is validated against its schema; chc's own are validated by the test suite (tests/test_bundled.py)."""
    index = folder / "code.yaml"
    if not index.is_file():
        raise fail(str(folder), None, None, "not a Code catalogue: code.yaml is missing")
    checked = not is_bundled(folder)
    head = load(index)
    if checked:
        validate_doc(head, "catalogue")
    if "code" not in head.data or "sections" not in head.data:
        raise fail(str(index), 1, None, "code.yaml needs 'code' and 'sections'")
    catalogue = Catalogue(folder, head.data["code"], head.data["sections"], head.data.get("self_assessment_form"))
    parts = {(s["number"], p["id"]) for s in catalogue.sections for p in s.get("parts", [])}
    numbers = {s["number"] for s in catalogue.sections}
    problems: list[Problem] = []
    for path in sorted(folder.glob("section-*.yaml")):
        doc = load(path)
        if checked:
            validate_doc(doc, "catalogue")
        for i, item in enumerate(doc.data.get("provisions", [])):
            where = ("provisions", i)
            if item["id"] in catalogue.provisions:
                problems.append(doc.problem(where + ("id",), f"provision {item['id']} is defined twice"))
            elif item["section"] not in numbers or not item["id"].startswith(item["section"] + "."):
                problems.append(doc.problem(where + ("section",), f"provision {item['id']} does not belong to section {item['section']}"))
            elif "part" in item and (item["section"], item["part"]) not in parts:
                problems.append(doc.problem(where + ("part",), f"section {item['section']} has no part '{item['part']}'"))
            else:
                catalogue.provisions[item["id"]] = Provision(
                    item["id"], item["section"], item.get("part"), item["title"], item["requirement"],
                    item["modal"], item.get("parameters", {}), item["wording"], item["uncertain"], item.get("uncertainty"),
                )
    if problems:
        raise InputError(problems)
    if not catalogue.provisions:
        raise fail(str(folder), None, None, "the catalogue holds no provisions (section-*.yaml)")
    return catalogue
