"""Fuzzing every loader: whatever the file holds, chc reads it or raises InputError (exit 2), never anything else.

Each loader gets random bytes, random text and random mutations of a valid file; each kind of file then goes once
through the command line, which must exit 0 or 2 without a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from checker.derive.period import parse_period
from checker.errors import InputError
from checker.load.activity import learning_in, load_activity, ombudsman_figures
from checker.load.mapping import load_mapping
from checker.load.policy import load_policy
from checker.load.register import contract, load_register
from checker.load.rule_checks import _kinds
from checker.load.rulebook import load_rulebook
from checker.verdict.assessment import assess
from checker.verdict.waivers import load_waivers
from cli import main
from conftest import EXAMPLE, EXAMPLE_ARGS, with_metadata

SCALE = float(os.environ.get("CHC_FUZZ_SCALE", "1"))  # docs/ci.md: CHC_FUZZ_SCALE=20 for a deep run


def examples(n: int) -> int:
    return max(1, round(n * SCALE))


FUZZ = settings(max_examples=examples(100), deadline=dt.timedelta(seconds=5), database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
COLUMNS = list(contract())
# an export of the register's first columns: it has no awareness or extension-notice columns, as many do not
HEADER = ",".join(c for c in COLUMNS if c not in ("aware_date", "extension_good_reason", "extension_notified_date"))
VALID_ROW = "A1,complaint,1,,HDC,Repairs,damp,lcra,2024-04-01,2024-05-07,2024-05-08,,2024-05-20,upheld,,,,yes,CO-01,50,apology,,"
REGISTER_CSV = f"{HEADER}\n{VALID_ROW}\nA2,enquiry,,,,,,,,07/05/2024,,,,,,,,,,,,,\n"


@contextmanager
def _file(name: str, data: bytes | str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        yield path


def _reads_or_input_error(load: Callable[[], Any]) -> None:
    """The property: the loader returns, or raises InputError with at least one problem; any other exception fails."""
    try:
        load()
    except InputError as err:
        assert err.problems


# --- values -------------------------------------------------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=20), st.dates().map(str), st.sampled_from(["", "2025-02-30", "6.2", "yes", "~", "*x"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


def _paths(node: Any, where: tuple = ()) -> list[tuple]:
    """Every path of keys and indexes in a document."""
    found = [where]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, where + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, where + (i,))
    return found


@st.composite
def mutated(draw, original: Any) -> Any:
    """A document with 1-4 random edits: a value deleted, retyped (any YAML value) or a key (of any type) added."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return draw(VALUES)
        where = draw(st.sampled_from(paths))
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["delete", "retype", "add"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "retype":
            parent[where[-1]] = draw(VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none()))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return data


@st.composite
def yaml_texts(draw, original_text: str) -> str:
    """Valid documents mutated as data, and the original text cut, spliced with junk, or given a key twice."""
    data = yaml.safe_load(original_text)
    kind = draw(st.sampled_from(["data", "data", "text", "duplicate", "scalar"]))
    if kind == "data":
        return yaml.safe_dump(draw(mutated(data)), allow_unicode=True, sort_keys=False)
    if kind == "scalar":
        return yaml.safe_dump(draw(VALUES))
    lines = original_text.splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate":
        return "".join(lines[:i + 1] + [lines[i]] + lines[i + 1:])
    cut = draw(st.integers(0, len(original_text)))
    return original_text[:cut] + draw(st.text(max_size=30)) + original_text[cut + draw(st.integers(0, 40)):]


def _any_file(valid: str) -> st.SearchStrategy[bytes | str]:
    return st.one_of(st.binary(max_size=300), st.text(max_size=300), yaml_texts(valid))


# --- the register -------------------------------------------------------------------------------------------------

def _cell() -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=12), st.sampled_from(["", "1", "2", "complaint", "2024-05-07", "31/02/2024", "NaN", "-1", '"', "\r", "£"]))


