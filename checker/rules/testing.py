"""Run rule test files: each case patches a base policy and register and checks one rule's outcome.

A landlord who writes its own rules needs to see each one fail where it should and pass where it should, as
`opa test` does for policies. Every case runs the real pipeline: the patched inputs are written out and read
back through the loaders `chc assess` uses, so a patch that makes bad input is reported as bad input.
The format is documented in docs/rules.md and checked by checker/load/schemas/ruletest.schema.json.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
import yaml

from checker.derive.dates import parse_date
from checker.derive.period import Period, parse_period
from checker.errors import InputError, Problem, fail
from checker.load.activity import ombudsman_beside, read_activity_file, read_ombudsman
from checker.load.catalogue import Catalogue
from checker.load.mapping import load_mapping
from checker.load.policy import load_policy
from checker.load.register import ROW, load_register, required_columns
from checker.load.resources import bundled
from checker.load.rulebook import Rule, Rulebook, load_rulebook
from checker.load.schemas import validate_doc
from checker.load.yamlfile import YamlDoc, load
from checker.verdict.assessment import assess
from checker.verdict.infer import Outcome

Where = tuple[Any, ...]
T = TypeVar("T")
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when PyYAML has it: the same output, 20 times faster


@dataclass(frozen=True)
class CaseResult:
    """One case: the outcome it expected, the outcome the pipeline gave, and why they differ (None when they agree)."""

    file: str
    line: int
    rule_id: str
    expected: str
    got: str
    mismatch: str | None
    name: str = ""
    item: int | None = None  # its place in a list of cases expecting the same outcome

    @property
    def passed(self) -> bool:
        return self.mismatch is None

    @property
    def title(self) -> str:
        """What the output calls the case: rule, outcome and name, or its number in a list when it has no name."""
        return _title(self.rule_id, self.expected, self.name, self.item)


def _title(rule_id: str, expected: str, name: str, item: int | None) -> str:
    label = f' "{name}"' if name else f" #{item + 1}" if item is not None else ""
    return f"{rule_id} {expected}{label}"


@dataclass
class _Case:
    rule: Rule
    expected: str
    where: Where
    spec: dict[str, Any]
    policy: dict[str, Any]
    rows: pl.DataFrame
    item: int | None
    ombudsman: dict[str, Any] | None = None  # the record of the Ombudsman's activity the case is judged with

    @cached_property
    def texts(self) -> tuple[str, str]:
        """The patched policy and register as written for the loaders, made once however often the case runs."""
        return yaml.dump(self.policy, Dumper=DUMPER, sort_keys=False, allow_unicode=True), self.rows.write_csv()


@dataclass
class RuleTestFile:
    """One test file, read and checked, with every case's patched inputs built and not yet run."""

    doc: YamlDoc
    rulebook: Rulebook
    period: Period
    as_of: dt.date | None
    cases: list[_Case]
    # each distinct patched input as its loader read it, by file name and digest: most cases patch only the policy or
    # only the register, and a file kept for another run (tests/test_mutation.py) reads none again
    inputs: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)


def rule_test_files(target: Path) -> list[Path]:
    """Every *.yaml in a folder, sorted, or the one file named."""
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise fail(str(target), None, None, "no such file or folder")
    found = sorted(target.glob("*.yaml"))
    if not found:
        raise fail(str(target), None, None, "no rule test files (*.yaml) in this folder")
    return found


def run_rule_tests(paths: list[Path], catalogue: Catalogue, rule_folders: list[Path]) -> list[CaseResult]:
    """Check every file, then run every case. Bad input anywhere raises InputError, so no half-run is reported."""
    return run_cases(load_rule_tests(paths, catalogue, rule_folders), catalogue)


def load_rule_tests(paths: list[Path], catalogue: Catalogue, rule_folders: list[Path]) -> list[RuleTestFile]:
    """Read and check every file, reporting the problems of all of them at once."""
    problems: list[Problem] = []
    books: dict[tuple[Path, ...], Rulebook] = {}
    files = []
    for path in paths:
        try:
            files.append(_prepare(path, catalogue, rule_folders, books))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return files


