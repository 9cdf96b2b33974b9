"""The checks a rule must pass beyond its schema: known provisions, fields, policy facts and placeholders; like
compared with like; numbers the Code states; and `requires`, `evidence_kind` and `since` true of the rule.

They read the field lists of the whole pipeline (the register contract, the derived fields, the register's
figures, the policy and Ombudsman facts), so this module loads only when a rule file needs checking.
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

import polars as pl

from checker import __version__
from checker.derive.aggregates import AGGREGATES
from checker.derive.cases import DERIVED_FIELDS
from checker.derive.ombudsman_facts import OMBUDSMAN_FACTS_DOC
from checker.errors import Problem
from checker.load.catalogue import Catalogue
from checker.load.policy import POLICY_FACTS_DOC
from checker.load.rulebook import CONDITIONS, PLACEHOLDER, param_value
from checker.load.schemas import ISO_DATE, contract, schema
from checker.load.yamlfile import YamlDoc
from checker.rules import conditions
from checker.rules.conditions import Condition

FINDING_FIGURES = ("examined", "breaches", "compliant", "compliance_pct", "breach_pct")


def rule_problems(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any], catalogue: Catalogue) -> list[Problem]:
    """Every problem of one rule beyond its schema, each naming the file and line."""
    problems = [
        doc.problem(where + ("provisions",), f"unknown provision {p} (not in {catalogue.folder})")
        for p in item["provisions"] if p not in catalogue.provisions
    ]
    scope = item["scope"]
    if scope == "case" and "select" not in item:
        problems.append(doc.problem(where, "a case rule needs 'select': the cases it examines"))
    if scope != "case" and ("select" in item or "not_applicable" in item or "unknown" in item):
        problems.append(doc.problem(where, f"a {scope} rule has no 'select', 'unknown' or 'not_applicable'"))
    known = _kinds(scope).keys()
    for key in CONDITIONS:
        cond = item.get(key)
        if cond is None:
            continue
        for name in sorted(conditions.fields(cond) - known):
            problems.append(doc.problem(where + (key,), f"unknown {scope} field '{name}'"))
        for name in sorted(conditions.references(cond, "policy") - policy_kinds().keys()):
            problems.append(doc.problem(where + (key,), f"unknown policy fact '{name}'"))
        for name in sorted(conditions.references(cond, "param")):
            if param_value(name, item["provisions"], catalogue) is None:
                problems.append(doc.problem(where + (key,), f"no provision of this rule states a parameter '{name}'"))
    for key in CONDITIONS:
        problems += [doc.problem(where + (key,), message) for message in _type_problems(item.get(key), scope)]
    allowed = _template_names(item, catalogue)
    for key in ("evidence", "evidence_fail", "remediation", "not_applicable"):
        for name in PLACEHOLDER.findall(item.get(key, "")):
            if name not in allowed:
                problems.append(doc.problem(where + (key,), f"unknown placeholder {{{name}}}"))
    return problems + _metadata_problems(doc, where, item)


def _metadata_problems(doc: YamlDoc, where: tuple[Any, ...], item: dict[str, Any]) -> list[Problem]:
    """evidence_kind, requires and since must be true of the rule: a verdict is only as honest as what it says it
    read, and a column missing from `requires` would be judged blank instead of marked unknown."""
    scope, kind = item["scope"], item["evidence_kind"]
    problems = []
    if scope == "policy" and kind != "declared":
        problems.append(doc.problem(where + ("evidence_kind",), f"a policy rule reads what the policy declares: its evidence_kind is declared, not {kind}"))
    if scope != "policy" and kind == "declared":
        problems.append(doc.problem(where + ("evidence_kind",), f"a {scope} rule reads the register: its evidence_kind is measured or heuristic, not declared"))
    if _version(item["since"]) > _version(__version__):
        problems.append(doc.problem(where + ("since",), f"since {item['since']} is later than this chc, {__version__}"))
    if scope == "policy":
        if "requires" in item:
            problems.append(doc.problem(where + ("requires",), "a policy rule reads no register column: remove 'requires'"))
        return problems
    read = columns_read(scope, *(item.get(key) for key in CONDITIONS))
    if "requires" not in item:
        return problems + [doc.problem(where, f"a {scope} rule needs 'requires': the register columns it reads "
                                              f"[{', '.join(sorted(read))}]")]
    columns = contract()
    for i, name in enumerate(item["requires"]):
        if name not in columns:
            close = difflib.get_close_matches(name, list(columns), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(doc.problem(where + ("requires", i), f"'{name}' is not a register column{hint}"))
    missing = sorted(set(read) - set(item["requires"]))
    if missing:
        named = ", ".join(f"{name} (through {', '.join(read[name])})" if read[name] else name for name in missing)
        problems.append(doc.problem(where + ("requires",), f"'requires' must list every register column the rule reads; missing: {named}"))
    unread = sorted(set(item["requires"]) & columns.keys() - set(read))
    if unread:
        problems.append(doc.problem(where + ("requires",), f"'requires' lists {', '.join(unread)}, which the rule never reads: "
                                                           "a register without it would leave the rule not assessed for nothing"))
    return problems


def columns_read(scope: str, *conds: Condition | None) -> dict[str, list[str]]:
    """The register columns a case or register rule reads, each with the derived fields (or register figures) it is
    read through ([] when read directly): what the rule's `requires` must list. Unknown fields are left to rule_problems()."""
    read: dict[str, list[str]] = {}
    for name in sorted(set().union(*(conditions.fields(c) for c in conds if c))):
        figure = AGGREGATES.get(name.removeprefix("register.")) if scope == "register" and name.startswith("register.") else None
        if figure:
            via, sources = [name], figure[1]
        elif scope == "case" and name in DERIVED_FIELDS:
            via, sources = [name], DERIVED_FIELDS[name][2]
        else:
            via, sources = [], ((name,) if scope == "case" and name in contract() else ())
        for column in sources:
            read.setdefault(column, []).extend(via)
    return read


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _type_problems(cond: Condition | None, scope: str) -> list[str]:
    """Each leaf must compare like with like: a typo or a wrong type would otherwise never match (or stop the run).

    Literals must suit their field (a value of its enum, a number for a number), dates are compared only with
    other dates, text and true/false only for equality, `in` takes a list, and numbers must be ones the rules
    engine can read.
    """
    if cond is None:
        return []
    kinds = _kinds(scope)
    columns = contract() if scope == "case" else {}
    problems: list[str] = []
    for leaf in conditions.leaves(cond):
        field, op = leaf["field"], conditions.operator(leaf)
        want, spec, value = kinds.get(field), columns.get(field, {}), leaf[op]
        if want is None or op == "present":
            continue
        if op in conditions.TEXT:
            problems += _text_problems(field, want, op, value)
            continue
        if op in ("in", "not_in"):
            if isinstance(value, dict):
                name = str(value.get("policy", ""))
                if policy_kinds().get(name, "list") != "list":
                    problems.append(f"'{name}' is one value, not a list: '{op}' needs a list, or a policy fact holding one (policy.exclusion_reasons)")
                elif want != "text":  # the policy's lists hold text (reasons)
                    problems.append(f"'{field}' is {KIND_WORDS[want]}, but the policy fact '{name}' is a list of text")
                continue
            problems += [m for v in value for m in _literal_problem(field, want, spec, v)]
            continue
        if want in ("text", "boolean") and op not in ("eq", "ne"):
            problems.append(f"'{field}' is {KIND_WORDS[want]}: compare it with eq or ne, not {op}")
            continue
        if not isinstance(value, dict):
            problems += _literal_problem(field, want, spec, value)
            continue
        got, what = _value_kind(value, scope)
        if got is not None and got != want:
            problems.append(f"'{field}' is {KIND_WORDS[want]}, but {what} is {KIND_WORDS[got]}")
    return problems


