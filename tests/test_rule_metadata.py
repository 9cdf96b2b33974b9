"""Rule metadata: evidence_kind, requires, rationale and since on every rule, checked true of it at load.

A verdict is only as honest as what the rule says it read: a column a rule reads but does not require would be
judged blank where the register lacks it, instead of the rule being not assessed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import polars as pl
import pytest
import yaml

from checker import __version__
from checker.derive.aggregates import AGGREGATES, aggregates
from checker.derive.cases import DERIVED_FIELDS, derive
from checker.derive.period import parse_period
from checker.load.register import contract, load_register
from checker.load.resources import bundled
from conftest import EXAMPLE, ROOT, chc

METADATA = ["evidence_kind", "requires", "rationale", "since"]
# a local rule as a landlord would write it; each test below breaks one thing in it
LOCAL_RULE = """\
rules:
  - id: LL-6.3-LATE-ANSWERS
    provisions: ["6.3"]
    title: Stage 1 complaints answered within the Code's time
    scope: case
    severity: high
    evidence_kind: measured
    requires: [contact_type, stage, received_date, acknowledged_date, response_date]
    rationale: >-
      Code 6.3 sets the time for a stage 1 response; the register's dates measure it. It cannot see whether the
      response was full.
    since: "0.1.0"
    select:
      all:
        - {field: contact_type, eq: complaint}
        - {field: stage, eq: 1}
    breach: {field: working_days_to_respond, gt: {param: respond_working_days}}
    evidence: "{compliant} of {examined} stage 1 complaints answered in time."
    remediation: Answer stage 1 complaints within {param.respond_working_days} working days of acknowledgement.
    not_applicable: No stage 1 complaint in the period.

  - id: LL-9.6-UPDATES
    provisions: ["9.6"]
    title: The governing body hears of complaints
    scope: policy
    severity: medium
    evidence_kind: declared
    rationale: The policy metadata records how often the governing body hears of complaints, not what it hears.
    since: "0.1.0"
    breach: {field: reporting.governing_body_updates.frequency, present: false}
    evidence: "Updates go {reporting.governing_body_updates.frequency}."
    remediation: Report complaint information to the governing body regularly.
"""


def _refused(tmp_path: Path, text: str) -> str:
    """Load `text` as a landlord's rules folder: it must be refused with exit 2 and no traceback; its stderr."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "local.yaml").write_text(text, encoding="utf-8")
    out = chc("rules", "list", "--rules", folder)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output
    return out.stderr.replace(f"{folder / 'local.yaml'}:", "local.yaml:")


