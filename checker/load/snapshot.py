"""chc's own YAML (the bundled Code and rules, and the verdict engine's inference rules) as checker/load/yamlfile.py
loads it, kept in bundled.snapshot so that a run reads one file instead of parsing twenty (30 ms, a tenth of a
10,000-row assessment).

Each entry is keyed by the sha256 of the bytes it was loaded from, and a load is a function of those bytes alone: a
file whose bytes are in the snapshot is answered from it, whatever its path, and any other (a rule edited since, the
user's own files) is parsed from YAML as before, so the snapshot can never answer for a changed file.
tests/test_bundled.py fails when the snapshot is stale; `python -m checker.load.snapshot` writes it again.

A line a file: its sha256, its path (for the reader), and its data, lines and numbers as JSON, separated by tabs
(JSON writes a tab inside a text as \\t). Only the entry a load asks for is parsed, a fresh copy each time, as a
caller may change the data it is given.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "bundled.snapshot"


@cache
def _entries() -> dict[str, str]:
    """sha256 → the JSON of its entry; empty where the snapshot is missing (the YAML is then parsed)."""
    try:
        text = SNAPSHOT.read_text(encoding="utf-8")
    except OSError:
        return {}
    return {digest: entry for digest, _path, entry in (line.split("\t", 2) for line in text.splitlines())}


def lookup(sha256: str) -> tuple[Any, dict[tuple[Any, ...], int], dict[tuple[Any, ...], str]] | None:
    """The data, lines and numbers of the YAML whose bytes have this sha256, or None if the snapshot lacks it."""
    entry = _entries().get(sha256)
    if entry is None:
        return None
    data, lines, numbers = json.loads(entry)
    return data, {tuple(where): line for where, line in lines}, {tuple(where): text for where, text in numbers}


def sources() -> list[tuple[str, Path]]:
    """Every YAML file the snapshot holds, with its path as the checkout has it: the bundled rules and Code
    catalogues, and the inference rules."""
    from checker.load.resources import bundled
    from checker.verdict.infer import INFERENCE

    roots = [bundled("rules"), bundled("code_requirements")]
    return [*((f"{root.name}/{path.relative_to(root)}", path) for root in roots for path in sorted(root.rglob("*.yaml"))),
            ("checker/verdict/inference.yaml", INFERENCE)]


def render() -> str:
    """The snapshot of sources(), loaded from their YAML."""
    from checker.load.yamlfile import parse

    out = []
    for shown, path in sources():
        doc = parse(path)
        entry = [doc.data, [[list(where), line] for where, line in doc.lines.items()],
                 [[list(where), text] for where, text in doc.numbers.items()]]
        out.append(f"{doc.sha256}\t{shown}\t{json.dumps(entry, ensure_ascii=False, separators=(',', ':'))}\n")
    return "".join(out)


if __name__ == "__main__":
    SNAPSHOT.write_text(render(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
