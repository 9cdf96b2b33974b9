"""Waivers: approved, dated exceptions for a provision or a rule, as checkov's skips and Kyverno's PolicyExceptions.

A waiver never changes what the rules found: the verdict they reached is kept beside the waived status, and
an expired waiver is ignored (the output says it expired), so the exception cannot outlive its approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from checker.derive.dates import uk_date
from checker.errors import InputError, Problem
from checker.load.catalogue import Catalogue
from checker.load.rulebook import Rulebook
from checker.load.schemas import validate_doc
from checker.load.yamlfile import load

MIN_JUSTIFICATION = 10  # as the schema's minLength, which counts spaces


@dataclass(frozen=True)
class Waiver:
    target: str
    kind: str  # "provision" or "rule"
    justification: str
    approved_by: str | None
    approved_on: dt.date | None
    expires: dt.date | None
    file: str
    line: int

    def active(self, today: dt.date) -> bool:
        return self.expires is None or today <= self.expires

    def describe(self) -> str:
        """"approved by the Housing Committee on 1 September 2024, until 31 March 2025", for commentary columns."""
        parts = []
        if self.approved_by:
            parts.append(f"approved by {self.approved_by}")
        if self.approved_on:
            parts.append(f"on {uk_date(self.approved_on)}")
        parts.append(f"until {uk_date(self.expires)}" if self.expires else "with no expiry date")
        return " ".join(parts)


def load_waivers(path: Path, catalogue: Catalogue, rulebook: Rulebook) -> list[Waiver]:
    """Read a waivers file; each must name one known provision or rule, and no target may be waived twice."""
    doc = load(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, "a waivers file is a mapping with a 'waivers' list")])
    validate_doc(doc, "waivers", real_dates=False)  # dates are checked below, with the other problems
    rule_ids = set(rulebook.by_id())
    problems: list[Problem] = []
    waivers: list[Waiver] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.data["waivers"]):
        where = ("waivers", i)
        kinds = [k for k in ("provision", "rule") if k in item]
        if len(kinds) != 1:
            problems.append(doc.problem(where, "a waiver names either a 'provision' or a 'rule', not both or neither"))
            continue
        kind = kinds[0]
        target = item[kind]
        if len(item["justification"].strip()) < MIN_JUSTIFICATION:
            problems.append(doc.problem(where + ("justification",),
                                        f"a justification says why the exception is acceptable, in {MIN_JUSTIFICATION} characters or more besides spaces"))
            continue
        days = {key: _day(item.get(key)) for key in ("approved_on", "expires")}
        for key in [k for k, v in days.items() if v is None and item.get(k)]:
            problems.append(doc.problem(where + (key,), f"'{item[key]}' is not a real date"))
        known = catalogue.provisions if kind == "provision" else rule_ids
        if target not in known:
            problems.append(doc.problem(where + (kind,), f"unknown {kind} {target}"))
        elif any(v is None and item.get(k) for k, v in days.items()):
            continue
        elif target in seen:
            problems.append(doc.problem(where + (kind,), f"{target} is already waived at line {seen[target]}"))
        else:
            seen[target] = doc.line(where) or 1
            waivers.append(Waiver(
                target, kind, item["justification"].strip(), item.get("approved_by"),
                days["approved_on"], days["expires"], str(path), seen[target],
            ))
    if problems:
        raise InputError(problems)
    return waivers


def _day(value: str | None) -> dt.date | None:
    """The date, or None when absent or not a real date (2025-02-30): the caller tells the two apart by the text."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