@FUZZ
@given(data=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda body: f"{HEADER}\n{body}"),
    st.lists(st.lists(_cell(), min_size=0, max_size=len(COLUMNS) + 2), min_size=1, max_size=8).map(
        lambda rows: HEADER + "\n" + "\n".join(",".join(r) for r in rows)),
    st.binary(max_size=60).flatmap(lambda junk: st.integers(0, len(REGISTER_CSV)).map(
        lambda at: REGISTER_CSV.encode()[:at] + junk + REGISTER_CSV.encode()[at:])),
))
def test_register_csv(data):
    with _file("register.csv", data) as path:
        _reads_or_input_error(lambda: load_register(path))


XLSX_VALUES = st.one_of(st.none(), st.text(max_size=12).filter(lambda s: not s.startswith("=")), st.integers(-10**6, 10**6),
                        st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans(),
                        st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
                        st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)))


@settings(FUZZ, max_examples=examples(70))
@given(header=st.lists(st.one_of(st.sampled_from(COLUMNS), XLSX_VALUES), max_size=8),
       rows=st.lists(st.lists(XLSX_VALUES, max_size=8), max_size=6))
def test_register_xlsx(header, rows):
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append([_printable(v) for v in row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        book.save(path)
        _reads_or_input_error(lambda: load_register(path))


def _printable(value: Any) -> Any:
    """openpyxl refuses control characters in cells; Excel cannot hold them either."""
    return "".join(c for c in value if c >= " ") if isinstance(value, str) else value


JSON_RECORDS = st.lists(st.dictionaries(st.sampled_from([*COLUMNS, "x"]), st.one_of(SCALARS, VALUES), max_size=6), max_size=6)


@FUZZ
@given(data=st.one_of(
    st.binary(max_size=200),
    VALUES.map(lambda v: json.dumps(v, allow_nan=True)),
    JSON_RECORDS.map(json.dumps),
    JSON_RECORDS.map(lambda r: json.dumps({"cases": r})),
))
def test_register_json(data):
    with _file("register.json", data) as path:
        _reads_or_input_error(lambda: load_register(path))


# --- YAML inputs --------------------------------------------------------------------------------------------------

MAPPING = "columns: {case_id: Ref No, received_date: Date Received}\nvalues: {outcome: {Upheld in full: upheld}, stage: {One: 1}}\n"
MAPPED_CSV = "Ref No,contact_type,stage,Date Received,outcome\nA1,complaint,One,2024-05-07,Upheld in full\nA2,enquiry,,2024-05-08,\n"


@FUZZ
@given(data=st.one_of(_any_file(MAPPING), st.dictionaries(st.sampled_from(COLUMNS), st.sampled_from(["Ref No", "Date Received", "Outcome", "x"]),
                                                           max_size=4).map(lambda c: yaml.safe_dump({"columns": c}))))
def test_mapping_alone_and_applied_to_a_register(data):
    with _file("mapping.yaml", data) as path, _file("export.csv", MAPPED_CSV) as export:
        try:
            mapping = load_mapping(path)
        except InputError as err:
            assert err.problems
            return
        _reads_or_input_error(lambda: load_register(export, mapping))


POLICY = (EXAMPLE / "policy.yaml").read_text(encoding="utf-8")


@settings(FUZZ, max_examples=examples(150))
@given(data=_any_file(POLICY))
def test_policy(data):
    with _file("policy.yaml", data) as path:
        _reads_or_input_error(lambda: load_policy(path))


WAIVERS = (EXAMPLE / "waivers.yaml").read_text(encoding="utf-8")


@FUZZ
@given(data=_any_file(WAIVERS))
def test_waivers(data, catalogue, rulebook):
    with _file("waivers.yaml", data) as path:
        _reads_or_input_error(lambda: load_waivers(path, catalogue, rulebook))


RULES = (EXAMPLE / "rules" / "harrowden.yaml").read_text(encoding="utf-8")


@FUZZ
@given(data=_any_file(RULES))
def test_rules(data, catalogue):
    with _file("mine.yaml", data) as path:
        _reads_or_input_error(lambda: load_rulebook([path.parent], catalogue))


# rules built from the condition grammar: schema-valid, so they reach the kind checks; one that loads must run
CASE_FIELDS = sorted(_kinds("case"))
POLICY_FACTS = sorted(_kinds("policy"))
REGISTER_FIGURES = sorted(_kinds("register"))
PARAMS = ["acknowledge_working_days", "respond_working_days", "max_extension_working_days", "6.4.max_extension_working_days"]
LITERALS = st.one_of(st.booleans(), st.integers(-5, 30), st.floats(-5, 30, allow_nan=False), st.sampled_from([0.00001, 1e20]),
                     st.sampled_from(["complaint", "1", "yes", "upheld", "x", ""]))


def _value(fields: list[str]) -> st.SearchStrategy[Any]:
    one = st.one_of(LITERALS, st.sampled_from(fields).map(lambda f: {"field": f}), st.sampled_from(PARAMS).map(lambda p: {"param": p}),
                    st.sampled_from(POLICY_FACTS).map(lambda p: {"policy": p}))
    return st.one_of(one, st.lists(one, min_size=2, max_size=3).map(lambda v: {"add": v}))


def _condition(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.builds(lambda f, op, v: {"field": f, op: v}, st.sampled_from(fields), st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte"]), _value(fields)),
        st.builds(lambda f, op, v: {"field": f, op: v}, st.sampled_from(fields), st.sampled_from(["in", "not_in"]),
                  st.one_of(st.lists(LITERALS, min_size=1, max_size=3), st.sampled_from(POLICY_FACTS).map(lambda p: {"policy": p}))),
        st.builds(lambda f, b: {"field": f, "present": b}, st.sampled_from(fields), st.booleans()),
    )
    return st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3).map(lambda c: {"all": c}),
                                                      st.lists(inner, min_size=1, max_size=3).map(lambda c: {"any": c}),
                                                      inner.map(lambda c: {"not": c})), max_leaves=4)


