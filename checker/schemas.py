"""The JSON Schemas of chc's inputs and outputs, and validation that reports file and line."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from checker.errors import InputError
from checker.yamlfile import YamlDoc

SCHEMA_DIR = Path(__file__).parent / "schemas"


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema `name` (e.g. "policy") from checker/schemas."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name))


def validate_doc(doc: YamlDoc, name: str) -> None:
    """Raise InputError listing every schema violation in `doc`, each with its line."""
    errors = list(validator(name).iter_errors(doc.data))
    if not errors:
        return
    problems = []
    for err in errors:
        detail = best_match([err]) if err.context else err
        where = tuple(detail.absolute_path)
        if detail.validator == "additionalProperties":
            # name each unknown key at its own line, where the typo is
            for key in sorted(set(detail.instance) - set(detail.schema.get("properties", {}))):
                problems.append(doc.problem(where + (key,), f"unknown key '{key}'"))
        else:
            problems.append(doc.problem(where, _message(detail)))
    problems.sort(key=lambda p: (p.row or 0, p.field or ""))
    raise InputError(problems)


def _message(err: Any) -> str:
    if err.validator == "required":
        return err.message.replace("is a required property", "is required")
    return err.message
