"""A threshold nobody tests is a threshold nobody checks: every number a bundled rule reads, moved by one either way,
must fail at least one bundled rule test (tests/rule_fixtures/).

The numbers are the Code's parameters that rules read through `{param}` (code_requirements/) and the numbers written
in the rules' conditions (rules/). Each is changed by +1 and by -1 in memory, never in the files, and only the cases of
the rules that read it run, the boundary pairs first, until one fails.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from checker.load.catalogue import Catalogue
from checker.load.rulebook import Rule, param_source
from checker.rules import conditions
from checker.rules.testing import RuleTestFile, load_rule_tests, run_cases

FIXTURES = Path(__file__).parent / "rule_fixtures"
FILES = [FIXTURES / "boundaries.yaml", *sorted(set(FIXTURES.glob("*.yaml")) - {FIXTURES / "boundaries.yaml"})]


@dataclass(frozen=True)
class Mutation:
    what: str  # "Code 6.2 acknowledge_working_days 5 -> 6"
    catalogue: Catalogue
    rules: dict[str, Rule]  # every rule that reads the number, rebuilt with the number changed


def rebuilt(rule: Rule, catalogue: Catalogue, written: dict[str, Any]) -> Rule:
    """The rule with conditions `written` and the Code's numbers from `catalogue`, resolved as the rulebook resolves them."""

    def lookup(kind: str, name: str) -> Any:
        if kind != "param":
            return {"policy": name}
        source = param_source(name, rule.provisions, catalogue)
        assert source is not None, f"{rule.id} reads an unknown parameter {name}"
        return catalogue.provisions[source[0]].parameters[source[1]]

    return replace(rule, **{key: conditions.substitute(cond, lookup) for key, cond in written.items()})


def numbers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], int | float]]:
    """Every number written in a condition, with where it is ({param}, {policy} and {field} values are names)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numbers(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from numbers(value, path + (i,))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path, node


def changed(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of `node` with `value` at `path`."""
    node = copy.deepcopy(node)
    *parents, last = path
    target = node
    for step in parents:
        target = target[step]
    target[last] = value
    return node


def mutations(rules: list[Rule], catalogue: Catalogue) -> list[Mutation]:
    """Each Code parameter any rule reads, then each number written in a rule's conditions: one up, and one down."""
    readers: dict[tuple[str, str], dict[str, Rule]] = {}
    for rule in rules:
        for cond in rule.written.values():
            for name in conditions.references(cond, "param"):
                source = param_source(name, rule.provisions, catalogue)
                assert source is not None
                readers.setdefault(source, {})[rule.id] = rule
    found = []
    for (provision, key), readers_of in sorted(readers.items()):
        stated = catalogue.provisions[provision]
        for step in (1, -1):
            value = stated.parameters[key] + step
            code = copy.copy(catalogue)
            code.provisions = {**catalogue.provisions, provision: replace(stated, parameters={**stated.parameters, key: value})}
            found.append(Mutation(f"Code {provision} {key} {value - step} -> {value}", code,
                                  {rule_id: rebuilt(rule, code, rule.written) for rule_id, rule in readers_of.items()}))
    for rule in rules:
        for part, cond in rule.written.items():
            for path, number in numbers(cond):
                for step in (1, -1):
                    written = {**rule.written, part: changed(cond, path, number + step)}
                    found.append(Mutation(f"{rule.id} {part}.{'.'.join(map(str, path))} {number} -> {number + step}",
                                          catalogue, {rule.id: rebuilt(rule, catalogue, written)}))
    return found


def killed(mutation: Mutation, files: list[RuleTestFile]) -> bool:
    """Whether a case of a rule that reads the number fails once it is changed (the first failure is enough)."""
    for test_file in files:
        book = replace(test_file.rulebook, rules=[mutation.rules.get(r.id, r) for r in test_file.rulebook.rules])
        for case in (c for c in test_file.cases if c.rule.id in mutation.rules):
            if not run_cases([replace(test_file, rulebook=book, cases=[case])], mutation.catalogue)[0].passed:
                return True
    return False


@pytest.fixture(scope="module")
def test_files(catalogue) -> list[RuleTestFile]:
    return load_rule_tests(FILES, catalogue, [])


def test_rebuilding_a_rule_unchanged_gives_the_rule_the_rulebook_loaded(rulebook, catalogue):
    assert [rebuilt(rule, catalogue, rule.written) for rule in rulebook.rules] == rulebook.rules


def test_every_number_a_rule_reads_is_pinned_by_a_case(rulebook, catalogue, test_files):
    found = mutations(rulebook.rules, catalogue)
    code = {m.what.rsplit(" ", 3)[0] for m in found if m.what.startswith("Code ")}
    assert {"Code 2.3 time_limit_months", "Code 5.3 max_stages", "Code 6.2 acknowledge_working_days", "Code 6.3 respond_working_days",
            "Code 6.4 max_extension_working_days", "Code 6.11 acknowledge_working_days", "Code 6.14 respond_working_days",
            "Code 6.15 max_extension_working_days"} <= code
    assert any(m.what.startswith("CHC-7.3-REMEDY-COMPLETED breach.gt 0 -> ") for m in found)
    survivors = [m.what for m in found if not killed(m, test_files)]
    assert not survivors, (f"{len(survivors)} of {len(found)} changes to a number no bundled rule test noticed (add a boundary "
                           "pair to tests/rule_fixtures/boundaries.yaml):\n" + "\n".join(survivors))


def test_a_number_no_case_pins_survives(rulebook, catalogue, test_files):
    """The check can fail: clean.yaml's cases alone, with no boundary pair, let the Code's 5 working days become 6."""
    [mutation] = [m for m in mutations(rulebook.rules, catalogue) if m.what == "Code 6.2 acknowledge_working_days 5 -> 6"]
    assert not killed(mutation, [f for f in test_files if f.doc.path.name == "clean.yaml"])
    assert killed(mutation, test_files)
