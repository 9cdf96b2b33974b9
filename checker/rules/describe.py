"""Rules described for people: `chc rules list`, `show` and `doc`, generated from the loaded rule files.

A landlord's governing body signs off rules it cannot read as YAML; the reference is generated from the
same files the assessment runs, so it cannot drift from them. Nothing here judges anything.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import yaml
from tabulate import tabulate

from checker.load.catalogue import Catalogue
from checker.load.rulebook import Rule, Rulebook, param_source
from checker.load.schemas import contract
from checker.rules.conditions import Condition, operator

PHRASE = {
    "eq": "equals", "ne": "does not equal", "lt": "is less than", "lte": "is at most", "gt": "is greater than",
    "gte": "is at least", "in": "is one of", "not_in": "is not one of",
    "contains": "contains the words", "contains_all": "contains all of the words", "contains_any": "contains any of the words",
    "matches": "matches the regular expression",
}
SCOPE = {
    "case": "each case in the period that it selects",
    "policy": "the policy metadata",
    "register": "the register's figures for the period",
}
EVIDENCE_KIND = {
    "measured": "from what the register records",
    "declared": "in the policy metadata: what the policy says, not what happens",
    "heuristic": "flags for a person to review; never by itself makes a provision not met",
}
REQUIRES = {
    "case": "register columns: without one, the rule is not assessed; a blank cell makes the case unknown, except as noted",
    "register": "register columns: without one, the rule is not assessed",
}


def source(rule: Rule) -> tuple[str, int]:
    """The rule's file, relative to the working directory when it is inside it, and its line."""
    path = Path(rule.file)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())), rule.line
    except ValueError:
        return str(path), rule.line


def rule_list(rulebook: Rulebook) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "provisions": list(r.provisions), "scope": r.scope, "severity": r.severity, "title": r.title,
         "evidence_kind": r.evidence_kind, "requires": list(r.requires), "since": r.since, "file": source(r)[0], "line": r.line}
        for r in rulebook.rules
    ]


def list_table(rules: list[Rule]) -> str:
    """Id, provisions, scope and title a rule, the title wrapped to what the terminal's width leaves it."""
    widest = [max([len(heading) + 2, *map(len, values)]) for heading, values in  # a heading gets two spaces more
              (("Rule", [r.id for r in rules]), ("Provisions", [_provisions(r) for r in rules]), ("Scope", [r.scope for r in rules]))]
    room = max(shutil.get_terminal_size((100, 24)).columns - sum(widest) - 2 * len(widest), 10)  # two spaces between columns
    rows = [[r.id, _provisions(r), r.scope, "\n".join(textwrap.wrap(r.title, room))] for r in rules]
    table = tabulate(rows, headers=["Rule", "Provisions", "Scope", "Title"], tablefmt="simple", disable_numparse=True)
    return f"{table}\n\n{len(rows)} rule{'s' * (len(rows) != 1)}\n"


def _provisions(rule: Rule) -> str:
    return ", ".join(rule.provisions)


def list_json(rulebook: Rulebook) -> str:
    return json.dumps(rule_list(rulebook), indent=2, ensure_ascii=False) + "\n"


def show(rule: Rule, catalogue: Catalogue) -> str:
    """Everything about one rule, with its conditions as they run (the Code's numbers filled in)."""
    file, line = source(rule)
    out = [f"{rule.id}: {rule.title}", f"source: {file}:{line}", f"scope: {rule.scope} ({SCOPE[rule.scope]})",
           f"severity: {rule.severity}", f"evidence_kind: {rule.evidence_kind} ({EVIDENCE_KIND[rule.evidence_kind]})"]
    if rule.scope != "policy":
        out += [f"requires ({REQUIRES[rule.scope]}):", *[f"  {column}" for column in _required(rule)]]
    out += [f"since: chc {rule.since}", "rationale:", textwrap.fill(_one_line(rule.rationale), 100, initial_indent="  ", subsequent_indent="  "),
            "provisions:"]
    for pid in rule.provisions:
        provision = catalogue.provisions[pid]
        params = ", ".join(f"{k} {v}" for k, v in provision.parameters.items())
        out.append(f"  {pid} {provision.title}" + (f" (parameters: {params})" if params else ""))
        out.append(textwrap.fill(provision.requirement, 100, initial_indent="      ", subsequent_indent="      "))
    for name, cond in (("select", rule.select), ("unknown", rule.unknown), ("breach", rule.breach)):
        if cond is not None:
            out.append(f"{name}:")
            out.append(textwrap.indent(yaml.safe_dump(cond, sort_keys=False, allow_unicode=True).rstrip(), "  "))
    out.append(f"evidence: {rule.evidence.strip()}")
    if rule.evidence_fail:
        out.append(f"evidence_fail: {rule.evidence_fail.strip()}")
    out.append(f"remediation: {rule.remediation.strip()}")
    if rule.not_applicable:
        out.append(f"not_applicable: {rule.not_applicable.strip()}")
    return "\n".join(out) + "\n"


