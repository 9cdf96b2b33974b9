"""Waivers: approved, dated exceptions for a provision or a rule, as checkov's skips and Kyverno's PolicyExceptions;
and tolerances, which live beside them in the same file because they are approvals too.

A waiver never changes what the rules found: the verdict they reached is kept beside the waived status, and
an expired waiver is ignored (the output says it expired), so the exception cannot outlive its approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from checker.derive.dates import uk_date
from checker.errors import InputError, Problem
from checker.load.catalogue import Catalogue
from checker.load.rulebook import Rulebook
from checker.load.schemas import validate_doc
from checker.load.yamlfile import YamlDoc, load
from checker.verdict.tolerances import Tolerance

MIN_JUSTIFICATION = 10  # as the schema's minLength, which counts spaces


@dataclass(frozen=True)
class Waiver:
    """An approved waiver of a provision or a rule, with its justification, approver and expiry."""

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


@dataclass(frozen=True)
class Approvals:
    """What a waivers file approves: waivers, and tolerances for case rules."""

    waivers: list[Waiver] = field(default_factory=list)
    tolerances: list[Tolerance] = field(default_factory=list)


def load_waivers(path: Path, catalogue: Catalogue, rulebook: Rulebook, today: dt.date | None = None) -> Approvals:
    """Read a waivers file; each waiver must name one known provision or rule, and no target may be waived twice;
    each tolerance a known case rule, once, with its approval and expiry. Every approval is dated by `today` (the
    clock by default) at the latest, and expires no sooner than it was approved."""
    doc = load(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, "a waivers file is a mapping with a 'waivers' list, a 'tolerances' list or both")])
    validate_doc(doc, "waivers", real_dates=False)  # dates are checked below, with the other problems
    today = today or dt.date.today()
    waivers, problems = _waivers(doc, catalogue, rulebook, today)
    tolerances, found = _tolerances(doc, rulebook, today)
    if problems or found:
        raise InputError(problems + found)
    return Approvals(waivers, tolerances)


def _waivers(doc: YamlDoc, catalogue: Catalogue, rulebook: Rulebook, today: dt.date) -> tuple[list[Waiver], list[Problem]]:
    path = doc.path
    rule_ids = set(rulebook.by_id())
    problems: list[Problem] = []
    waivers: list[Waiver] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.data.get("waivers", [])):
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
        days, misdated = _dates(doc, where, item, today)
        problems += misdated
        known = catalogue.provisions if kind == "provision" else rule_ids
        if target not in known:
            problems.append(doc.problem(where + (kind,), f"unknown {kind} {target}"))
        elif misdated:
            continue
        elif target in seen:
            problems.append(doc.problem(where + (kind,), f"{target} is already waived at line {seen[target]}"))
        else:
            seen[target] = doc.line(where) or 1
            waivers.append(Waiver(
                target, kind, item["justification"].strip(), item.get("approved_by"),
                days["approved_on"], days["expires"], str(path), seen[target],
            ))
    return waivers, problems


def _tolerances(doc: YamlDoc, rulebook: Rulebook, today: dt.date) -> tuple[list[Tolerance], list[Problem]]:
    rules = rulebook.by_id()
    problems: list[Problem] = []
    tolerances: list[Tolerance] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.data.get("tolerances", [])):
        where: tuple[Any, ...] = ("tolerances", i)
        rule = rules.get(item["rule"])
        days, found = _dates(doc, where, item, today)
        if rule is None:
            found.append(doc.problem(where + ("rule",), f"unknown rule {item['rule']}"))
        elif rule.scope != "case":
            found.append(doc.problem(where + ("rule",), f"{rule.id} is a {rule.scope} rule; tolerances apply to case rules, which count cases"))
        elif rule.id in seen:
            found.append(doc.problem(where + ("rule",), f"{rule.id} already has a tolerance at line {seen[rule.id]}"))
        if len(item["justification"].strip()) < MIN_JUSTIFICATION:
            found.append(doc.problem(where + ("justification",), f"a justification says why the shortfall is acceptable, in "
                                                                 f"{MIN_JUSTIFICATION} characters or more besides spaces"))
        approved_on, expires = days["approved_on"], days["expires"]
        if found or rule is None or approved_on is None or expires is None:
            problems += found
            continue
        seen[rule.id] = doc.line(where) or 1
        tolerances.append(Tolerance(rule.id, Fraction(str(item["compliance_pct"])), item["justification"].strip(), item["approved_by"],
                                    approved_on, expires, str(doc.path), seen[rule.id]))
    return tolerances, problems


def _dates(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any], today: dt.date) -> tuple[dict[str, dt.date | None], list[Problem]]:
    """An approval's approved_on and expires, and what is wrong with them: a date that is not real, an approval dated
    after today, an expiry before the approval. Today, not the as-of date, bounds the approval: re-assessing a past
    year with an exception approved since is ordinary, but an approval not yet given cannot be cited."""
    days = {key: _day(item.get(key)) for key in ("approved_on", "expires")}
    found = [doc.problem(where + (key,), f"'{item[key]}' is not a real date") for key, day in days.items() if day is None and item.get(key)]
    approved_on, expires = days["approved_on"], days["expires"]
    if approved_on and approved_on > today:
        found.append(doc.problem(where + ("approved_on",), f"'{item['approved_on']}' is after today: give the date the approval was given"))
    if approved_on and expires and expires < approved_on:
        found.append(doc.problem(where + ("expires",), f"expires ({expires}) is before approved_on ({approved_on})"))
    return days, found


def _day(value: str | None) -> dt.date | None:
    """The date, or None when absent or not a real date (2025-02-30): the caller tells the two apart by the text."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
