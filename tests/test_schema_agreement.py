"""jsonschema-rs decides that an input is valid (checker/load/schemas.py), and jsonschema words what is wrong with one
that is not: the two must agree on every input, or chc would accept a file that its messages would refuse.

Each YAML input chc validates is taken as chc loads it (keys as text, dates as ISO text) and mutated node by node:
every value replaced by values of each JSON type and by near misses of its patterns (a trailing line break, a blank),
every key of a mapping removed, an unknown key added, a list emptied or given an item twice. Both validators judge
every mutant and must give the same answer.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.load.schemas import _accepted, validator
from checker.load.yamlfile import load

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = 120  # mutants a document: the catalogue's files are large, and jsonschema takes milliseconds on each
DOCUMENTS = {
    "policy": ["fixtures/example/policy.yaml"],
    "mapping": ["tests/corpus/mapping/*.yaml"],
    "rules": ["rules/*.yaml", "fixtures/example/rules/*.yaml"],
    "catalogue": ["code_requirements/2024/*.yaml"],
    "ruletest": ["fixtures/example/rule-tests/*.yaml"],
    "waivers": ["fixtures/example/waivers.yaml", "tests/corpus/waivers/*.yaml"],
    "ombudsman": ["fixtures/example/ombudsman.yaml"],
    "learning": ["fixtures/example/learning.yaml"],
    "benchmarks": ["fixtures/example/benchmarks.yaml"],
}
REPLACEMENTS: list[Any] = ["", " ", "x", "6.1", "2024-04-01", "2024-04-01\n", "01/04/2024", "a\n", 0, -1, 3, 1.5, 1.0, True,
                           False, None, [], ["x"], {}, {"x": 1}]


def _documents() -> Iterator[tuple[str, Path]]:
    for schema, patterns in DOCUMENTS.items():
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)):
                yield schema, path


def _nodes(node: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, (*where, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, (*where, i))


def _set(data: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    out = copy.deepcopy(data)
    parent = out
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = value
    return out


def _edits(data: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """Every mutation described in the module's docstring, as (where, the value put there): the mutants are made only
    for those sampled, as a copy of a large document each."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    for where, node in _nodes(data):
        out += [(where, value) for value in REPLACEMENTS]
        if isinstance(node, str):
            out += [(where, node + "\n"), (where, "\n" + node), (where, node.upper())]
        if isinstance(node, dict):
            out += [(where, {k: v for k, v in node.items() if k != key}) for key in node]
            out.append((where, {**node, "unknown_key": 1}))
        if isinstance(node, list) and node:
            out += [(where, []), (where, [*node, node[0]])]
    return out


def _mutants(data: Any, seed: str | int) -> list[Any]:
    edits = _edits(data)
    return [_set(data, where, value) for where, value in random.Random(seed).sample(edits, min(SAMPLES, len(edits)))]


@pytest.mark.parametrize(("schema", "path"), list(_documents()), ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_both_validators_agree_on_every_mutant(schema: str, path: Path) -> None:
    try:
        data = load(path).data
    except InputError:
        pytest.skip("not loadable as YAML: refused before any schema")
    mutants = [data, *_mutants(data, str(path.relative_to(ROOT)))]
    checked = validator(schema)
    disagree = [m for m in mutants if _accepted(schema, m) != checked.is_valid(m)]
    assert not disagree, f"{len(disagree)} of {len(mutants)} documents judged differently, the first: {disagree[0]!r:.500}"


def test_the_mutants_include_both_answers() -> None:
    """The comparison means something only if the mutants hold valid and invalid documents alike."""
    data = load(ROOT / "fixtures/example/policy.yaml").data
    answers = {validator("policy").is_valid(m) for m in _mutants(data, 1)}
    assert answers == {True, False}


def test_a_value_json_cannot_hold_is_refused_and_worded_by_jsonschema() -> None:
    """YAML's !!binary gives bytes, which jsonschema-rs cannot take: the file goes on to jsonschema, which refuses it."""
    assert not _accepted("ombudsman", {"year": b"\x00"})
