"""JUnit XML for CI test reports (GitLab, Azure DevOps, Jenkins): a testsuite per Code section heading, a testcase per provision.

A provision the gate fails is a <failure> whose body holds the evidence, case ids, remediation and the
landlord's plan; waived, not applicable and not assessed provisions are <skipped> with the reason; the rest
pass (partially met, or not met but advisory, with a <system-out> saying so). Testcase names are unique
("6.2 Stage 1 complaints acknowledged…"), as GitLab keeps only the first of repeated names.
No wall-clock time is written: timestamps are context.generated_at, durations are 0.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from checker.render.formats import Context, Gate
from checker.verdict.assessment import Assessment, ProvisionResult

SKIPPED = ("waived", "not_applicable", "not_assessed")


def render_junit(assessment: Assessment, context: Context) -> bytes:
    gate = context.gate
    names = [_name(r) for r in assessment.results]
    assert len(set(names)) == len(names), "JUnit testcase names must be unique"
    suites: dict[str, list[ProvisionResult]] = {}
    for r in assessment.results:
        suites.setdefault(r.heading, []).append(r)
    root = ET.Element("testsuites", {"name": "chc", **_counts(assessment.results, gate), "time": "0"})
    stamp = context.generated_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    slug = re.sub(r"[^a-z0-9]+", "-", assessment.landlord.lower()).strip("-") or "landlord"
    for heading, results in suites.items():
        suite = ET.SubElement(root, "testsuite", {"name": heading, **_counts(results, gate), "errors": "0", "time": "0", "timestamp": stamp})
        properties = ET.SubElement(suite, "properties")
        for name, value in _properties(assessment, context):
            ET.SubElement(properties, "property", name=name, value=value)
        for r in results:
            case = ET.SubElement(suite, "testcase", name=_name(r), classname=f"chc.{slug}.section-{r.provision.section}", time="0")
            if gate.fails(r):
                failure = ET.SubElement(case, "failure", message=f"{_words(r.status)}: {_headline(r)}", type=r.status)
                failure.text = _body(r)
            elif r.status in SKIPPED:
                skipped = ET.SubElement(case, "skipped", message=_skip_message(r))
                skipped.text = _body(r)
            elif r.status != "met" or r.notes:
                ET.SubElement(case, "system-out").text = f"{_words(r.status)}.\n{_body(r)}"
    if assessment.register.skipped_rows:  # rows left out with --skip-bad-rows, so the counts add up
        ET.SubElement(root, "system-out").text = "\n".join(
            f"row {row} skipped: {'; '.join(reasons)}" for row, reasons in assessment.register.skipped_rows)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _name(r: ProvisionResult) -> str:
    return f"{r.provision.id} {r.provision.title}"


def _counts(results: list[ProvisionResult], gate: Gate) -> dict[str, str]:
    failures = sum(gate.fails(r) for r in results)
    skipped = sum(r.status in SKIPPED and not gate.fails(r) for r in results)
    return {"tests": str(len(results)), "failures": str(failures), "skipped": str(skipped)}


def _properties(assessment: Assessment, context: Context) -> list[tuple[str, str]]:
    code = assessment.catalogue.code
    return [
        ("landlord", assessment.landlord),
        ("period", assessment.period.label),
        ("code_version", f"{code['title']} {code['version']}"),
        ("rules_version", assessment.rules_version),
        ("generated_at", context.generated_at.isoformat(timespec="seconds")),
        ("fail_on", ",".join(sorted(context.gate.fail_on))),
        ("register", assessment.register.accounting()),
    ]


def _words(status: str) -> str:
    return status.replace("_", " ")


def _headline(r: ProvisionResult) -> str:
    """The first failing rule's evidence, else the first evidence line, else the title."""
    return next(iter([f.evidence for f in r.failing] + r.evidence), r.provision.title)


def _skip_message(r: ProvisionResult) -> str:
    if r.status == "waived" and r.waiver:
        return f"waived: {r.waiver.justification} ({r.waiver.describe()})"
    return f"{_words(r.status)}: {r.evidence[0] if r.evidence else r.provision.title}"


def _body(r: ProvisionResult) -> str:
    lines = [f"Provision {r.provision.id} ({r.heading}): {r.provision.requirement}",
             f"Known by: {', '.join(r.evidence_kinds) or 'nothing yet'}", "Evidence:"]
    lines += [f"- {e}" for e in r.evidence]
    lines += ["Reasoning:"] + [f"{n}. {step}" for n, step in enumerate(r.reasoning, 1)]
    if r.case_ids:
        lines.append(f"Cases: {', '.join(r.case_ids)}")
    if r.verdict_without_waiver:
        lines.append(f"Verdict without the waiver: {_words(r.verdict_without_waiver)}")
    if r.remediation:
        lines.append(f"Remediation: {r.remediation}")
    if r.plan:
        lines.append(f"Plan: {r.plan_summary}")
    lines += [f"Note: {n}" for n in r.notes]
    return "\n".join(lines) + "\n"
