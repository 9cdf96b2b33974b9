"""Appendix 1 as councils publish it: the Ombudsman's self-assessment form, filled in from one assessment.

One document model feeds every publishing format (Markdown, HTML, Word, Excel, CSV), so they cannot disagree.
Evidence cites figures, case references, policy clauses and attested documents, never register free text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass
from typing import Any

from checker import __version__
from checker.derive.dates import uk_date
from checker.verdict.assessment import Assessment, ProvisionResult

LABELS = {
    "met": "Met", "partially_met": "Partly met", "not_met": "Not met", "waived": "Waived",
    "not_applicable": "Not applicable", "not_assessed": "Not assessed",
}
COMPLY = {
    "met": "Yes", "partially_met": "Partly", "not_met": "No", "waived": "Waived",
    "not_applicable": "N/A", "not_assessed": "Not assessed",
}
# (fill, ink) per verdict, shared by the HTML, Word and Excel renderers; the word is always printed too
COLOURS = {
    "met": ("D4EDDA", "0B4D1C"), "partially_met": ("FFE3A8", "5C3A00"), "not_met": ("F6C9C9", "7A0C0C"),
    "waived": ("D5E1EE", "1F3A5A"), "not_applicable": ("E4E4E4", "333333"), "not_assessed": ("E4E4E4", "333333"),
}
COLUMNS = ("Code provision", "Code requirement", "Comply: Yes / No", "Evidence", "Commentary / explanation")
GAP_COLUMNS = ("Code reference", "Requirement", "Reasons not met", "Proposal to address", "Owner", "Target date")
GAP_STATUSES = ("not_met", "partially_met")
SHOWN_CASES = 10
SOURCES = {"case": "the complaints register", "register": "the register's figures", "policy": "the complaints policy"}
ALL_MET = "Every requirement assessed is met, waived or not applicable."
WORDING_NOTE = ("The 'Code requirement' texts paraphrase the Housing Ombudsman's Complaint Handling Code faithfully but are "
                "not its official wording; where chc could not verify a provision's wording, its commentary says so. "
                "Read them with the Code itself.")
# a spreadsheet cell starting with one of these is a formula (CSV injection): the CSV and Excel outputs quote them
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    provision: str
    requirement: str
    comply: str
    status: str
    evidence: tuple[str, ...]
    commentary: tuple[str, ...]
    case_ids: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...]]:
        """The row under COLUMNS, evidence and commentary as their paragraphs (Word and Excel keep them apart)."""
        return self.provision, self.requirement, self.comply, self.evidence, self.commentary

    @property
    def text_cells(self) -> tuple[str, ...]:
        """The row under COLUMNS as text, one paragraph a line."""
        return self.provision, self.requirement, self.comply, "\n".join(self.evidence), "\n".join(self.commentary)


@dataclass(frozen=True)
class Table:
    heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Gap:
    provision: str
    requirement: str
    reasons: str
    proposal: str
    owner: str
    target_date: str

    @property
    def cells(self) -> tuple[str, ...]:
        """The row under GAP_COLUMNS."""
        return astuple(self)


@dataclass(frozen=True)
class Appendix:
    title: str
    landlord: str
    meta: tuple[tuple[str, str], ...]
    preamble: tuple[str, ...]
    preamble_source: str
    summary: tuple[tuple[str, int], ...]
    tables: tuple[Table, ...]
    gaps: tuple[Gap, ...]
    skipped: tuple[str, ...]  # the note on the register rows left out, if any
    provenance: str  # what generated the document, and that it holds no personal data: also the files' description

    @property
    def total(self) -> int:
        return sum(n for _, n in self.summary)

    @property
    def notes(self) -> tuple[str, ...]:
        return (*self.skipped, self.provenance, WORDING_NOTE)


def build_appendix(assessment: Assessment, generated_at: dt.datetime) -> Appendix:
    """The form's tables in Code order, one per section (section 6 split into its stages), then the gaps."""
    tables: list[Table] = []
    for result in assessment.results:
        row = _row(result)
        if tables and tables[-1].heading == result.heading:
            tables[-1] = Table(result.heading, tables[-1].rows + (row,))
        else:
            tables.append(Table(result.heading, (row,)))
    gaps = tuple(_gap(r) for r in assessment.results if r.status in GAP_STATUSES)
    form = assessment.catalogue.form or {}
    counts = assessment.summary()
    return Appendix(
        title=f"Appendix 1: {form.get('title', 'Complaint Handling Code self-assessment')} {assessment.period.label}",
        landlord=assessment.landlord,
        meta=metadata(assessment, generated_at),
        preamble=tuple(form.get("preamble", ())),
        preamble_source=form.get("source", ""),
        summary=tuple((LABELS[status], n) for status, n in counts.items()),
        tables=tuple(tables),
        gaps=gaps,
        skipped=skipped_note(assessment.register.skipped_rows),
        provenance=f"Generated by chc {__version__} from the landlord's complaints register and complaints policy metadata. "
                   "Case references identify cases in the landlord's own register; no personal data is reproduced.",
    )


