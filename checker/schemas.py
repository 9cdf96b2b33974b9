"""The JSON Schemas of chc's inputs and outputs, and validation that reports file and line."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from checker.errors import InputError, Problem, in_order
from checker.yamlfile import YamlDoc

SCHEMA_DIR = Path(__file__).parent / "schemas"
ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema `name` (e.g. "policy") from checker/schemas."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name))


def validate_doc(doc: YamlDoc, name: str, real_dates: bool = True) -> None:
    """Raise InputError listing every schema violation in `doc`, each with its line, and (unless the caller checks
    them itself with its other problems) every impossible date."""
    problems = _impossible_dates(doc, doc.data, ()) if real_dates else []
    for err in validator(name).iter_errors(doc.data):
        detail = best_match([err]) if err.context else err
        where = tuple(detail.absolute_path)
        if detail.validator == "additionalProperties":
            # name each unknown key at its own line, where the typo is
            known = [str(k) for k in detail.schema.get("properties", {})]
            for key in sorted(set(detail.instance) - set(detail.schema.get("properties", {})), key=str):
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(doc.problem(where + (key,), f"unknown key '{key}'{hint}"))
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
        except ValueError as err:
            return [doc.problem(where, f"'{node}' is not a real date ({err})")]
    return []


def _message(err: Any) -> str:
    if err.validator == "required":
        return err.message.replace("is a required property", "is required")
    if err.validator == "pattern" and err.validator_value == ISO_DATE:
        return f"{err.instance!r} is not a date in the form YYYY-MM-DD"
    return err.message