def _text_problems(field: str, want: str, op: str, value: Any) -> list[str]:
    """Text operators read text, and a regular expression must be one polars can run."""
    if want != "text":
        return [f"'{field}' is {KIND_WORDS[want]}: '{op}' reads text"]
    if op != "matches":
        return []
    try:
        pl.Series([""], dtype=pl.Utf8).str.contains(value)
    except pl.exceptions.PolarsError as err:
        reason = next((line.removeprefix("error: ") for line in str(err).splitlines() if line.startswith("error: ")), "it cannot be read")
        return [f"'{value}' is not a regular expression chc can run: {reason}"]
    return []


KIND_WORDS = {"text": "text", "number": "a number", "boolean": "true or false", "date": "a date", "list": "a list",
              "mixed": "a sum of values that are not all numbers",
              "policy date": "a date in the policy (a case's dates are compared only with its other dates)"}


def _literal_problem(field: str, want: str, spec: dict[str, Any], value: Any) -> list[str]:
    if want == "date":
        return [f"'{field}' is a date: compare it with another date field, not the fixed value {value!r}, so the rule holds for any period"]
    if "enum" in spec:
        return [] if value in spec["enum"] and type(value) is not bool else \
            [f"{value!r} is never a value of '{field}' (one of {', '.join(map(str, spec['enum']))})"]
    got = _literal_kind(value)
    if got == want:
        return []
    if want == "number":
        return [f"'{field}' is a number; {value!r} is not"]
    if want == "text":
        return [f"'{field}' is text; {value!r} is not (quote it: '{value}')"]
    return [f"'{field}' is {KIND_WORDS[want]}; {value!r} is not"]


