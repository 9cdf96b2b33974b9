"""Shared helpers: run the real pipeline on the bundled example, patched per test."""

from __future__ import annotations

import copy
import importlib
import json
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import polars as pl
import pytest
import yaml
from click.testing import CliRunner, Result

from checker.derive.period import parse_period
from checker.load.catalogue import load_catalogue
from checker.load.policy import load_policy
from checker.load.register import load_register
from checker.load.resources import bundled, default_code
from checker.load.rule_checks import columns_read
from checker.load.rulebook import load_rulebook
from checker.verdict import engine, engine_builtin
from checker.verdict.assessment import Assessment, assess
from cli import main

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def bench_module(name: str) -> ModuleType:
    """A script of bench/ as a module: bench/ is no package, and its scripts import each other by name, as they do
    when run from there."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)
EXAMPLE = ROOT / "fixtures" / "example"
EXPECTED = yaml.safe_load((EXAMPLE / "expected.yaml").read_text())
EXAMPLE_ARGS = ["--policy", str(EXAMPLE / "policy.yaml"), "--register", str(EXAMPLE / "register.csv"), "--period", "2024-25"]
EPOCH = {"SOURCE_DATE_EPOCH": "1746057600"}  # 2025-05-01 00:00 UTC: documents stamped alike on every run
DURABLE = engine._durable()  # None where durable-rules is not installed (Python 3.13+)


def with_metadata(rule: dict[str, Any]) -> dict[str, Any]:
    """A test rule with the metadata every rule file must give: evidence_kind, rationale, since and (case and
    register rules) requires, listing exactly the register columns it reads."""
    out = {**rule, "evidence_kind": "declared" if rule["scope"] == "policy" else "measured",
           "rationale": "A rule written by a test, to exercise chc.", "since": "0.1.0"}
    if rule["scope"] != "policy":
        out["requires"] = sorted(columns_read(rule["scope"], rule.get("select"), rule["breach"]))
    return out


@contextmanager
def using(backend: ModuleType | SimpleNamespace) -> Iterator[None]:
    """Run the verdict engine as `backend` for the duration."""
    saved = engine.BACKEND
    engine.BACKEND = backend  # type: ignore[assignment]
    try:
        yield
    finally:
        engine.BACKEND = saved


def _compared(rules: dict[str, Any], facts: list[dict[str, Any]]) -> list[Any]:
    """durable-rules' firings, after checking that the built-in evaluator fires exactly the same bindings (as a set:
    durable-rules repeats a binding once per matching branch of a `$or`, which checker/verdict/engine.py folds)."""
    def canonical(firings):
        return sorted({(name, json.dumps(bound, sort_keys=True)) for name, bound in firings})

    fired = DURABLE.run(rules, facts)
    assert canonical(fired) == canonical(engine_builtin.run(rules, facts)), "the two verdict engines disagree"
    return fired


# both engines on every call, compared: where durable-rules is not installed, the built-in evaluator alone
BOTH_ENGINES = SimpleNamespace(NAME="both engines, compared", run=_compared) if DURABLE else engine_builtin


def chc(*args: Any, env: dict[str, str] | None = None) -> Result:
    """The command line, in process."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def write_policy(folder: Path, name: str = "policy.yaml", data: dict[str, Any] | None = None, **changes: Any) -> Path:
    """The example policy (or `data`) with `changes` (a__b=... sets a.b), written to folder/name."""
    data = copy.deepcopy(data or example_policy())
    for key, value in changes.items():
        set_dotted(data, key.replace("__", "."), value)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class HtmlPage(HTMLParser):
    """Every tag with its attributes, the text of each table cell with its class, all text, and the CSS."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._cell: str | None = None
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"
        if tag == "td":
            self._cell = dict(attrs).get("class") or ""
            self.cells.append((self._cell, ""))

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        self._in_style = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_style:
            self.styles.append(data)
        if self._cell is not None:
            cls, text = self.cells[-1]
            self.cells[-1] = (cls, text + data)


def parse_html(html: str) -> HtmlPage:
    page = HtmlPage()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(default_code())


@pytest.fixture(scope="session")
def rulebook(catalogue):
    return load_rulebook([bundled("rules")], catalogue)


def example_policy() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLE / "policy.yaml").read_text())


def example_rows() -> pl.DataFrame:
    return pl.read_csv(EXAMPLE / "register.csv", infer_schema=False)


def planted(year: str = "2024-25") -> set[str]:
    return {cid for key, ids in EXPECTED[year].items() if key != "not_breaches" for cid in ids}


def clean_rows() -> pl.DataFrame:
    """The example register without its planted breaches (and the escalations that hang off them)."""
    drop = planted("2024-25") | planted("2023-24")
    rows = example_rows().filter(~pl.col("case_id").is_in(list(drop)))
    return rows.filter(pl.col("escalated_from").is_null() | pl.col("escalated_from").is_in(rows["case_id"].to_list()))


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set (or, with None, delete) a dotted key such as policy.time_limit_months."""
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value


