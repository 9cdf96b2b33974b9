"""A Code catalogue carrying the Ombudsman's own wording, from the self-assessment form a landlord brings (`chc code
import`): the form's requirement texts, verbatim, under chc's ids, titles and parameters.

chc's catalogue paraphrases the Code where its wording could not be retrieved; the form a landlord downloads has
the words themselves. Only the words are taken: the parameters the rules judge by (5 working days, 12 months)
stay chc's, and a form whose text states another figure is warned of, never followed silently. A form whose
provisions differ from the catalogue's is refused: chc never invents a provision, nor drops one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError, Problem
from checker.load.catalogue import Catalogue, Provision, load_catalogue
from checker.load.form import FormRow
from checker.load.yamlfile import load

# the figures a parameter's name ends in, and how the Code's text says them
UNITS = {"working_days": ("working days", r"working[\s-]+days?"), "months": ("months", r"months?"), "stages": ("stages", r"stages?")}
NUMBER_WORDS = {word: n for n, word in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])}
FIGURE = r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+"


@dataclass(frozen=True)
class Imported:
    files: list[tuple[str, bytes]]  # the catalogue's files by name: code.yaml and a section-N.yaml per section
    warnings: list[str]  # a form text stating a figure other than chc's parameter; a list numbered by Word


def import_wording(form: Path, rows: list[FormRow], base: Path, imported_on: dt.date) -> Imported:
    """The catalogue `base` with the form's requirement texts, each provision marked as worded by the form and the
    form recorded in code.yaml; InputError naming every provision the form has and the catalogue lacks, or lacks."""
    catalogue = load_catalogue(base)
    head = load(base / "code.yaml").data
    _match(form, rows, catalogue, {item["id"] for item in head.get("not_self_assessed", [])}, base)
    texts = {row.provision: row.requirement for row in rows}
    when = imported_on.isoformat()
    head["code"]["wording"] = (
        f"The requirement texts in this folder are the Housing Ombudsman's wording, imported verbatim by chc code import "
        f"from {form.name} (the Complaint Handling Code self-assessment form the landlord supplied) on {when}. The "
        "provision numbers, titles and parameters are chc's, which its rules judge by.")
    head["code"]["requirements_from"] = {"form": form.name, "imported_on": when,
                                         "sha256": hashlib.sha256(form.read_bytes()).hexdigest()}
    files = [("code.yaml", _dump(head))]
    for path in sorted(base.glob("section-*.yaml")):
        doc = load(path).data
        for item in doc.get("provisions", []):
            item.update(requirement=texts[item["id"]], wording="official", uncertain=False,
                        sources=[f"{form.name}, the self-assessment form, imported on {when}", *item["sources"]])
            item.pop("uncertainty", None)
        files.append((path.name, _dump(doc)))
    warnings = [f"{form}: {w}" for p in catalogue.ordered() for w in _contradictions(p, texts[p.id])]
    warnings += [f"{form}:{row.where}: provision {row.provision} has a list Word numbers itself, so its labels (a, b or 1, 2) "
                 "are not in the text and the catalogue has the items without them; type the labels into the form and "
                 "import it again to keep them" for row in rows if row.numbered]
    return Imported(files, warnings)


def _match(form: Path, rows: list[FormRow], catalogue: Catalogue, unlisted: set[str], base: Path) -> None:
    """The form must hold exactly the catalogue's provisions: one it adds or one it lacks is named, and refused
    (`unlisted`: those the catalogue says are not self-assessed, such as 1.1)."""
    problems = [Problem(str(form), None, row.where, f"provision {row.provision} is not in the catalogue ({base})"
                        + (", which lists it as not self-assessed" if row.provision in unlisted else ""))
                for row in rows if row.provision not in catalogue.provisions]
    found = {row.provision for row in rows}
    missing = [p.id for p in catalogue.ordered() if p.id not in found]
    if missing:
        problems.append(Problem(str(form), None, None, f"the form has no row for {len(missing)} provision"
                                f"{'s' * (len(missing) != 1)} of the catalogue ({base}): {', '.join(missing)}"))
    if problems:
        raise InputError(problems)


def _contradictions(provision: Provision, text: str) -> list[str]:
    """A parameter whose figure the form's text does not state, where it states another in the same unit."""
    said = []
    for name, value in provision.parameters.items():
        unit = next((UNITS[suffix] for suffix in UNITS if name.endswith(suffix)), None)
        if unit is None:
            continue
        stated = {_number(n) for n in re.findall(FIGURE + unit[1] + r"\b", text, re.IGNORECASE)}
        if stated and value not in stated:
            figures = " or ".join(str(n) for n in sorted(stated))
            said.append(f"provision {provision.id} says {figures} {unit[0]} where chc's parameter {name} is {value}; "
                        f"chc's rules still judge by {value}")
    return said


def _number(figure: str) -> int:
    return int(figure) if figure.isdigit() else NUMBER_WORDS[figure.lower()]


class _Dumper(yaml.SafeDumper):
    """Texts of several lines in block style, so that the form's paragraphs read in the file as they were written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def _dump(data: dict[str, Any]) -> bytes:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110).encode("utf-8")
