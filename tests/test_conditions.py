"""The condition language on real-looking values: text operators read definitions and stage names as a person
would (whole words, any case, any spacing), a blank never matches, and `not` is plain negation."""

from __future__ import annotations

import polars as pl
import pytest

from checker.rules.expressions import to_polars
from conftest import chc

DEFINITIONS = pl.DataFrame({"definition": [
    "An expression of dissatisfaction, however made, about the standard of service, actions or lack of action by the "
    "Council, its own staff, or those acting on its behalf, affecting a resident or group of residents.",
    "A complaint is any EXPRESSION OF  DISSATISFACTION\nwith our services.",
    "Complaints are handled by the Customer Services team.",
    None,
    "",
]})


def _holds(cond: dict) -> list[bool]:
    return DEFINITIONS.select(to_polars(cond).alias("x"))["x"].to_list()


@pytest.mark.parametrize(("cond", "expected"), [
    ({"field": "definition", "contains": "expression of dissatisfaction"}, [True, True, False, False, False]),
    ({"field": "definition", "contains": "complaint"}, [False, True, False, False, False]),  # whole words: not "Complaints"
    ({"field": "definition", "contains_all": ["however made", "lack of action", "group of residents"]}, [True, False, False, False, False]),
    ({"field": "definition", "contains_any": ["however made", "with our services"]}, [True, True, False, False, False]),
    ({"field": "definition", "matches": r"^Complaints? (are|is)\b"}, [False, False, True, False, False]),
    ({"field": "definition", "length": {"gte": 120}}, [True, False, False, False, False]),
    ({"field": "definition", "length": {"eq": 0}}, [False, False, False, False, True]),
    ({"not": {"field": "definition", "contains": "however made"}}, [False, True, True, True, True]),  # a blank is not "containing"
    ({"field": "definition", "present": False}, [False, False, False, True, False]),
])
def test_text_operators(cond, expected):
    assert _holds(cond) == expected


def test_a_phrase_with_regex_characters_is_read_literally():
    frame = pl.DataFrame({"name": ["Stage 1 (local resolution)", "Stage 1 local resolution", "Stage 10"]})
    found = frame.select(to_polars({"field": "name", "contains": "stage 1 (local resolution)"}))
    assert found.to_series().to_list() == [True, False, False]
    assert frame.select(to_polars({"field": "name", "contains": "stage 1"})).to_series().to_list() == [True, True, False]


RULE = """rules:
  - id: LL-DEFINITION-WORDS
    provisions: ["1.2"]
    title: The definition uses the Code's words
    scope: policy
    severity: medium
    evidence_kind: declared
    rationale: The Code's definition turns on an expression of dissatisfaction, however made; the policy's own words are read.
    since: 0.2.0
    breach:
      not: {field: policy.complaint_definition, %s}
    evidence: The policy's definition was read.
    remediation: Use the Code's definition of a complaint.
"""


def test_a_landlords_text_rule_runs_and_a_bad_one_is_refused_with_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "words.yaml").write_text(RULE % 'contains_all: ["expression of dissatisfaction", "however made"]')
    from conftest import EXAMPLE_ARGS
    out = chc("assess", *EXAMPLE_ARGS, "--rules", rules, "--format", "json")
    assert out.exit_code == 0, out.output
    (rules / "words.yaml").write_text(RULE % "matches: '(dissatisfaction'")
    out = chc("assess", *EXAMPLE_ARGS, "--rules", rules)
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert f"{rules / 'words.yaml'}:10:rules.0.breach: '(dissatisfaction' is not a regular expression chc can run: unclosed group" in out.stderr
    (rules / "words.yaml").write_text(RULE.replace("policy.complaint_definition", "policy.time_limit_months") % "contains: twelve")
    out = chc("assess", *EXAMPLE_ARGS, "--rules", rules)
    assert out.exit_code == 2 and "'policy.time_limit_months' is a number: 'contains' reads text" in out.stderr


def test_rules_doc_words_a_text_rule(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "words.yaml").write_text(RULE % 'contains_all: ["expression of dissatisfaction", "however made"]')
    out = chc("rules", "show", "LL-DEFINITION-WORDS", "--rules", rules)
    assert out.exit_code == 0, out.output
    doc = chc("rules", "doc", "--rules", rules)
    assert '`policy.complaint_definition` contains all of the words "expression of dissatisfaction", "however made"' in doc.stdout
