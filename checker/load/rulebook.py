"""Load YAML rules strictly: schema, unique ids, known provisions, known fields, resolvable numbers and templates.

Every problem is an error naming the file and line, never a warning: a rule that silently does not run
would let a landlord believe a provision is met. A rule file the user gives, or any read against a Code catalogue
the user gives, is checked at every run (its schema, then checker/load/rule_checks.py); chc's own rules read against
chc's own Code are checked by the test suite instead (tests/test_bundled.py), so that a run starts at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import __version__
from checker.errors import InputError, Problem, fail
from checker.load.catalogue import Catalogue
from checker.load.resources import is_bundled
from checker.load.schemas import validate_doc
from checker.load.yamlfile import YamlDoc, load
from checker.rules import conditions
from checker.rules.conditions import Condition

CONDITIONS = ("select", "unknown", "breach")  # a rule's conditions, in the order they apply to a case
PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


@dataclass(frozen=True)
class Rule:
    """One rule: what it selects, what breaches it and what leaves a case unknown, with where it was written."""

    id: str
    provisions: tuple[str, ...]
    title: str
    scope: str
    severity: str
    select: Condition | None
    breach: Condition
    evidence: str
    remediation: str
    not_applicable: str | None
    file: str
    line: int
    evidence_kind: str = "measured"  # measured, declared or heuristic (see rules.schema.json)
    requires: tuple[str, ...] = ()  # the register columns it reads, so cannot be judged without (case and register rules)
    rationale: str = ""  # why the condition evidences the provisions, and what it cannot see
    since: str = ""  # the chc version that introduced the rule or last changed what it judges
    unknown: Condition | None = None  # case rules: cases in scope that cannot be judged, beyond blank required cells
    written: dict[str, Condition] = field(default_factory=dict, compare=False)  # select, unknown and breach as the file writes them (parameters named)
    evidence_fail: str | None = None  # the evidence when the rule fails, where `evidence` would read wrong (e.g. what is missing)

    @property
    def policy_fields(self) -> list[str]:
        """Policy facts the rule reads: where its evidence points in the policy file."""
        if self.scope != "policy":
            return sorted(conditions.references(self.breach, "policy") | conditions.references(self.select or {}, "policy"))
        return sorted(conditions.fields(self.breach))


@dataclass
class Rulebook:
    """The rules of a run, chc's own and the user's, with attestation guidance and a fingerprint of them all."""

    rules: list[Rule] = field(default_factory=list)
    attest: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def version(self) -> str:
        """What every published document cites: the chc release and a digest of the rule files actually loaded."""
        return f"chc {__version__} rules, sha256 {self.fingerprint[:12]}"

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def for_provision(self, provision: str) -> list[Rule]:
        return [r for r in self.rules if provision in r.provisions]



def load_rulebook(folders: list[Path], catalogue: Catalogue) -> Rulebook:
    """Load every *.yaml in `folders` (the bundled rules first, then a landlord's own)."""
    book = Rulebook()
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            raise fail(str(folder), None, None, "no such rules folder")
        checked = not (is_bundled(folder) and is_bundled(catalogue.folder))
        for path in sorted(folder.glob("*.yaml")):
            doc = load(path)
            digest.update(f"{path.name}\0{doc.sha256}\0".encode())
            if not isinstance(doc.data, dict):
                problems.append(Problem(str(path), 1, None, "a rules file is a mapping with 'rules' and/or 'attest'"))
                continue
            if checked:
                validate_doc(doc, "rules")
            for i, item in enumerate(doc.data.get("rules", [])):
                where = ("rules", i)
                if item["id"] in seen:
                    problems.append(doc.problem(where + ("id",), f"duplicate rule id {item['id']} (first in {seen[item['id']]})"))
                    continue
                seen[item["id"]] = f"{path}:{doc.line(where)}"
                found = _problems(doc, where, item, catalogue) if checked else []
                if found:
                    problems += found
                else:
                    book.rules.append(_build(doc, where, item, catalogue))
            for provision, text in doc.data.get("attest", {}).items():
                if provision not in catalogue.provisions:
                    problems.append(doc.problem(("attest", provision), f"unknown provision {provision}"))
                elif provision in book.attest:
                    problems.append(doc.problem(("attest", provision), f"provision {provision} already has attestation guidance"))
                else:
                    book.attest[provision] = text
    if problems:
        raise InputError(problems)
    book.fingerprint = digest.hexdigest()
    return book


def _problems(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any], catalogue: Catalogue) -> list[Problem]:
    """The rule's problems beyond its schema; the checks load the whole pipeline's field lists, so only when needed."""
    from checker.load.rule_checks import rule_problems

    return rule_problems(doc, where, item, catalogue)


def _build(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any], catalogue: Catalogue) -> Rule:
    """A rule with its Code parameters resolved; policy references stay until the policy is known."""
    provisions = item["provisions"]

    def params_only(kind: str, name: str) -> Any:
        return param_value(name, provisions, catalogue) if kind == "param" else {"policy": name}

    select, unknown = (conditions.substitute(item[key], params_only) if key in item else None for key in ("select", "unknown"))
    return Rule(
        item["id"], tuple(provisions), item["title"], item["scope"], item["severity"], select,
        conditions.substitute(item["breach"], params_only), item["evidence"], item["remediation"],
        item.get("not_applicable"), str(doc.path), doc.line(where) or 1,
        item["evidence_kind"], tuple(item.get("requires", ())), item["rationale"], item["since"], unknown,
        {k: item[k] for k in CONDITIONS if k in item}, item.get("evidence_fail"),
    )


def param_source(name: str, provisions: list[str] | tuple[str, ...], catalogue: Catalogue) -> tuple[str, str] | None:
    """(provision, key) stating parameter `name`: `6.4.name` names provision 6.4, else the first of `provisions` stating it."""
    if name.count(".") == 2:
        provision, _, key = name.rpartition(".")
        source = catalogue.provisions.get(provision)
        return (provision, key) if source and key in source.parameters else None
    return next(((p, name) for p in provisions if p in catalogue.provisions and name in catalogue.provisions[p].parameters), None)


def param_value(name: str, provisions: list[str], catalogue: Catalogue) -> int | None:
    """The number parameter `name` stands for (see param_source), or None when no provision states it."""
    source = param_source(name, provisions, catalogue)
    return catalogue.provisions[source[0]].parameters[source[1]] if source else None
