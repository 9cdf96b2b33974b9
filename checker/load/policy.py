"""Policy metadata: the landlord, its complaints policy, roles, reporting and attestations.

Rules read the policy through *facts*: every scalar under its dotted path (policy.time_limit_months),
plus a few derived ones that YAML rules cannot compute themselves, listed in POLICY_FACTS_DOC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError, Problem
from checker.load.schemas import schema, validate_doc
from checker.load.yamlfile import YamlDoc, load

# each derived fact: its kind, so that rules compare like with like (checker/load/rulebook.py), and what it holds; the
# patterns (stageN, .X) take their kinds from the policy schema
POLICY_FACTS_DOC = {
    "policy.stage_count": ("number", "how many stages the policy has"),
    "policy.stage_names": ("text", "the stage names joined with ' | '"),
    "policy.stageN.<key>": (None, "stage N's acknowledge_working_days, respond_working_days, max_extension_working_days"),
    "policy.exclusion_reasons": ("list", "the reasons the policy's exclusions use (a list)"),
    "policy.exclusion_count": ("number", "how many exclusions the policy sets out"),
    "policy.blanket_exclusions": ("number", "how many exclusions are not applied case by case"),
    "policy.unjustified_other_exclusions": ("number", "how many 'other' exclusions have no justification"),
    "reporting.annual_report.holds.X": (None, "true when the annual report holds Code 8.1 part X (a-f)"),
    "reporting.governing_body_updates.covers.X": (None, "true when governing body updates cover X"),
    "reporting.annual_report.missing": ("text", "the parts of Code 8.1 a-f the annual report lacks, joined (or 'nothing')"),
    "reporting.governing_body_updates.missing": ("text", "what governing body updates do not cover, joined (or 'nothing')"),
    "reporting.learning_reported_to_count": ("number", "how many stakeholder groups hear of learning from complaints"),
    # judged against the period (checker/derive/policy_dates.py): blank when the policy gives no date
    "reporting.annual_report.current": ("boolean", "the annual report was put to the governing body in the 12 months to the period's end"),
    "reporting.governing_body_updates.current": ("boolean", "the last governing-body update falls within one interval of the declared "
                                                            "frequency before the period's end (or the as-of date)"),
}

# what a governing-body update covers, in the words evidence publishes them
REPORT_ITEMS = {"issues_and_trends": "issues and trends", "ombudsman_outcomes": "Ombudsman outcomes",
                "ombudsman_orders": "Ombudsman orders", "annual_report": "the annual report"}


@dataclass
class Policy:
    """The landlord's policy metadata: the document as read, and the facts the rules read from it."""

    doc: YamlDoc
    facts: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    @property
    def landlord(self) -> str:
        return self.data["landlord"]["name"]

    @property
    def closure_days(self) -> list[dt.date]:
        return [dt.date.fromisoformat(d) for d in self.data["policy"].get("closure_days", [])]

    @property
    def attestations(self) -> list[dict[str, Any]]:
        return self.data.get("attestations", [])

    @property
    def remediation_plan(self) -> dict[str, dict[str, Any]]:
        """The landlord's own actions, owners and target dates, by provision."""
        return {item["provision"]: item for item in self.data.get("remediation_plan", [])}

    def line_of(self, fact: str) -> int:
        """The line of the policy file that holds `fact`, so CI annotations point at the key to change."""
        return self.doc.line(fact_path(fact)) or 1


MOVED_TOLERANCES = ("tolerances are no longer set in the policy: each is an approved exception, listed under 'tolerances' in the "
                    "waivers file (--waivers) with its justification, approved_by, approved_on and expires (docs/ci.md#tolerances)")


def load_policy(path: Path) -> Policy:
    doc = load(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, "policy metadata must be a YAML mapping with 'landlord' and 'policy'")])
    validate_doc(doc, "policy")
    if "tolerances" in doc.data.get("assessment", {}):
        raise InputError([doc.problem(("assessment", "tolerances"), MOVED_TOLERANCES)])
    return Policy(doc, policy_facts(doc.data))


def policy_facts(data: dict[str, Any]) -> dict[str, Any]:
    """Flat facts: dotted scalars of the document plus the derived facts in POLICY_FACTS_DOC."""
    facts: dict[str, Any] = {}
    _flatten(data, "", facts)
    policy = data["policy"]
    stages = policy["stages"]
    facts["policy.stage_count"] = len(stages)
    facts["policy.stage_names"] = " | ".join(s["name"] for s in stages)
    for n, stage in enumerate(stages, start=1):
        for key, value in stage.items():
            facts[f"policy.stage{n}.{key}"] = value
    exclusions = policy.get("exclusions", [])
    facts["policy.exclusion_reasons"] = sorted({e["reason"] for e in exclusions})
    facts["policy.exclusion_count"] = len(exclusions)
    facts["policy.blanket_exclusions"] = sum(not e["case_by_case"] for e in exclusions)
    facts["policy.unjustified_other_exclusions"] = sum(e["reason"] == "other" and not e.get("justification") for e in exclusions)
    reporting = data.get("reporting", {})
    report_schema = schema("policy")["properties"]["reporting"]["properties"]
    for key, listed in (("annual_report", "contents"), ("governing_body_updates", "contents")):
        options = report_schema[key]["properties"][listed]["items"]["enum"]
        held = set(reporting.get(key, {}).get(listed, []))
        verb = "holds" if key == "annual_report" else "covers"
        for option in options:
            facts[f"reporting.{key}.{verb}.{option}"] = option in held
        facts[f"reporting.{key}.{listed}"] = ", ".join(REPORT_ITEMS.get(o, o) for o in options if o in held) or "nothing"
        facts[f"reporting.{key}.missing"] = ", ".join(REPORT_ITEMS.get(o, o) for o in options if o not in held) or "nothing"
    facts["reporting.learning_reported_to_count"] = len(reporting.get("learning_reported_to", []))
    return facts


def fact_path(fact: str) -> tuple[Any, ...]:
    """Where a fact lives in the policy document: its dotted path, or for a derived fact, the data it is derived from."""
    parts = fact.split(".")
    if fact in ("policy.stage_count", "policy.stage_names"):
        return ("policy", "stages")
    if len(parts) == 3 and parts[0] == "policy" and parts[1][:5] == "stage" and parts[1][5:].isdigit():
        return ("policy", "stages", int(parts[1][5:]) - 1, parts[2])
    if fact.startswith("policy.exclusion_") or fact in ("policy.blanket_exclusions", "policy.unjustified_other_exclusions"):
        return ("policy", "exclusions")
    if parts[0] == "reporting" and len(parts) >= 3 and parts[2] in ("holds", "covers", "contents", "missing"):
        return ("reporting", parts[1], "contents")
    if fact == "reporting.learning_reported_to_count":
        return ("reporting", "learning_reported_to")
    return tuple(parts)


def _flatten(node: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}{key}.", out)
    elif not isinstance(node, list):
        out[prefix[:-1]] = node
