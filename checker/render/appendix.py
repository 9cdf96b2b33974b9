"""Appendix 1 as councils publish it: the Ombudsman's self-assessment form, filled in from one assessment.

These data feed every publishing format, so they cannot disagree: Markdown, HTML, Word and PDF draw it as a
report Document (checker.report.appendix_document), Excel and CSV from the data directly.
Evidence cites figures, case references, policy clauses and attested documents, never register free text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import astuple, dataclass
from typing import Any

from checker import __version__
from checker.derive.dates import uk_date
from checker.verdict.assessment import Assessment, ProvisionResult

# the form's column is "Comply: Yes / No": a provision not fully met, whatever the reason, is No, and its
# commentary opens with the reason (the full verdict stays in the JSON, the CSV and the terminal)
COMPLY = {"met": "Yes", "not_applicable": "Yes", "partially_met": "No", "not_met": "No", "waived": "No", "not_assessed": "No"}
# (fill, ink) per answer, shared by the HTML, Word and Excel renderers; the word is always printed too
COLOURS = {"Yes": ("D4EDDA", "0B4D1C"), "No": ("F6C9C9", "7A0C0C")}
COLUMNS = ("Code provision", "Code requirement", "Comply: Yes / No", "Evidence", "Commentary / explanation")
FORM_WIDTHS = (0.075, 0.26, 0.075, 0.30, 0.29)  # each column's share of a landscape page, as the form lays them out
GAP_COLUMNS = ("Code reference", "Requirement", "Reasons not met", "Proposal to address", "Owner", "Target date")
GAP_WIDTHS = (0.08, 0.24, 0.24, 0.24, 0.11, 0.09)
SIGN_OFF_HEADING = "Sign-off"
NO_OWNER, NO_DATE = "To be set", "Date to be set"
SHOWN_CASES = 10
SOURCES = {"case": "the complaints register", "register": "the register's figures", "policy": "the complaints policy"}
ALL_MET = "Every requirement assessed is met or not applicable."
WORDING_NOTE = ("The 'Code requirement' texts paraphrase the Housing Ombudsman's Complaint Handling Code faithfully but are "
                "not its official wording. Read them with the Code itself.")
# a spreadsheet cell starting with one of these is a formula (CSV injection): the CSV and Excel outputs quote them
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    provision: str
    requirement: str
    comply: str  # Yes or No, as the form asks
    status: str  # the full verdict, for the CSV
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
    summary: tuple[tuple[str, int], ...]
    tables: tuple[Table, ...]
    gaps: tuple[Gap, ...]
    sign_off: tuple[tuple[str, str], ...]  # who completed and who approved the form, and when; the MRC
    notes: tuple[str, ...]  # said once, at the end: rows left out, provenance, the wording and where the preamble is from
    provenance: str  # what generated the document, and that it holds no personal data: also the files' description
    changes_since: tuple[str, str] | None = None  # with --history: (the earlier period, this one)
    changes: tuple[tuple[str, str, str, str], ...] = ()  # (provision, title, then, now): newly met and newly not met

    @property
    def total(self) -> int:
        return sum(n for _, n in self.summary)


def build_appendix(assessment: Assessment, generated_at: dt.datetime, case_refs: str = "count") -> Appendix:
    """The form's tables in Code order, one per section (section 6 split into its stages), then every No with its
    action, owner and date, the sign-off, and the notes. `case_refs` says how the cases behind a verdict are shown:
    not at all, as a count (the default: the form is published) or listed."""
    tables: list[Table] = []
    for result in assessment.results:
        row = _row(result, case_refs)
        if tables and tables[-1].heading == result.heading:
            tables[-1] = Table(result.heading, tables[-1].rows + (row,))
        else:
            tables.append(Table(result.heading, (row,)))
    gaps = tuple(_gap(r, case_refs) for r in assessment.results if COMPLY[r.status] == "No")
    form = assessment.catalogue.form or {}
    counts = Counter(COMPLY[r.status] for r in assessment.results)
    provenance = (f"Generated by chc {__version__} from the landlord's complaints register and complaints policy metadata. "
                  "No personal data is reproduced.")
    return Appendix(
        title=f"Appendix 1: {form.get('title', 'Complaint Handling Code self-assessment')} {assessment.period.label}",
        landlord=assessment.landlord,
        meta=metadata(assessment, generated_at),
        preamble=tuple(form.get("preamble", ())),
        summary=(("Yes", counts["Yes"]), ("No", counts["No"])),
        tables=tuple(tables),
        gaps=gaps,
        sign_off=sign_off(assessment.policy.data),
        notes=(*skipped_note(assessment.register.skipped_rows), provenance, *_wording_notes(assessment, form)),
        provenance=provenance,
        **_changes(assessment),
    )


def _changes(assessment: Assessment) -> dict[str, Any]:
    """The provisions newly answered Yes or No since the same period a year before (--history), in Code order."""
    since = assessment.changes_since
    if since is None:
        return {}
    titles = {r.provision.id: r.provision.title for r in assessment.results}
    rows = tuple((c.provision, titles.get(c.provision, ""), COMPLY[c.before], COMPLY[c.now]) for c in since.changes)  # newly Yes or No
    return {"changes_since": (since.period, assessment.period.label), "changes": rows}


PLAN = ("action", "owner", "target_date")  # what the remediation plan gives every No


def lacking(result: ProvisionResult) -> list[str]:
    """The parts of the plan a provision's remediation_plan entry leaves out."""
    return [key for key in PLAN if not (result.plan or {}).get(key)]


