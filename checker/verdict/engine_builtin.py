"""chc's built-in verdict engine: the durable-rules patterns chc writes, matched in plain Python.

durable-rules builds from source and not at all on Python 3.13+; there this evaluator reads the same rule
definitions (durable-rules' JSON form) and gives the same firings. A rule `{"all": [{alias: pattern}, ...]}`
fires once for every way of binding its aliases, in order, to distinct facts that match their patterns; an
alias ending in `$not` binds nothing and holds when no fact matches its pattern. Patterns are the subset chc
compiles to (checker/rules/conditions.py, checker/verdict/inference.yaml): `$and`, `$or`, `$ex`, `$nex`, equality,
`$neq`, `$lt`, `$lte`, `$gt`, `$gte`, with values that are literals, `{"$m": field}` (the same fact),
`{alias: field}` (a fact bound earlier) or `$add`/`$sub`/`$mul`/`$div`. Anything else raises EngineError:
durable-rules silently never matches an operator it does not know, and a verdict must not rest on that.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

from checker.verdict.engine_errors import EngineError, Fact, Firing

NAME = "built-in evaluator"

Bound = dict[str, Fact]
Pattern = tuple[str, list[Fact], list[dict[str, Any]]]
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$neq": operator.ne, "$lt": operator.lt, "$lte": operator.le, "$gt": operator.gt, "$gte": operator.ge,
}
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "$add": operator.add, "$sub": operator.sub, "$mul": operator.mul, "$div": operator.truediv,
}
MISSING = object()


def run(rules: dict[str, dict[str, Any]], facts: list[Fact]) -> list[Firing]:
    """Every firing of every rule over `facts`, as (rule name, {alias: matched fact})."""
    fired: list[Firing] = []
    for name, rule in rules.items():
        if set(rule) != {"all"} or not isinstance(rule["all"], list):
            raise EngineError(f"rule {name}: the built-in evaluator takes only `all` rules")
        patterns = [_pattern(name, item, facts) for item in rule["all"]]
        fired += [(name, bound) for bound in _bindings(patterns, {})]
    return fired


def _pattern(rule: str, item: Any, facts: list[Fact]) -> Pattern:
    """(alias, the facts that pass the parts of its expression that name no other fact, the parts that do)."""
    if not isinstance(item, dict) or len(item) != 1:
        raise EngineError(f"rule {rule}: each `all` item names one fact alias")
    ((alias, expression),) = item.items()
    parts = expression["$and"] if set(expression) == {"$and"} else [expression]
    joins = [part for part in parts if _joins(part)]
    alone = [part for part in parts if not _joins(part)]
    return alias, [fact for fact in facts if all(_holds(part, fact, {}) for part in alone)], joins


def _joins(node: Any) -> bool:
    """Whether an expression compares with a fact bound earlier (a value `{alias: field}`)."""
    if isinstance(node, list):
        return any(_joins(n) for n in node)
    if not isinstance(node, dict):
        return False
    return any((not key.startswith("$") and isinstance(value, dict) and len(value) == 1
                and not next(iter(value)).startswith("$")) or _joins(value) for key, value in node.items())


def _bindings(patterns: list[Pattern], bound: Bound) -> Iterator[Bound]:
    if not patterns:
        yield dict(bound)
        return
    (alias, candidates, joins), rest = patterns[0], patterns[1:]
    matching = (fact for fact in candidates if all(_holds(part, fact, bound) for part in joins))
    if alias.endswith("$not"):
        if next(matching, None) is None:
            yield from _bindings(rest, bound)
        return
    taken = {id(fact) for fact in bound.values()}
    for fact in matching:
        if id(fact) not in taken:
            yield from _bindings(rest, {**bound, alias: fact})


def _holds(expression: dict[str, Any], fact: Fact, bound: Bound) -> bool:
    if not isinstance(expression, dict) or len(expression) != 1:
        raise EngineError(f"a pattern has one operator or one field, not {expression!r}")
    ((key, argument),) = expression.items()
    if key == "$and":
        return all(_holds(part, fact, bound) for part in argument)
    if key == "$or":
        return any(_holds(part, fact, bound) for part in argument)
    if key in ("$ex", "$nex"):
        ((field, _),) = argument.items()
        return (_field(fact, field) is not MISSING) == (key == "$ex")
    if key in COMPARE:
        ((field, value),) = argument.items()
        return _compare(COMPARE[key], _field(fact, field), _value(value, fact, bound))
    if key.startswith("$"):
        raise EngineError(f"the built-in evaluator does not know the operator {key}")
    return _compare(operator.eq, _field(fact, key), _value(argument, fact, bound))


def _compare(test: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    """A comparison with a missing side never holds; text against a number is a rule error, not a quiet False."""
    if left is MISSING or right is MISSING:
        return False
    if isinstance(left, str) != isinstance(right, str) and test is not operator.eq and test is not operator.ne:
        raise EngineError(f"cannot order {left!r} against {right!r}")
    return test(left, right)


def _value(value: Any, fact: Fact, bound: Bound) -> Any:
    """A pattern's right-hand side: a literal, another field of this fact or of a bound fact, or arithmetic."""
    if not isinstance(value, dict):
        return value
    ((key, argument),) = value.items()
    if key == "$m":
        return _field(fact, argument)
    if key in ARITHMETIC:
        left, right = _value(argument["$l"], fact, bound), _value(argument["$r"], fact, bound)
        return MISSING if left is MISSING or right is MISSING else ARITHMETIC[key](left, right)
    if key in bound:
        return _field(bound[key], argument)
    raise EngineError(f"a value refers to {key!r}, which is neither an operator nor a fact bound earlier in the rule")


def _field(fact: Fact, dotted: str) -> Any:
    """A field of a fact, `a.b` reaching into nested objects as durable-rules does; MISSING when absent."""
    node: Any = fact
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node
