"""The JSON Schemas of chc's inputs and outputs, and validation that reports file and line."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError, Problem, in_order
from checker.load.yamlfile import YamlDoc

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).parent / "schemas"
ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema `name` (e.g. "policy") from checker/schemas."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def contract() -> dict[str, dict[str, Any]]:
    """The register contract: column name → its JSON Schema, from the register schema."""
    return schema("register")["properties"]


def required_columns() -> list[str]:
    return schema("register")["required"]


@cache
def validator(name: str) -> Draft202012Validator:
    """jsonschema loads here, when a file the user gave is refused and its problems are put in words: chc's bundled
    files are validated by its tests."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _pattern})(schema(name))


def _pattern(checker: Any, pattern: str, instance: Any, _schema: Any) -> Iterator[Any]:
    """JSON Schema's `pattern` as the standard (ECMA-262) and jsonschema-rs read it: `$` ends the text, where Python's
    `$` also matches before a final line break and would pass '6.5\\n' as a provision id."""
    from jsonschema.exceptions import ValidationError

    if checker.is_type(instance, "string") and not re.search(re.sub(r"(?<!\\)\$$", r"\\Z", pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _accepts(name: str) -> Callable[[Any], bool]:
    """jsonschema-rs's check of schema `name`: a valid file passes in microseconds, without the 30 ms it takes to
    import jsonschema. Only a file it refuses goes on to jsonschema, which has the last word and the messages."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema(name)).is_valid


def _accepted(name: str, data: Any) -> bool:
    try:
        return _accepts(name)(data)
    except (ValueError, TypeError):  # a value JSON has no type for (YAML's !!binary): jsonschema puts it in words
        return False


def validate_doc(doc: YamlDoc, name: str, real_dates: bool = True) -> None:
    """Raise InputError listing every schema violation in `doc`, each with its line, and (unless the caller checks
    them itself with its other problems) every impossible date."""
    problems = _impossible_dates(doc, doc.data, ()) if real_dates else []
    if not problems and _accepted(name, doc.data):
        return
    from difflib import get_close_matches

    from jsonschema.exceptions import best_match

    for err in validator(name).iter_errors(doc.data):
        detail = best_match([err]) if err.context else err
        where = tuple(detail.absolute_path)
        if detail.validator == "additionalProperties":
            # name each unknown key at its own line, where the typo is
            known = [str(k) for k in detail.schema.get("properties", {})]
            for key in sorted(set(detail.instance) - set(detail.schema.get("properties", {})), key=str):
                close = get_close_matches(str(key), known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(doc.problem(where + (key,), f"unknown key '{key}'{hint}"))
        elif where in doc.numbers and _wants_text(detail):
            written = doc.numbers[where]
            problems.append(doc.problem(where, f"{written} is a number to YAML, not text: write '{written}' in quotes"))
        else:
            problems.append(doc.problem(where, _message(detail)))
    if problems:
        raise InputError(in_order(problems))


def _impossible_dates(doc: YamlDoc, node: Any, where: tuple[Any, ...]) -> list[Problem]:
    """Quoted dates that cannot be ('2025-02-30'): the schemas only check their shape, and a report would fail on them."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _impossible_dates(doc, value, where + (key,))]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _impossible_dates(doc, value, where + (i,))]
    if isinstance(node, str) and re.fullmatch(ISO_DATE[1:-1], node):
        try:
            dt.date.fromisoformat(node)
        except ValueError:
            return [doc.problem(where, f"'{node}' is not a real date (there is no such day in the calendar)")]
    return []


def _wants_text(err: Any) -> bool:
    """A type error where text belongs: an unquoted 6.10 is the float 6.1 to YAML, and quoting it is the fix."""
    kinds = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    return err.validator == "type" and "string" in kinds


KINDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
         "array": "a list", "object": "a mapping of keys to values", "null": "empty"}


def _message(err: Any) -> str:
    """A schema violation in chc's words: jsonschema's own messages change from one release to the next."""
    rule, value, instance = err.validator, err.validator_value, err.instance
    shown = _shown(instance)
    if rule == "required":
        missing = next((key for key in value if key not in instance), value[0])
        return f"'{missing}' is required"
    if rule == "type":
        return f"{shown} is not {' or '.join(KINDS.get(str(t), str(t)) for t in (value if isinstance(value, list) else [value]))}"
    if rule == "enum":
        return f"{shown} is not one of: {', '.join(_shown(v) for v in value)}"
    if rule == "const":
        return f"{shown} must be {_shown(value)}"
    if rule == "pattern" and value == ISO_DATE:
        return f"{shown} is not a date in the form YYYY-MM-DD"
    if rule in ("pattern", "format", "propertyNames"):
        return f"{shown} is not in the form this field takes"
    if rule in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most", "exclusiveMaximum": "less than"}[rule]
        return f"{shown} must be {bound} {value}"
    if rule == "minLength":
        return "must not be blank" if value == 1 else f"{shown} is shorter than {value} characters"
    if rule == "maxLength":
        return f"is longer than {value} characters"
    if rule in ("minItems", "minProperties"):
        return "must not be empty" if value == 1 else f"needs at least {value} entries"
    if rule in ("maxItems", "maxProperties"):
        return f"has more than {value} entries"
    if rule == "uniqueItems":
        return "lists the same value twice"
    return f"{shown} is not allowed here"


def _shown(value: Any) -> str:
    """A value as the file wrote it: text quoted, numbers and true/false as they are, long text cut."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return "empty" if value is None else str(value)