def skipped_note(rows: list[tuple[int, list[str]]], shown: int = 200) -> tuple[str, ...]:
    """The register rows left out as invalid (--skip-bad-rows), by row number and reason, for every document."""
    if not rows:
        return ()
    listed = "; ".join(f"row {row} ({', '.join(reasons)})" for row, reasons in rows[:shown])
    more = f"; and {len(rows) - shown} more, all listed in the JSON output" if len(rows) > shown else ""
    return (f"{len(rows)} register rows were invalid and were not assessed: {listed}{more}.",)


def metadata(assessment: Assessment, generated_at: dt.datetime) -> tuple[tuple[str, str], ...]:
    """What every published document states about itself: who, which period, which Code and rules, when."""
    code = assessment.catalogue.code
    period = assessment.period
    register = assessment.register
    return (
        ("Landlord", assessment.landlord),
        ("Period", f"{period.label} ({uk_date(period.start)} to {uk_date(period.end)})"),
        ("Open cases judged as at", uk_date(assessment.as_of)),
        ("Code", f"{code['title']} {code['version']} ({code['publisher']}, in force from {uk_date(code['in_force'])})"),
        ("Rules version", assessment.rules_version),
        ("Register", f"{register.file_name}: {register.accounting()}, {assessment.rows_in_period} received in the period"),
        ("Generated", f"{generated_at.strftime('%Y-%m-%d %H:%M')} UTC by chc {__version__}"),
    )


def cases_sentence(case_ids: list[str] | tuple[str, ...], shown: int = SHOWN_CASES) -> str:
    if not case_ids:
        return ""
    more = f" and {len(case_ids) - shown} more (all listed in the CSV and JSON outputs)" if len(case_ids) > shown else ""
    return f"Cases: {', '.join(case_ids[:shown])}{more}."


def _row(r: ProvisionResult) -> Row:
    return Row(r.provision.id, r.provision.requirement, COMPLY[r.status], r.status,
               tuple(_evidence(r)), tuple(_commentary(r)), tuple(r.case_ids))


def _evidence(r: ProvisionResult) -> list[str]:
    """Each sentence opens with how it was known: measured from the register, declared in the policy, attested."""
    if r.rules_verdict == "not_assessed" and not r.attestation:
        return [e for e in r.evidence if not e.startswith("No rule can test this")] or ["No evidence in the complaints register or the policy metadata."]
    found = [rr.evidence for rr in r.rule_results]
    if r.case_ids:
        found.append(cases_sentence(r.case_ids))
    if r.attestation:
        found.append("Attested, with these documents: " + "; ".join(_document(e) for e in r.attestation["evidence"]) + ".")
    return found


def _document(evidence: dict[str, Any]) -> str:
    dated = f" ({uk_date(evidence['date'])})" if evidence.get("date") else ""
    link = f" {evidence['link']}" if evidence.get("link") else ""
    return f"{evidence['document']}{dated}{link}"


def _commentary(r: ProvisionResult) -> list[str]:
    lines: list[str] = []
    if r.attestation:
        lines.append(r.attestation["statement"])
    if r.status == "met" and r.basis == "rules":
        scopes = sorted({SOURCES[rr.outcome.rule.scope] for rr in r.rule_results if rr.outcome.result == "pass"})
        lines.append(f"Met: checked against {' and '.join(scopes)}.")
    elif r.status == "partially_met":
        tolerances = [rr.outcome.finding.tolerance for rr in r.failing if rr.outcome.finding.tolerance]
        lines.append(f"Partly met: the breaches are within an approved tolerance of {tolerances[0].describe()}." if tolerances
                     else "Partly met.")
        lines.append(_proposal(r))
    elif r.status == "not_met":
        lines.append("Not met: the reasons are in the evidence column and in the table of requirements not met.")
        lines.append(_proposal(r))
    elif r.status == "waived" and r.waiver is not None and r.verdict_without_waiver is not None:
        lines.append(f"Waived: {r.waiver.justification} ({r.waiver.describe()}). "
                     f"Without the waiver: {r.verdict_without_waiver.replace('_', ' ')}.")
    elif r.status == "not_assessed":
        lines.append(r.decided_by.replace("Verdict not assessed: ", "Not assessed: ", 1))
        lines.append(_proposal(r))
    lines += r.notes
    if r.provision.uncertain:
        lines.append("The wording of this provision in chc's catalogue could not be verified against the Ombudsman's text.")
    return lines


def _gap(r: ProvisionResult) -> Gap:
    reasons = [rr.evidence for rr in r.failing]
    if r.case_ids:
        reasons.append(cases_sentence(r.case_ids))
    if not reasons and r.attestation:
        reasons.append(f"The landlord's own assessment: {r.attestation['statement']}")
    plan = r.plan or {}
    return Gap(r.provision.id, r.provision.requirement, " ".join(reasons), plan.get("action") or r.remediation or "",
               plan.get("owner", ""), uk_date(plan.get("target_date")))


def _proposal(r: ProvisionResult) -> str:
    if r.plan:
        owner = f" Owner: {r.plan['owner']}." if r.plan.get("owner") else ""
        due = f" Target date: {uk_date(r.plan['target_date'])}." if r.plan.get("target_date") else ""
        return f"Planned action: {r.plan['action']}{owner}{due}"
    return f"Proposed action: {r.remediation or 'none recorded'}"