@st.composite
def rules(draw) -> dict[str, Any]:
    scope = draw(st.sampled_from(["case", "case", "policy", "register"]))
    fields = {"case": CASE_FIELDS, "policy": POLICY_FACTS, "register": REGISTER_FIGURES}[scope]
    rule = {"id": "LL-6.2-FUZZ", "provisions": ["6.2"], "title": "t", "scope": scope, "severity": "low",
            "breach": draw(_condition(fields)), "evidence": "{examined} examined", "remediation": "y"}
    if scope == "case":
        rule["select"] = draw(_condition(fields))
    return with_metadata(rule)


SMALL_REGISTER = (
    f"{HEADER}\n{VALID_ROW}\n"
    "A2,complaint,2,A1,HDC,Repairs,,lcra,,2024-05-21,2024-05-22,2024-06-10,2024-06-07,not_upheld,,,,yes,CO-02,,,,\n"
    "A3,complaint,1,,HRL,Income,,lcho,2023-01-02,2024-06-03,,,2024-06-04,not_accepted,out_of_time,no,yes,yes,CO-01,,,,\n"
    "A4,service_request,,,HDC,Repairs,,lcra,,2024-07-01,,,,,,,,,,,,,\n"
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Any, Any]:
    """The example policy and a small register."""
    folder = tmp_path_factory.mktemp("loaded")
    (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (folder / "register.csv").write_text(SMALL_REGISTER, encoding="utf-8")
    return load_policy(folder / "policy.yaml"), load_register(folder / "register.csv")


def _found(select: dict[str, Any]) -> dict[str, Any]:
    """A rule this test once found failing, kept as an explicit example."""
    return with_metadata({"id": "LL-6.2-FUZZ", "provisions": ["6.2"], "title": "t", "scope": "case", "severity": "low", "select": select,
                          "breach": {"field": "acknowledged", "eq": False}, "evidence": "{examined} examined", "remediation": "y"})


@settings(FUZZ, max_examples=examples(60))
@given(rule=rules())
@example(rule=_found({"field": "acknowledged", "in": {"policy": "policy.exclusion_reasons"}}))  # true/false among text
@example(rule=_found({"field": "months_since_issue", "in": [0, 0.0]}))  # a whole and a decimal number in one list
@example(rule=_found({"field": "months_since_issue", "in": [0.0]}))  # a decimal for a whole-number column
def test_a_rule_that_loads_also_runs(rule, catalogue, loaded):
    """A rule that passes every check must assess without error: a type mismatch must be caught when loading, not
    met at the assessment (a polars or durable-rules traceback) or, worse, turned into a verdict."""
    with _file("mine.yaml", yaml.safe_dump({"rules": [rule]})) as path:
        try:
            book = load_rulebook([path.parent], catalogue)
        except InputError as err:
            assert err.problems
            event("refused")
            return
        event("loaded and run")
        assess(*loaded, catalogue, book, parse_period("2024-25"), today=dt.date(2025, 5, 1))


ACTIVITY = {kind: (EXAMPLE / f"{kind}.yaml").read_text(encoding="utf-8") for kind in ("ombudsman", "learning", "benchmarks")}


@FUZZ
@given(kind=st.sampled_from(sorted(ACTIVITY)), data=st.data())
def test_activity(kind, data):
    """And what loads can be counted for a report (the figures read every date and status)."""
    with _file(f"{kind}.yaml", data.draw(_any_file(ACTIVITY[kind]))) as path:
        try:
            activity = load_activity(EXAMPLE / "policy.yaml", {kind: path})
        except InputError as err:
            assert err.problems
            return
    ombudsman_figures(activity.ombudsman, parse_period("2024-25"))
    learning_in(activity.learning, parse_period("2024-25"))


# --- once each through the command line ---------------------------------------------------------------------------

def _scrambled(text: str, seed: int) -> bytes:
    """The file with a few bytes overwritten, a few lines dropped and a few doubled: a damaged copy."""
    rng = random.Random(seed)
    lines = text.encode("utf-8").splitlines(keepends=True)
    for _ in range(3):
        i = rng.randrange(len(lines))
        lines[i:i + 1] = rng.choice([[], [lines[i], lines[i]], [bytes(rng.randrange(256) for _ in range(len(lines[i])))]])
    return b"".join(lines)


CLI_CASES = {
    "register": ("register.csv", (EXAMPLE / "register.csv").read_text(encoding="utf-8"), lambda p: ["assess", *EXAMPLE_ARGS, "--register", p]),
    "mapping": ("mapping.yaml", MAPPING, lambda p: ["assess", *EXAMPLE_ARGS, "--mapping", p]),
    "policy": ("policy.yaml", POLICY, lambda p: ["assess", *EXAMPLE_ARGS, "--policy", p]),
    "waivers": ("waivers.yaml", WAIVERS, lambda p: ["assess", *EXAMPLE_ARGS, "--waivers", p]),
    "rules": ("mine.yaml", RULES, lambda p: ["assess", *EXAMPLE_ARGS, "--rules", str(Path(p).parent)]),
    "ombudsman": ("ombudsman.yaml", ACTIVITY["ombudsman"], lambda p: ["report", *EXAMPLE_ARGS, "--ombudsman", p, "--format", "json"]),
    "learning": ("learning.yaml", ACTIVITY["learning"], lambda p: ["report", *EXAMPLE_ARGS, "--learning", p, "--format", "json"]),
    "benchmarks": ("benchmarks.yaml", ACTIVITY["benchmarks"], lambda p: ["report", *EXAMPLE_ARGS, "--benchmarks", p, "--format", "json"]),
}


@pytest.mark.parametrize("kind", sorted(CLI_CASES))
@pytest.mark.parametrize("seed", [1, 2])
def test_the_command_line_exits_0_or_2_on_a_damaged_file(kind, seed):
    name, text, args = CLI_CASES[kind]
    with _file(name, _scrambled(text, seed)) as path:
        result = CliRunner().invoke(main, args(str(path)))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert f"{path}:" in result.stderr