def unplanned(assessment: Assessment) -> list[str]:
    """The provisions the form answers No without an action, an owner and a target date in the remediation plan."""
    return [r.provision.id for r in assessment.results if COMPLY[r.status] == "No" and lacking(r)]


def sign_off(policy: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The form is completed by the complaints officer and approved by the governing body (the form's preamble);
    the Member Responsible for Complaints is named beside them."""
    done = policy.get("self_assessment", {})
    mrc = policy.get("roles", {}).get("member_responsible_for_complaints", {})

    def by(who: str, when: str, missing: str) -> str:
        if not done.get(who):
            return missing
        return f"{done[who]}, on {uk_date(done[when])}" if done.get(when) else f"{done[who]}, date not recorded"

    return (("Completed by", by("completed_by", "completed_on", "Not recorded")),
            ("Approved by", by("approved_by", "approved_on", "Not yet approved")),
            ("Member Responsible for Complaints", mrc.get("title", "Not recorded")))


def _wording_notes(assessment: Assessment, form: dict[str, Any]) -> list[str]:
    """Where the form's words come from, said once: the requirements' wording, those chc could not verify, the preamble."""
    unverified = [r.provision.id for r in assessment.results if r.provision.uncertain]
    imported = assessment.catalogue.code.get("requirements_from")
    official = all(r.provision.wording == "official" for r in assessment.results)
    notes = [f"The 'Code requirement' texts are the Housing Ombudsman's own wording, taken from its self-assessment form on "
             f"{uk_date(imported['imported_on'])}." if imported and official else WORDING_NOTE]
    if unverified:
        notes.append(f"The wording of {_join(unverified, 'provision')} could not be verified against the Ombudsman's text.")
    if form.get("preamble") and form.get("source"):
        notes.append(f"The form's introduction is quoted from: {form['source'].strip()}")
    return notes


def _join(ids: list[str], noun: str) -> str:
    """'provision 1.6', 'provisions 1.6 and 2.7', 'provisions 1.6, 2.7 and 3.1'."""
    listed = ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
    return f"{noun}{'s' * (len(ids) > 1)} {listed}"


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
        ("Complaints register", f"{register.accounting()}, {assessment.rows_in_period} received in the period"),
        ("Generated", f"{generated_at.strftime('%Y-%m-%d %H:%M')} UTC by chc {__version__}"),
    )


def cases_sentence(case_ids: list[str] | tuple[str, ...], case_refs: str = "list", shown: int = SHOWN_CASES) -> str:
    """The cases behind a verdict as the published form shows them: listed, counted or not at all."""
    if not case_ids or case_refs == "none":
        return ""
    if case_refs == "count":
        return f"{len(case_ids)} case{'s' * (len(case_ids) != 1)}, identified in the complaints register."
    more = f" and {len(case_ids) - shown} more (all listed in the CSV and JSON outputs)" if len(case_ids) > shown else ""
    return f"Cases: {', '.join(case_ids[:shown])}{more}."


def _row(r: ProvisionResult, case_refs: str) -> Row:
    return Row(r.provision.id, r.provision.requirement, COMPLY[r.status], r.status,
               tuple(_evidence(r, case_refs)), tuple(_commentary(r)), tuple(r.case_ids))


def _evidence(r: ProvisionResult, case_refs: str) -> list[str]:
    """Each sentence opens with how it was known: measured from the register, declared in the policy, attested."""
    if r.rules_verdict == "not_assessed" and not r.attestation:
        return [e for e in r.evidence if not e.startswith("No rule can test this")] or ["No evidence in the complaints register or the policy metadata."]
    found = [rr.evidence for rr in r.rule_results]
    cases = cases_sentence(r.case_ids, case_refs)
    if cases:
        found.append(cases)
    if r.attestation:
        found.append("Attested, with these documents: " + "; ".join(_document(e) for e in r.attestation["evidence"]) + ".")
    return found


def _document(evidence: dict[str, Any]) -> str:
    dated = f" ({uk_date(evidence['date'])})" if evidence.get("date") else ""
    link = f" {evidence['link']}" if evidence.get("link") else ""
    return f"{evidence['document']}{dated}{link}"


def _commentary(r: ProvisionResult) -> list[str]:
    """A No opens with why it is not a plain Yes: partial compliance, a waiver, or nothing that evidences it."""
    lines: list[str] = []
    if r.status == "partially_met":
        tolerances = [rr.outcome.finding.tolerance for rr in r.failing if rr.outcome.finding.tolerance]
        lines.append(f"Partial compliance: the breaches are within an approved tolerance of {tolerances[0].describe()}." if tolerances
                     else "Partial compliance: the landlord's own assessment.")
    elif r.status == "waived" and r.waiver is not None:
        until = f"Waived until {uk_date(r.waiver.expires)}" if r.waiver.expires else "Waived with no expiry date"
        approved = " ".join(filter(None, (f"by {r.waiver.approved_by}" if r.waiver.approved_by else "",
                                          f"on {uk_date(r.waiver.approved_on)}" if r.waiver.approved_on else "")))
        lines.append(f"{until}: {r.waiver.justification.rstrip('.')}." + (f" Approved {approved}." if approved else ""))
    elif r.status == "not_assessed":
        lines.append(r.decided_by.replace("Verdict not assessed: ", "Not evidenced: ", 1))
    elif r.status == "not_applicable" and r.attestation:
        lines.append(f"Not applicable: {r.attestation['statement']}")
    if r.attestation and r.status != "not_applicable":
        lines.append(r.attestation["statement"])
    if r.status == "met" and r.basis == "rules":
        scopes = sorted({SOURCES[rr.outcome.rule.scope] for rr in r.rule_results if rr.outcome.result == "pass"})
        lines.append(f"Checked against {' and '.join(scopes)}.")
    elif r.status == "not_met":
        lines.append("Not met: the reasons are in the evidence column and in the table of requirements not met.")
    if COMPLY[r.status] == "No":
        lines.append(_proposal(r))
    lines += r.notes
    return lines


def _gap(r: ProvisionResult, case_refs: str) -> Gap:
    reasons = [rr.evidence for rr in r.failing]
    cases = cases_sentence(r.case_ids, case_refs)
    if cases and reasons:
        reasons.append(cases)
    if not reasons:
        reasons = _commentary(r)[:1]
    if r.attestation and r.status in ("not_met", "partially_met") and not r.failing:
        reasons = [f"The landlord's own assessment: {r.attestation['statement']}"]
    plan = r.plan or {}
    return Gap(r.provision.id, r.provision.requirement, " ".join(reasons), plan.get("action") or r.remediation or "",
               plan.get("owner") or NO_OWNER, uk_date(plan.get("target_date")) or NO_DATE)


def _proposal(r: ProvisionResult) -> str:
    plan = r.plan or {}
    owner = f" Owner: {plan.get('owner') or NO_OWNER.lower()}."
    due = f" Target date: {uk_date(plan['target_date'])}." if plan.get("target_date") else f" {NO_DATE}."
    action = f"Planned action: {plan['action']}" if plan.get("action") else f"Proposed action: {r.remediation or 'none recorded'}"
    return f"{action.rstrip('.')}.{owner}{due}"