def patch_rows(rows: pl.DataFrame, patches: dict[str, dict[str, Any]]) -> pl.DataFrame:
    for case_id, cells in patches.items():
        assert case_id in rows["case_id"].to_list(), f"{case_id} is not in the fixture register"
        for column, value in cells.items():
            rows = rows.with_columns(
                pl.when(pl.col("case_id") == case_id).then(pl.lit(None if value is None else str(value), pl.Utf8))
                .otherwise(pl.col(column)).alias(column)
            )
    return rows


@pytest.fixture
def run(tmp_path, catalogue, rulebook):
    """run(policy_patch=..., rows=..., period=...) → Assessment, through the real loaders."""

    def _run(policy_patch: dict[str, Any] | None = None, rows: pl.DataFrame | None = None,
             period: str = "2024-25", policy_data: dict[str, Any] | None = None) -> Assessment:
        data = copy.deepcopy(policy_data or example_policy())
        for key, value in (policy_patch or {}).items():
            set_dotted(data, key, value)
        policy_path = write_policy(tmp_path, data=data)
        register_path = tmp_path / "register.csv"
        (rows if rows is not None else example_rows()).write_csv(register_path)
        return assess(load_policy(policy_path), load_register(register_path), catalogue, rulebook, parse_period(period))

    return _run


def result(assessment: Assessment, provision: str):
    return next(r for r in assessment.results if r.provision.id == provision)


STAMP = ["--generated-at", "2025-05-01T09:00:00Z"]
ASSESS_FORMATS = ("table", "json", "md", "html", "docx", "xlsx", "csv", "junit", "sarif")
REPORT_FORMATS = ("json", "md", "html", "docx")


def every_output(tmp_path: Path, register: Path, *extra: str, tag: str = "") -> list[Path]:
    """Write every format of assess, report and annual-report to tmp_path and return the files."""
    base = ["--policy", str(EXAMPLE / "policy.yaml"), "--register", str(register), "--period", "2024-25", *STAMP, *extra]
    files = []
    pairs = []
    for fmt in ASSESS_FORMATS:
        files.append(tmp_path / f"assess{tag}.{fmt}")
        pairs += ["--format", fmt, "--output", str(files[-1])]
    out = chc("assess", *base, *pairs)
    assert out.exit_code == 0, out.output
    for command in ("report", "annual-report"):
        pairs = []
        for fmt in REPORT_FORMATS:
            files.append(tmp_path / f"{command}{tag}.{fmt}")
            pairs += ["--format", fmt, "--output", str(files[-1])]
        out = chc(command, *base, "--by", "quarter", "--compare", "previous-year", *pairs)
        assert out.exit_code == 0, out.output
    return files


def readable_text(path: Path) -> str:
    """What a reader could see in a file: Office files are zips of XML."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")