def _literal_kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "number" if isinstance(value, (int, float)) else "text"


def _value_kind(value: dict[str, Any], scope: str) -> tuple[str | None, str]:
    """The kind of a `{field}`, `{param}`, `{policy}` or `{add}` value, and how to name it in a message."""
    if "field" in value:
        return _kinds(scope).get(value["field"]), f"'{value['field']}'"
    if "param" in value:
        return "number", f"the parameter '{value['param']}'"
    if "policy" in value:
        kind = policy_kinds().get(value["policy"])
        # a case's date is a date, the policy's an ISO text: polars cannot compare them
        return ("policy date" if kind == "date" and scope == "case" else kind), f"the policy fact '{value['policy']}'"
    parts = [_literal_kind(v) if not isinstance(v, dict) else _value_kind(v, scope)[0] for v in value["add"]]
    return ("number" if all(p in ("number", None) for p in parts) else "mixed"), "the sum"


def _kinds(scope: str) -> dict[str, str | None]:
    """The kind (text, number, boolean, date, list) of every field a rule of this scope can read."""
    if scope == "case":
        return dict(_case_kinds())
    if scope == "register":
        return {f"register.{name}": "number" for name in AGGREGATES}
    return policy_kinds()


@cache
def _case_kinds() -> dict[str, str]:
    """Each case field's kind: the register's columns from their schema, the derived fields as derive.py declares them."""
    columns = {name: "date" if spec.get("format") == "date" else "number" if spec.get("type") in ("integer", "number") else "text"
               for name, spec in contract().items()}
    return columns | {name: kind for name, (kind, _, _) in DERIVED_FIELDS.items()}


@cache
def policy_kinds() -> dict[str, str | None]:
    """Every policy fact and its kind: scalar paths of the policy schema, the derived facts (POLICY_FACTS_DOC) and the
    Ombudsman activity's (OMBUDSMAN_FACTS_DOC)."""
    root = schema("policy")
    kinds: dict[str, str | None] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        props = node.get("properties")
        if props:
            for key, sub in props.items():
                walk(sub, f"{prefix}{key}.")
        elif node.get("type") not in ("array", "object"):
            kinds[prefix[:-1]] = _schema_kind(node)

    walk(root, "")
    for pattern, (kind, _) in POLICY_FACTS_DOC.items():
        if "stageN" in pattern:
            stage_keys = root["properties"]["policy"]["properties"]["stages"]["items"]["properties"]
            kinds |= {f"policy.stage{n}.{k}": _schema_kind(spec) for n in range(1, 10) for k, spec in stage_keys.items()}
        elif pattern.endswith(".X"):
            section = pattern.split(".")[1]
            enum = root["properties"]["reporting"]["properties"][section]["properties"]["contents"]["items"]["enum"]
            kinds |= {pattern[:-1] + option: "boolean" for option in enum}
            kinds[f"reporting.{section}.contents"] = "text"
        else:
            kinds[pattern] = kind
    return kinds | {name: kind for name, (kind, _, _) in OMBUDSMAN_FACTS_DOC.items()}


def _schema_kind(spec: dict[str, Any]) -> str | None:
    if spec.get("pattern") == ISO_DATE or spec.get("$ref") == "#/$defs/date":
        return "date"
    kind = spec.get("type")
    if kind in ("integer", "number"):
        return "number"
    if kind in ("boolean", "string"):
        return "boolean" if kind == "boolean" else "text"
    if kind is None and spec.get("enum") and all(isinstance(v, str) for v in spec["enum"]):
        return "text"
    if isinstance(kind, list) and "string" in kind:
        return "text"  # a version written 2 or "2.1": read as text, as it is shown
    return None


def _template_names(item: dict[str, Any], catalogue: Catalogue) -> set[str]:
    names = set(FINDING_FIGURES) | policy_kinds().keys() | {f"register.{n}" for n in AGGREGATES}
    names |= {f"param.{k}" for p in item["provisions"] if p in catalogue.provisions for k in catalogue.provisions[p].parameters}
    return names
