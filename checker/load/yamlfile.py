"""Safe YAML loading that remembers the line of every key, so errors can name file and line."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError, Problem, fail
from checker.load import snapshot
from checker.load.readfile import read_bytes

MAX_BYTES = 5 * 1024 * 1024
# control characters: C0 but tab, line feed and carriage return; DEL; C1 (refused in YAML, shown visibly in a register)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_NODES = 200_000  # far above any real policy or rule file; stops an alias ("billion laughs") bomb
MAX_DEPTH = 100  # real inputs nest a dozen levels; libyaml's composer crashes the process (no exception) near 100,000
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when pyyaml has it: the same safe subset, faster
# PyYAML's pure-Python parser has no nesting limit of its own, so chc's limit answers first with it; libyaml's
# (1,000 levels since PyYAML 6.0.4) would otherwise answer, in its own words, depending on the installed version
DEPTH_LOADER = yaml.SafeLoader
STR_TAG = "tag:yaml.org,2002:str"
NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
Path_ = tuple[Any, ...]


@dataclass
class YamlDoc:
    """A YAML document's data with the line (1-based) of each node, keyed by its path of keys and indexes."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    sha256: str = ""  # of the file's bytes as read, so a caller can cite exactly what it loaded without reading it again
    # each value YAML read as a number, as it was written (6.10 where the data holds the float 6.1), so that a message
    # about a number where text belongs quotes what the user wrote
    numbers: dict[Path_, str] = field(default_factory=dict)

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
    """Read one YAML file with the safe loader; dates become ISO strings so schemas see one type. The files chc ships
    are answered from the snapshot of their load (checker/load/snapshot.py), by the sha256 of their bytes."""
    raw = read_bytes(path, MAX_BYTES, "YAML inputs")
    digest = hashlib.sha256(raw).hexdigest()
    known = snapshot.lookup(digest)
    if known is not None:
        data, lines, numbers = known
        return YamlDoc(path, data, lines, digest, numbers)
    return _parsed(path, raw, digest)


def parse(path: Path) -> YamlDoc:
    """load() from the YAML itself, never from the snapshot (which is made of these)."""
    raw = read_bytes(path, MAX_BYTES, "YAML inputs")
    return _parsed(path, raw, hashlib.sha256(raw).hexdigest())


def _parsed(path: Path, raw: bytes, digest: str) -> YamlDoc:
    try:
        return _parse(path, raw, digest)
    except RecursionError:
        raise fail(str(path), None, None, "the YAML is nested too deeply to be a chc input") from None


def _parse(path: Path, raw: bytes, digest: str) -> YamlDoc:
    name = str(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise fail(name, None, None, f"not UTF-8 text (byte {err.start})") from None
    try:
        _check_depth(name, text)
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as err:
        raise _invalid(name, text, err) from None
    except yaml.YAMLError:
        raise fail(name, None, None, NOT_YAML) from None
    size, depth = (_tree_shape(node) or _shape(node)) if node is not None else (0, 0)
    if size > MAX_NODES:
        raise fail(name, None, None, f"the YAML expands to more than {MAX_NODES:,} values (aliases repeated?); refusing to read it")
    if depth > MAX_DEPTH:
        raise fail(name, None, None, f"the YAML is nested more than {MAX_DEPTH} levels deep once its aliases are expanded; refusing to read it")
    lines: dict[Path_, int] = {}
    numbers: dict[Path_, str] = {}
    if node is not None:
        duplicates: list[Problem] = []
        _index(node, (), lines, numbers, name, duplicates)
        if duplicates:
            raise InputError(duplicates)
    try:
        data = yaml.constructor.SafeConstructor().construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        raise _invalid(name, text, err) from None
    except ValueError:
        assert node is not None  # only a composed node is constructed
        raise _bad_timestamp(name, node) from None
    doc = YamlDoc(path, _iso_dates(data), lines, digest, numbers)
    controlled = [doc.problem(where, "holds a control character; remove it (chc's documents and reports cannot carry it)")
                  for where in _control_characters(doc.data, ())]
    if controlled:
        raise InputError(controlled)
    return doc


def _control_characters(node: Any, where: Path_) -> list[Path_]:
    """Where a text (key or value) holds a control character other than tab and line breaks."""
    if isinstance(node, dict):
        return [w for key, value in node.items()
                for w in ([where + (key,)] if isinstance(key, str) and CONTROL.search(key) else []) + _control_characters(value, where + (key,))]
    if isinstance(node, list):
        return [w for i, value in enumerate(node) for w in _control_characters(value, where + (i,))]
    return [where] if isinstance(node, str) and CONTROL.search(node) else []


def _check_depth(name: str, text: str) -> None:
    """Refuse deep nesting from the event stream (libyaml's parser keeps its own stack) before anything recurses.

    Nesting needs an indent, a "- " or a bracket per level, so a text whose bound is small is passed without
    walking its events (every real input: the Code and rules load twice as fast). The walk uses libyaml; where
    libyaml stops on its own (its nesting limit, or a syntax error), the pure-Python parser walks again, so that
    chc's limit and chc's message come first whatever libyaml's version does.
    """
    lines = text.splitlines() or [""]
    bound = (max(len(line) - len(line.lstrip(" ")) for line in lines) + max(line.count("- ") for line in lines)
             + text.count("[") + text.count("{"))
    if bound <= MAX_DEPTH:
        return
    try:
        _walk(name, text, LOADER)
    except yaml.YAMLError:
        _walk(name, text, DEPTH_LOADER)


def _walk(name: str, text: str, loader: Any) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise fail(name, line, None, f"the YAML is nested more than {MAX_DEPTH} levels deep; refusing to read it")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _shape(node: yaml.Node) -> tuple[int, int]:
    """How many nodes the document has once aliases are expanded, and how deep it then nests, counted without
    expanding them (a node shared by aliases is measured once) and without recursion. An alias that contains
    itself nests without end."""
    sizes: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        item, done = stack.pop()
        key = id(item)
        children = _children(item)
        if done:
            on_path.discard(key)
            measured = [sizes[id(c)] for c in children]
            sizes[key] = (1 + sum(s for s, _ in measured), 1 + max((d for _, d in measured), default=0))
            continue
        if key in sizes:
            continue
        if key in on_path:
            return MAX_NODES + 1, MAX_DEPTH + 1
        on_path.add(key)
        stack.append((item, True))
        stack += [(c, False) for c in children if id(c) not in sizes]
    return sizes[id(node)]


def _tree_shape(node: yaml.Node) -> tuple[int, int] | None:
    """_shape of a document that is a tree, counted a level at a time, twenty times as fast (every run reads the Code
    and the rules); None as soon as a node is reached twice (an alias), before anything is expanded."""
    seen: set[int] = set()
    size = depth = 0
    level = [node]
    while level:
        seen.update(map(id, level))
        size, depth = size + len(level), depth + 1
        if len(seen) != size:
            return None
        level = [child for item in level for child in _children(item)]
    return size, depth


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [v for pair in node.value for v in pair]
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _index(node: yaml.Node, where: Path_, lines: dict[Path_, int], numbers: dict[Path_, str], name: str,
           duplicates: list[Problem]) -> None:
    """Record each node's line, and the text of each value YAML reads as a number; make every key written as a
    number the text written (provision 6.10 is not the float 6.1, which 6.1 is too: the two would collide silently,
    and an export's word 01 is not 1); a key given twice in one mapping is a problem (YAML would keep the last
    silently), `6.1` and `'6.1'` included."""
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            child = where + (key.value,)
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode) and key.tag in NUMBER_TAGS:
                key.tag = STR_TAG
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if (key.tag, key.value) in first:
                    dotted = ".".join(str(p) for p in child)
                    duplicates.append(Problem(name, line, dotted, f"duplicate key '{key.value}' (first at line {first[key.tag, key.value]})"))
                    continue
                first[key.tag, key.value] = line
            lines[child] = line
            _index(value, child, lines, numbers, name, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, where + (i,), lines, numbers, name, duplicates)
    elif node.tag in NUMBER_TAGS:
        numbers[where] = node.value