def test_the_local_rule_loads_as_written(tmp_path):
    """The base every refusal below breaks one thing in."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "local.yaml").write_text(LOCAL_RULE, encoding="utf-8")
    out = chc("rules", "list", "--rules", folder, "--format", "json")
    assert out.exit_code == 0, out.output
    row = next(r for r in yaml.safe_load(out.stdout) if r["id"] == "LL-6.3-LATE-ANSWERS")
    assert row["evidence_kind"] == "measured" and row["since"] == "0.1.0"
    assert row["requires"] == ["contact_type", "stage", "received_date", "acknowledged_date", "response_date"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('    since: "0.1.0"\n    select:', "    select:", "local.yaml:2:rules.0: 'since' is required"),
    ("    evidence_kind: declared\n", "", "local.yaml:22:rules.1: 'evidence_kind' is required"),
    ("    rationale: The policy metadata records how often the governing body hears of complaints, not what it hears.\n", "",
     "local.yaml:22:rules.1: 'rationale' is required"),
    ("evidence_kind: measured", "evidence_kind: guessed", "local.yaml:7:rules.0.evidence_kind: 'guessed' is not one of: "),
    ("evidence_kind: measured", "evidence_kind: declared",
     "local.yaml:7:rules.0.evidence_kind: a case rule reads the register: its evidence_kind is measured or heuristic, not declared"),
    ("evidence_kind: declared", "evidence_kind: heuristic",
     "local.yaml:27:rules.1.evidence_kind: a policy rule reads what the policy declares: its evidence_kind is declared, not heuristic"),
    ('since: "0.1.0"\n    select:', 'since: "9.0.0"\n    select:',
     f"local.yaml:12:rules.0.since: since 9.0.0 is later than this chc, {__version__}"),
    ('    since: "0.1.0"\n    breach:', '    since: "0.1.0"\n    requires: [handler]\n    breach:',
     "local.yaml:30:rules.1.requires: a policy rule reads no register column: remove 'requires'"),
    ("    requires: [contact_type, stage, received_date, acknowledged_date, response_date]\n", "",
     "local.yaml:2:rules.0: a case rule needs 'requires': the register columns it reads "
     "[acknowledged_date, contact_type, received_date, response_date, stage]"),
    ("acknowledged_date, response_date]", "acknowledge_date, response_date]",
     "local.yaml:8:rules.0.requires.3: 'acknowledge_date' is not a register column (did you mean 'acknowledged_date'?)"),
    ("received_date, acknowledged_date, response_date]", "response_date]",
     "local.yaml:8:rules.0.requires: 'requires' must list every register column the rule reads; missing: "
     "acknowledged_date (through working_days_to_respond), received_date (through working_days_to_respond)"),
    ("response_date]", "response_date, handler]",
     "local.yaml:8:rules.0.requires: 'requires' lists handler, which the rule never reads: "
     "a register without it would leave the rule not assessed for nothing"),
])
def test_metadata_that_is_missing_or_untrue_is_refused_naming_file_and_line(tmp_path, old, new, message):
    assert old in LOCAL_RULE
    stderr = _refused(tmp_path, LOCAL_RULE.replace(old, new, 1))
    assert message in stderr


def test_a_register_rule_must_require_what_its_figures_count(tmp_path):
    rule = textwrap.dedent("""\
        rules:
          - id: LL-6.10-ESCALATIONS
            provisions: ["6.10"]
            title: Some complaints reach stage 2
            scope: register
            severity: low
            evidence_kind: heuristic
            requires: [contact_type, received_date]
            rationale: No stage 2 complaint in a year of complaints suggests escalation is not offered; it may not be asked for.
            since: "0.1.0"
            breach: {field: register.stage2_complaints, eq: 0}
            evidence: "{register.stage2_complaints} stage 2 complaints."
            remediation: Check that residents are told how to escalate.
        """)
    stderr = _refused(tmp_path, rule)
    assert ("local.yaml:8:rules.0.requires: 'requires' must list every register column the rule reads; "
            "missing: stage (through register.stage2_complaints)") in stderr


def test_every_bundled_rule_gives_its_metadata_right_after_severity(rulebook):
    seen = 0
    for path in sorted(bundled("rules").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            keys = list(item)
            after = keys[keys.index("severity") + 1:][:4]
            wanted = METADATA if item["scope"] != "policy" else [k for k in METADATA if k != "requires"]
            assert after[:len(wanted)] == wanted, item["id"]
            assert item["since"] in ("0.1.0", "0.2.0")  # 0.2.0: what the rule judges changed in this release
            seen += 1
    assert seen == len(rulebook.rules) >= 45  # every bundled rule, however many are added
    for rule in rulebook.rules:
        assert len(rule.rationale) >= 20 and rule.rationale.count(". ") <= 2, rule.id
        assert rule.evidence_kind == "declared" if rule.scope == "policy" else rule.evidence_kind in ("measured", "heuristic")
        assert bool(rule.requires) == (rule.scope != "policy"), rule.id
    assert rulebook.by_id()["CHC-2.5-NO-BLANKET-REFUSAL"].evidence_kind == "heuristic"


def test_show_gives_the_evidence_kind_requires_with_blank_meanings_since_and_rationale(rulebook):
    rule = rulebook.by_id()["CHC-2.5-NO-BLANKET-REFUSAL"]
    out = chc("rules", "show", rule.id)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "evidence_kind: heuristic (flags for a person to review; never by itself makes a provision not met)" in text
    listed = text.split("\nrequires (")[1].split("\nsince:")[0].splitlines()[1:]
    assert [line.strip().split(" ")[0] for line in listed] == list(rule.requires)
    assert "  outcome (blank: still open)" in listed and "  service_area" in listed
    assert "since: chc 0.2.0" in text  # 0.2.0: duplicates no longer make the pattern
    rationale = text.split("\nrationale:\n")[1].split("\nprovisions:")[0]
    assert " ".join(rationale.split()) == " ".join(rule.rationale.split())
    policy_rule = chc("rules", "show", "CHC-9.5-MRC-APPOINTED").stdout
    assert "\nevidence_kind: declared (" in policy_rule and "\nrequires" not in policy_rule


def test_doc_gives_every_rules_metadata(rulebook):
    text = chc("rules", "doc").stdout
    for rule in rulebook.rules:
        section = text.split(f"#### {rule.id}: ")[1].split("\n#### ")[0]
        assert f"- Evidence kind: {rule.evidence_kind} (" in section and f"- Since: chc {rule.since}" in section
        assert f"Rationale: {' '.join(rule.rationale.split())}" in section
        assert ("- Requires the register columns: `" in section) == (rule.scope != "policy")


def _perturbed(frame: pl.DataFrame, column: str) -> list[pl.DataFrame]:
    """`frame` with `column` changed: blanked, and (dates) moved three days on."""
    changed = [frame.with_columns(pl.lit(None, frame.schema[column]).alias(column))]
    if frame.schema[column] == pl.Date:
        changed.append(frame.with_columns(pl.col(column) + dt.timedelta(days=3)))
    return changed


def test_derived_fields_and_register_figures_name_every_column_they_read():
    """Change one register column at a time: any derived field or register figure that changes reads it, so must
    list it among its sources (which every rule's requires is checked against)."""
    frame = load_register(EXAMPLE / "register.csv").frame
    three = frame.filter(pl.col("contact_type") == "complaint")["_row"].head(3)  # refused alike: a blanket refusal
    refused = pl.col("_row").is_in(three.implode())
    frame = frame.with_columns(pl.when(refused).then(pl.lit(value)).otherwise(pl.col(name)).alias(name)
                               for name, value in (("service_area", "Zeta"), ("outcome", "not_accepted"), ("not_accepted_reason", "legal_proceedings")))
    period, as_of = parse_period("2020-01-01:2030-12-31"), dt.date(2025, 3, 31)  # every case in the period
    base = derive(frame, period, as_of, [])
    base_figures = aggregates(base)
    found: dict[str, set[str]] = {}
    for column in [c for c in frame.columns if c != "_row"]:
        for changed in _perturbed(frame, column):
            after = derive(changed, period, as_of, [])
            both = base.join(after, on="_row", suffix="_after")
            for name in DERIVED_FIELDS:
                if not both.select(pl.col(name).eq_missing(pl.col(f"{name}_after")).all()).item():
                    found.setdefault(name, set()).add(column)
            for name, value in aggregates(after).items():
                if value != base_figures[name]:
                    found.setdefault(name, set()).add(column)
    for name, columns in found.items():
        sources = AGGREGATES[name.removeprefix("register.")][1] if name.startswith("register.") else DERIVED_FIELDS[name][2]
        assert columns <= set(sources), f"{name} reads {sorted(columns - set(sources))} but does not list it"
    assert found["working_days_to_acknowledge"] >= {"received_date", "acknowledged_date", "response_date"}
    assert found["blanket_refusal"] >= {"contact_type", "service_area", "outcome", "not_accepted_reason"}


def test_docs_give_each_derived_fields_columns_and_each_blank_that_is_an_answer():
    """docs/rules.md tells rule writers what to list in `requires`; it must say what the code says."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for name, (_, meaning, sources) in DERIVED_FIELDS.items():
        assert f"| `{name}` | {meaning} | {', '.join(sources)} |" in text, name
    blanks = " ".join(text.split("Such columns carry `x-blank`")[1].split("\n\n")[0].split())
    for name, spec in contract().items():
        assert (f"`{name}` ({spec.get('x-blank')})" in blanks) == ("x-blank" in spec), name