def run_cases(files: list[RuleTestFile], catalogue: Catalogue) -> list[CaseResult]:
    """Run every case of `files`; a patch that makes bad input raises InputError at the test file's line."""
    problems: list[Problem] = []
    results = []
    with tempfile.TemporaryDirectory(prefix="chc-rules-test-") as tmp:
        for test_file in files:
            for case in test_file.cases:
                try:
                    results.append(_run(test_file, case, Path(tmp), catalogue))
                except InputError as err:
                    problems += dict.fromkeys(_blame(test_file.doc, case, p, Path(tmp)) for p in err.problems)
    if problems:
        raise InputError(problems)
    return results


def missing_cases(rulebook: Rulebook, folders: list[Path], results: list[CaseResult]) -> list[tuple[str, str]]:
    """(rule id, "fail" or "pass") for each rule from `folders` (every rule when none) that lacks that case."""
    wanted = {f.resolve() for f in folders}
    have = {(r.rule_id, r.expected) for r in results}
    return [
        (rule.id, expected)
        for rule in rulebook.rules if not wanted or Path(rule.file).parent.resolve() in wanted
        for expected in ("fail", "pass") if (rule.id, expected) not in have
    ]


def _prepare(path: Path, catalogue: Catalogue, rule_folders: list[Path], books: dict[tuple[Path, ...], Rulebook]) -> RuleTestFile:
    """Read one test file and its base inputs once, and build every case's patched inputs."""
    doc = load(path)
    if not isinstance(doc.data, dict):
        raise fail(str(path), 1, None, "a rule test file is a mapping with 'policy', 'register', 'period' and 'tests'")
    validate_doc(doc, "ruletest")
    data, here = doc.data, path.parent
    inputs = {key: here / data[key] for key in ("policy", "register", "mapping", "ombudsman") if key in data}
    problems = [doc.problem((key,), f"no such file {p}") for key, p in inputs.items() if not p.is_file()]
    own = [here / folder for folder in data.get("rules", [])]
    problems += [doc.problem(("rules", i), f"no such rules folder {f}") for i, f in enumerate(own) if not f.is_dir()]
    period: Period | None = None
    try:
        period = parse_period(data["period"])
    except ValueError as err:
        problems.append(doc.problem(("period",), str(err)))
    as_of = parse_date(data["as_of"]) if "as_of" in data else None
    if "as_of" in data and as_of is None:
        problems.append(doc.problem(("as_of",), f"'{data['as_of']}' is not a date (YYYY-MM-DD or DD/MM/YYYY)"))
    if problems or period is None:
        raise InputError(problems)
    policy = load_policy(inputs["policy"])
    ombudsman = inputs.get("ombudsman") or ombudsman_beside(inputs["policy"])
    activity: dict[Path | None, Any] = {None: read_ombudsman(ombudsman) if ombudsman else None}
    mapping = load_mapping(inputs["mapping"]) if "mapping" in inputs else None
    register = load_register(inputs["register"], mapping)
    folders = tuple(dict.fromkeys(f.resolve() for f in [bundled("rules"), *rule_folders, *own]))
    if folders not in books:
        books[folders] = load_rulebook(list(folders), catalogue)
    rulebook = books[folders]
    base = register.frame.drop(ROW).select(pl.all().cast(pl.Utf8))
    base_ids = set(base["case_id"].to_list())
    problems += _absent(doc, ("drop_cases",), data.get("drop_cases", []), base, base_ids)
    base = _drop(base, data.get("drop_cases", []))
    known = rulebook.by_id()
    cases = []
    for rule_id, expectations in data["tests"].items():
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, list(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(doc.problem(("tests", rule_id), f"unknown rule id {rule_id}{hint}"))
            continue
        for expected, given in expectations.items():
            listed = isinstance(given, list)
            titles: set[str] = set()
            for item, spec in enumerate(given if listed else [given]):
                where = ("tests", rule_id, expected) + ((item,) if listed else ())
                title = _title(rule_id, expected, spec.get("name", ""), item if listed else None)
                if title in titles:
                    problems.append(doc.problem(where + ("name",), f"two cases are called {title}: name each {expected} case of the rule differently"))
                titles.add(title)
                case, found = _case(doc, where, item if listed else None, known[rule_id], expected, spec, policy.data, base, base_ids)
                case.ombudsman, problem = _ombudsman(doc, where, spec, here, activity)
                problems += found + problem
                cases.append(case)
    if problems:
        raise InputError(problems)
    return RuleTestFile(doc, rulebook, period, as_of, cases)


def _case(doc: YamlDoc, where: Where, item: int | None, rule: Rule, expected: str, spec: dict[str, Any],
          base_policy: dict[str, Any], base_rows: pl.DataFrame, base_ids: set[str]) -> tuple[_Case, list[Problem]]:
    """Apply one case's patches to copies of the base: its own drops, then cell patches, then drop_contact_type, then
    drop_columns."""
    problems = []
    if "case_ids" in spec and rule.scope != "case":
        problems.append(doc.problem(where + ("case_ids",), f"case_ids apply to case rules; {rule.id} is a {rule.scope} rule"))
    policy = copy.deepcopy(base_policy)
    for key, value in spec.get("policy", {}).items():
        error = _set_dotted(policy, key, value)
        if error:
            problems.append(doc.problem(where + ("policy", key), error))
    problems += _absent(doc, where + ("drop_cases",), spec.get("drop_cases", []), base_rows, base_ids)
    rows = _drop(base_rows, spec.get("drop_cases", []))
    for case_id, cells in spec.get("rows", {}).items():
        absent = _absent(doc, where + ("rows", case_id), [case_id], rows, base_ids)
        if absent:
            problems += absent
            continue
        rows = rows.with_columns([
            pl.when(pl.col("case_id") == case_id).then(pl.lit(None if value is None else str(value), pl.Utf8))
            .otherwise(pl.col(column)).alias(column)
            for column, value in cells.items()
        ])
    if "drop_contact_type" in spec:
        rows = rows.filter(pl.col("contact_type") != spec["drop_contact_type"])
    problems += _undroppable(doc, where, spec)
    return _Case(rule, expected, where, spec, policy, rows.drop(spec.get("drop_columns", [])), item), problems


def _ombudsman(doc: YamlDoc, where: Where, spec: dict[str, Any], here: Path,
               read: dict[Path | None, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The case's record of the Ombudsman's activity: the base one (`read[None]`), none (null), or its own file, read once."""
    if "ombudsman" not in spec or spec["ombudsman"] is None:
        return (read[None] if "ombudsman" not in spec else None), []
    path = (here / spec["ombudsman"]).resolve()
    if not path.is_file():
        return None, [doc.problem(where + ("ombudsman",), f"no such file {path}")]
    if path not in read:
        read[path] = read_activity_file(path, "ombudsman").data
    return read[path], []


def _undroppable(doc: YamlDoc, where: Where, spec: dict[str, Any]) -> list[Problem]:
    """Columns a case cannot drop: those no register can be read without, and those its own rows patches set."""
    required, patched = required_columns(), {column for cells in spec.get("rows", {}).values() for column in cells}
    problems = []
    for i, column in enumerate(spec.get("drop_columns", [])):
        if column in required:
            problems.append(doc.problem(where + ("drop_columns", i), f"{column} cannot be dropped: chc reads no register without "
                                        f"{', '.join(required)}"))
        elif column in patched:
            problems.append(doc.problem(where + ("drop_columns", i), f"{column} is dropped, so this case's rows patches of it would be lost"))
    return problems


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> str | None:
    """Set (or, with None, delete) a dotted key; the reason it cannot, or None."""
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        if value is None and part not in node:
            break
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return f"cannot set {dotted}: '{part}' is not a mapping in the base policy"
    if value is None:
        if not isinstance(node, dict) or leaf not in node:
            return f"{dotted} is not in the base policy, so there is nothing to delete"
        del node[leaf]
    else:
        node[leaf] = value
    return None


def _absent(doc: YamlDoc, where: Where, ids: list[str], rows: pl.DataFrame, base_ids: set[str]) -> list[Problem]:
    """A problem for each of `ids` not among `rows`: never in the base register, or removed by drop_cases."""
    present = set(rows["case_id"].to_list())
    return [
        doc.problem(where, f"{cid} {'was removed by drop_cases' if cid in base_ids else 'is not in the base register'}")
        for cid in ids if cid not in present
    ]


def _drop(rows: pl.DataFrame, ids: list[str]) -> pl.DataFrame:
    """The rows without `ids` and without every case escalated from a dropped case, however far down."""
    gone = set(ids)
    while True:
        children = set(rows.filter(pl.col("escalated_from").is_in(list(gone)) & ~pl.col("case_id").is_in(list(gone)))["case_id"].to_list())
        if not children:
            return rows.filter(~pl.col("case_id").is_in(list(gone)))
        gone |= children


def _run(test_file: RuleTestFile, case: _Case, tmp: Path, catalogue: Catalogue) -> CaseResult:
    policy_text, register_text = case.texts
    policy = _read(tmp / "policy.yaml", policy_text, load_policy, test_file.inputs)
    register = _read(tmp / "register.csv", register_text, load_register, test_file.inputs)
    assessment = assess(policy, register, catalogue, test_file.rulebook, test_file.period, test_file.as_of, ombudsman=case.ombudsman)
    outcome = next(o for r in assessment.results for o in r.outcomes if o.rule.id == case.rule.id)
    return CaseResult(str(test_file.doc.path), test_file.doc.line(case.where) or 1, case.rule.id, case.expected,
                      outcome.result, _mismatch(case, outcome), case.spec.get("name", ""), case.item)


def _read(path: Path, text: str, loader: Callable[[Path], T], inputs: dict[tuple[str, str], Any]) -> T:
    """Write `text` and read it back with the loader, once for each text: the loaders give the same result for the same bytes."""
    key = (path.name, hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key not in inputs:
        path.write_text(text, encoding="utf-8")
        inputs[key] = loader(path)
    return inputs[key]


def _mismatch(case: _Case, outcome: Outcome) -> str | None:
    """The outcome must be the one expected: `pass` on a case rule that examined no case (no_data) shows nothing."""
    reasons = [] if outcome.result == case.expected else [f"expected {case.expected}, got {outcome.result}"]
    if case.expected == "pass" and outcome.result == "no_data":
        reasons[0] += " (the rule examined no case: patch one it examines, or expect no_data)"
    if "case_ids" in case.spec and outcome.finding is not None:
        wanted, found = sorted(case.spec["case_ids"]), list(outcome.finding.case_ids)
        if wanted != found:
            reasons.append(f"case ids expected [{', '.join(wanted)}] found [{', '.join(found)}]")
    return "; ".join(reasons) or None


def _blame(doc: YamlDoc, case: _Case, problem: Problem, tmp: Path) -> Problem:
    """A problem in a patched input, told as a problem of the test file at the patch that caused it."""
    where = case.where
    if problem.file == str(tmp / "policy.yaml"):
        field = problem.field or ""
        key = next((k for k in case.spec.get("policy", {})
                    if field and (k == field or k.startswith(field + ".") or field.startswith(k + "."))), None)
        where += ("policy", key) if key else ()
        detail = f"the patched policy is invalid: {field + ': ' if field else ''}{problem.message}"
    elif problem.file == str(tmp / "register.csv"):
        index = (problem.row or 0) - 2
        case_id = case.rows["case_id"][index] if 0 <= index < case.rows.height else None
        if problem.field in case.spec.get("drop_columns", []):  # told once for the column, not for every row
            return doc.problem(where + ("drop_columns", case.spec["drop_columns"].index(problem.field)),
                               f"the register cannot lack {problem.field}: {problem.message}")
        if problem.field in case.spec.get("rows", {}).get(case_id, {}):
            where += ("rows", case_id, problem.field)
        place = ", ".join(p for p in (f"case {case_id}" if case_id else None, problem.field) if p)
        detail = f"the patched register is invalid: {place + ': ' if place else ''}{problem.message}"
    else:
        detail = str(problem)
    return doc.problem(where, detail)