NOT_YAML = "this is not valid YAML: check the indentation, the colons and the quotes"


def _invalid(name: str, text: str, err: yaml.MarkedYAMLError) -> InputError:
    """A YAML syntax error at the line and column the parser marks, in chc's words (never the parser's, which
    change from one PyYAML or libyaml version to the next), naming the commonest cause that the text shows."""
    mark = err.problem_mark or err.context_mark
    if mark is None:
        return fail(name, None, None, NOT_YAML)
    lines = text.splitlines()
    for where in sorted({m.line for m in (err.context_mark, mark) if m is not None and m.line < len(lines)}):
        line = lines[where]
        key, _, value = line.partition(": ")
        indent = line[:len(line) - len(line.lstrip())]
        if "\t" in indent:
            return _at(name, where, indent.index("\t"), "the line is indented with a tab; YAML indents with spaces only")
        quote = value.lstrip()[:1]
        if quote in ("'", '"') and quote not in value.lstrip()[1:]:
            return _at(name, where, line.index(quote, len(key)), f"the value opens a quote ({quote}) that the line does not close")
        if ": " in value and quote not in ("'", '"', "{", "["):
            return _at(name, where, line.index(": ", len(key) + 2), "a value that holds ': ' must be put in quotes")
    return _at(name, mark.line, mark.column, "check the indentation, the colons and the quotes")


def _at(name: str, line: int, column: int, cause: str) -> InputError:
    """file:line: the message, with the 0-based line and column made 1-based as an editor shows them."""
    return fail(name, line + 1, None, f"this is not valid YAML (column {column + 1}): {cause}")


def _bad_timestamp(name: str, node: yaml.Node) -> Exception:
    """YAML reads 2025-02-30 as a date and fails outside its own error types: find the scalar and say where."""
    stack: list[tuple[yaml.Node, Path_]] = [(node, ())]
    seen: set[int] = set()
    while stack:
        item, where = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(item)
            except ValueError:
                dotted = ".".join(str(p) for p in where) or None
                return fail(name, item.start_mark.line + 1, dotted, f"'{item.value}' is not a real date (there is no such day in the calendar)")
        elif isinstance(item, yaml.MappingNode):
            stack += [(v, where + (k.value,)) for k, v in item.value] + [(k, where) for k, _ in item.value]
        elif isinstance(item, yaml.SequenceNode):
            stack += [(v, where + (i,)) for i, v in enumerate(item.value)]
    return fail(name, None, None, "invalid YAML value")


def _iso_dates(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _iso_dates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_iso_dates(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()[:10]
    return data