def reference(rulebook: Rulebook, catalogue: Catalogue) -> str:
    """The Markdown rule reference: by Code section and provision, each rule with its conditions in words."""
    home = {r.id: min(r.provisions, key=lambda p: catalogue.provisions[p].sort_key) for r in rulebook.rules}
    out = [
        "# chc rule reference", "",
        (f"Generated by `chc rules doc` from {len(rulebook.rules)} rules and the {catalogue.code['title']} "
         f"{catalogue.code['version']} catalogue. A comparison on a blank field is never true: only \"is blank\" "
         "matches a blank field. Evidence and remediation are templates: each {name} is filled in from the finding's "
         "figures, the Code's parameters (param.NAME), policy facts or register figures (register.NAME)."),
        "",
        ("Each rule says how it knows: measured from what the register records, declared in the policy metadata, or "
         "a heuristic, which flags cases for a person to review and never by itself makes a provision not met. A case "
         "or register rule names the register columns it requires: a register without one of them leaves the rule not "
         "assessed, and a blank cell in one leaves the case unknown (neither compliant nor a breach) unless the register "
         "contract says what a blank means, shown as \"blank: ...\"."),
    ]
    heading = None
    uncovered = []
    for provision in catalogue.ordered():
        if catalogue.section_title(provision) != heading:
            heading = catalogue.section_title(provision)
            out += ["", f"## {heading}"]
        out += ["", f"### {provision.id} {provision.title}", "", f"Requirement ({provision.modal}): {_one_line(provision.requirement)}"]
        rules = rulebook.for_provision(provision.id)
        for rule in rules:
            if home[rule.id] == provision.id:
                out += _rule_section(rule, catalogue)
            else:
                out += ["", f"Also evidenced by {rule.id} (under {home[rule.id]})."]
        if provision.id in rulebook.attest:
            lead = "" if rules else "No rule tests this provision. "
            guidance = _one_line(rulebook.attest[provision.id])
            out += ["", f"{lead}Attestation guidance (the evidence that would settle it): {guidance}."]
        elif not rules:
            uncovered.append(provision)
            out += ["", "No rule and no attestation guidance."]
    out += ["", "## Provisions with neither a rule nor attestation guidance", ""]
    out += [f"- {p.id} {p.title}" for p in uncovered] or ["None."]
    return "\n".join(out) + "\n"


def _rule_section(rule: Rule, catalogue: Catalogue) -> list[str]:
    file, line = source(rule)
    out = ["", f"#### {rule.id}: {rule.title}", "",
           f"- Provisions: {', '.join(rule.provisions)}", f"- Scope: {rule.scope}, judged on {SCOPE[rule.scope]}",
           f"- Severity: {rule.severity}", f"- Evidence kind: {rule.evidence_kind} ({EVIDENCE_KIND[rule.evidence_kind]})"]
    if rule.scope != "policy":
        out.append(f"- Requires the register columns: {', '.join(_required(rule, '`'))}")
    out += [f"- Since: chc {rule.since}", f"- Source: `{file}:{line}`", "", f"Rationale: {_one_line(rule.rationale)}"]
    if "select" in rule.written:
        out += ["", "Selects the cases where:", "", *_bullets(rule.written["select"], rule, catalogue)]
    if "unknown" in rule.written:
        out += ["", "Counts a selected case as unknown (not judged) where:", "", *_bullets(rule.written["unknown"], rule, catalogue)]
    out += ["", "Breach when:", "", *_bullets(rule.written["breach"], rule, catalogue)]
    out += ["", f"Evidence: {_one_line(rule.evidence)}"]
    if rule.evidence_fail:
        out += ["", f"Evidence when it fails: {_one_line(rule.evidence_fail)}"]
    out += ["", f"Remediation: {_one_line(rule.remediation)}"]
    if rule.not_applicable:
        out += ["", f"Not applicable: {_one_line(rule.not_applicable)}"]
    return out


def _required(rule: Rule, quote: str = "") -> list[str]:
    """The columns a rule requires, each with what its blank means where the register contract says (x-blank)."""
    columns = contract()
    return [f"{quote}{name}{quote}" + (f" (blank: {columns[name]['x-blank']})" if "x-blank" in columns.get(name, {}) else "")
            for name in rule.requires]


def _bullets(cond: Condition, rule: Rule, catalogue: Catalogue, depth: int = 0) -> list[str]:
    pad = "  " * depth
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        return [f"{pad}- {key} of:", *[line for c in cond[key] for line in _bullets(c, rule, catalogue, depth + 1)]]
    if "not" in cond:
        inner = cond["not"]
        if "field" in inner:
            return [f"{pad}- not: {_leaf(inner, rule, catalogue)}"]
        return [f"{pad}- not:", *_bullets(inner, rule, catalogue, depth + 1)]
    return [f"{pad}- {_leaf(cond, rule, catalogue)}"]


def _leaf(leaf: Condition, rule: Rule, catalogue: Catalogue) -> str:
    op = operator(leaf)
    if op == "present":
        return f"`{leaf['field']}` is {'recorded' if leaf['present'] else 'blank'}"
    if op == "length":
        compare, limit = next(iter(leaf["length"].items()))
        return f"the length of `{leaf['field']}` {PHRASE[compare]} {limit} characters"
    if op in ("contains", "contains_all", "contains_any"):
        phrases = [leaf[op]] if op == "contains" else leaf[op]
        return f"`{leaf['field']}` {PHRASE[op]} " + ", ".join(f'"{p}"' for p in phrases)
    if op == "matches":
        return f"`{leaf['field']}` {PHRASE[op]} `{leaf[op]}`"
    return f"`{leaf['field']}` {PHRASE[op]} {_value(leaf[op], rule, catalogue)}"


def _value(value: Any, rule: Rule, catalogue: Catalogue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_value(v, rule, catalogue) for v in value)
    if not isinstance(value, dict):
        return str(value)
    if "field" in value:
        return f"`{value['field']}`"
    if "policy" in value:
        return f"the policy's `{value['policy']}`"
    if "add" in value:
        return " plus ".join(_value(v, rule, catalogue) for v in value["add"])
    source = param_source(value["param"], rule.provisions, catalogue)
    if source is None:  # the rulebook refuses a rule naming a parameter no provision states
        raise ValueError(f"{rule.id}: no provision states the parameter {value['param']}")
    provision, key = source
    return f"{catalogue.provisions[provision].parameters[key]} (Code {provision} {key})"


def _one_line(text: str) -> str:
    return " ".join(text.split())
