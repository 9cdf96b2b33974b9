"""Safe YAML loading that remembers the line of every key, so errors can name file and line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checker.errors import Problem, fail

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # far above any real policy or rule file; stops an alias ("billion laughs") bomb
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when pyyaml has it: the same safe subset, faster
Path_ = tuple[Any, ...]


@dataclass
class YamlDoc:
    """A YAML document's data with the line (1-based) of each node, keyed by its path of keys and indexes."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, where: Path_) -> int | None:
        """The line of the node at `where`, or of its nearest ancestor that has one."""
        where = tuple(where)
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where[:-1]
        return self.lines.get((), 1)

    def problem(self, where: Path_, message: str) -> Problem:
        dotted = ".".join(str(p) for p in where) or None
        return Problem(str(self.path), self.line(where), dotted, message)


def load(path: Path) -> YamlDoc:
    """Read one YAML file with the safe loader; dates become ISO strings so schemas see one type."""
    try:
        return _load(path)
    except RecursionError:
        raise fail(str(path), None, None, "the YAML is nested too deeply to be a chc input") from None


def _load(path: Path) -> YamlDoc:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise fail(name, None, None, f"cannot read the file: {err.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise fail(name, None, None, f"the file is {len(raw):,} bytes; YAML inputs are limited to {MAX_BYTES:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise fail(name, None, None, f"not UTF-8 text (byte {err.start})") from None
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise fail(name, line, None, f"invalid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise fail(name, None, None, f"invalid YAML: {err}") from None
    if node is not None and _size(node) > MAX_NODES:
        raise fail(name, None, None, f"the YAML expands to more than {MAX_NODES:,} values (aliases repeated?); refusing to read it")
    try:
        data = yaml.constructor.SafeConstructor().construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise fail(name, mark.line + 1 if mark else None, None, f"invalid YAML: {err.problem or err.context}") from None
    except ValueError:
        raise _bad_timestamp(name, node) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _index(node, (), lines)
    return YamlDoc(path, _iso_dates(data), lines)


def _size(node: yaml.Node) -> int:
    """How many nodes the document has once aliases are expanded, counted without expanding them."""
    sizes: dict[int, int] = {}

    def count(n: yaml.Node) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        sizes[id(n)] = 1  # a cycle counts once
        children = [v for pair in n.value for v in pair] if isinstance(n, yaml.MappingNode) else \
            n.value if isinstance(n, yaml.SequenceNode) else []
        sizes[id(n)] = total = 1 + sum(count(c) for c in children)
        return total

    return count(node)


def _index(node: yaml.Node, where: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = where + (key.value,)
            lines[child] = key.start_mark.line + 1
            _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, where + (i,), lines)


def _bad_timestamp(name: str, node: yaml.Node) -> Exception:
    """YAML reads 2025-02-30 as a date and fails outside its own error types: find the scalar and say where."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(item)
            except ValueError as err:
                return fail(name, item.start_mark.line + 1, None, f"'{item.value}' is not a real date ({err})")
        elif isinstance(item, yaml.MappingNode):
            stack += [v for pair in item.value for v in pair]
        elif isinstance(item, yaml.SequenceNode):
            stack += item.value
    return fail(name, None, None, "invalid YAML value")


def _iso_dates(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _iso_dates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_iso_dates(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()[:10]
    return data
