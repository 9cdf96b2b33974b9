"""Load YAML rules strictly: schema, unique ids, known provisions, known fields, resolvable numbers and templates.

Every problem is an error naming the file and line, never a warning: a rule that silently does not run
would let a landlord believe a provision is met.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import __version__, conditions
from checker.aggregates import AGGREGATES
from checker.catalogue import Catalogue
from checker.conditions import Condition
from checker.derive import DERIVED_FIELDS
from checker.errors import InputError, Problem, fail
from checker.policy import POLICY_FACTS_DOC
from checker.register import contract
from checker.schemas import schema, validate_doc
from checker.yamlfile import YamlDoc, load

PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")
FINDING_FIGURES = ("examined", "breaches", "compliant", "compliance_pct", "breach_pct")


@dataclass(frozen=True)
class Rule:
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

    @property
    def policy_fields(self) -> list[str]:
        """Policy facts the rule reads: where its evidence points in the policy file."""
        if self.scope != "policy":
            return sorted(conditions.references(self.breach, "policy") | conditions.references(self.select or {}, "policy"))
        return sorted(conditions.fields(self.breach))


@dataclass
class Rulebook:
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
        for path in sorted(folder.glob("*.yaml")):
            doc = load(path)
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
            if not isinstance(doc.data, dict):
                problems.append(Problem(str(path), 1, None, "a rules file is a mapping with 'rules' and/or 'attest'"))
                continue
            validate_doc(doc, "rules")
            for i, item in enumerate(doc.data.get("rules", [])):
                where = ("rules", i)
                if item["id"] in seen:
                    problems.append(doc.problem(where + ("id",), f"duplicate rule id {item['id']} (first in {seen[item['id']]})"))
                    continue
                seen[item["id"]] = f"{path}:{doc.line(where)}"
                found = _check(doc, where, item, catalogue)
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


def _check(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any], catalogue: Catalogue) -> list[Problem]:
    problems = [
        doc.problem(where + ("provisions",), f"unknown provision {p} (not in {catalogue.folder})")
        for p in item["provisions"] if p not in catalogue.provisions
    ]
    scope = item["scope"]
    if scope == "case" and "select" not in item:
        problems.append(doc.problem(where, "a case rule needs 'select': the cases it examines"))
    if scope != "case" and ("select" in item or "not_applicable" in item):
        problems.append(doc.problem(where, f"a {scope} rule has no 'select' or 'not_applicable'"))
    known = _known_fields(scope)
    for key in ("select", "breach"):
        cond = item.get(key)
        if cond is None:
            continue
        for name in sorted(conditions.fields(cond) - known):
            problems.append(doc.problem(where + (key,), f"unknown {scope} field '{name}'"))
        for name in sorted(conditions.references(cond, "policy") - _policy_names()):
            problems.append(doc.problem(where + (key,), f"unknown policy fact '{name}'"))
        for name in sorted(conditions.references(cond, "param")):
            if _param(name, item["provisions"], catalogue) is None:
                problems.append(doc.problem(where + (key,), f"no provision of this rule states a parameter '{name}'"))
    if scope == "case":
        for key in ("select", "breach"):
            problems += [doc.problem(where + (key,), message) for message in _literal_problems(item.get(key))]
    allowed = _template_names(item, catalogue)
    for key in ("evidence", "remediation", "not_applicable"):
        for name in PLACEHOLDER.findall(item.get(key, "")):
            if name not in allowed:
                problems.append(doc.problem(where + (key,), f"unknown placeholder {{{name}}}"))
    return problems


def _literal_problems(cond: Condition | None) -> list[str]:
    """Literals must suit the register column they are compared with, so a typo cannot silently never match."""
    if cond is None:
        return []
    columns = contract()
    problems = []
    for leaf in conditions.leaves(cond):
        op = conditions.operator(leaf)
        spec = columns.get(leaf["field"])
        values = leaf[op] if isinstance(leaf[op], list) else [leaf[op]]
        if spec is None or op == "present" or any(isinstance(v, dict) for v in values):
            continue
        for value in values:
            if spec.get("format") == "date":
                problems.append(f"'{leaf['field']}' is a date: compare it with another date field, not the fixed value {value!r}, so the rule holds for any period")
            elif "enum" in spec and value not in spec["enum"]:
                problems.append(f"{value!r} is never a value of '{leaf['field']}' (one of {', '.join(map(str, spec['enum']))})")
            elif spec.get("type") in ("integer", "number") and (isinstance(value, bool) or not isinstance(value, (int, float))):
                problems.append(f"'{leaf['field']}' is a number; {value!r} is not")
    return problems


def _build(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any], catalogue: Catalogue) -> Rule:
    """A rule with its Code parameters resolved; policy references stay until the policy is known."""
    provisions = item["provisions"]

    def params_only(kind: str, name: str) -> Any:
        return _param(name, provisions, catalogue) if kind == "param" else {"policy": name}

    select = conditions.substitute(item["select"], params_only) if "select" in item else None
    return Rule(
        item["id"], tuple(provisions), item["title"], item["scope"], item["severity"], select,
        conditions.substitute(item["breach"], params_only), item["evidence"], item["remediation"],
        item.get("not_applicable"), str(doc.path), doc.line(where) or 1,
    )


def _param(name: str, provisions: list[str], catalogue: Catalogue) -> int | None:
    """`name` from the first of the rule's provisions that states it, or `6.4.name` from provision 6.4."""
    if name.count(".") == 2:
        provision, _, key = name.rpartition(".")
        source = catalogue.provisions.get(provision)
        return source.parameters.get(key) if source else None
    for p in provisions:
        if p in catalogue.provisions and name in catalogue.provisions[p].parameters:
            return catalogue.provisions[p].parameters[name]
    return None


def _known_fields(scope: str) -> set[str]:
    if scope == "case":
        return set(contract()) | set(DERIVED_FIELDS)
    if scope == "register":
        return {f"register.{name}" for name in AGGREGATES}
    return _policy_names()


def _policy_names() -> set[str]:
    """Every policy fact name: dotted scalar paths of the policy schema plus the derived facts."""
    names: set[str] = set()

    def walk(node: dict[str, Any], prefix: str) -> None:
        node = schema("policy")["$defs"]["role"] if node.get("$ref") == "#/$defs/role" else node
        props = node.get("properties")
        if props:
            for key, sub in props.items():
                walk(sub, f"{prefix}{key}.")
        elif node.get("type") != "array":
            names.add(prefix[:-1])

    walk(schema("policy"), "")
    for pattern in POLICY_FACTS_DOC:
        if "stageN" in pattern:
            stage_keys = schema("policy")["properties"]["policy"]["properties"]["stages"]["items"]["properties"]
            names |= {f"policy.stage{n}.{k}" for n in range(1, 10) for k in stage_keys}
        elif pattern.endswith(".X"):
            section = pattern.split(".")[1]
            enum = schema("policy")["properties"]["reporting"]["properties"][section]["properties"]["contents"]["items"]["enum"]
            names |= {pattern[:-1] + option for option in enum}
            names.add(f"reporting.{section}.contents")
        else:
            names.add(pattern)
    return names


def _template_names(item: dict[str, Any], catalogue: Catalogue) -> set[str]:
    names = set(FINDING_FIGURES) | _policy_names() | {f"register.{n}" for n in AGGREGATES}
    names |= {f"param.{k}" for p in item["provisions"] if p in catalogue.provisions for k in catalogue.provisions[p].parameters}
    return names
