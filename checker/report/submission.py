"""The annual submission to the Housing Ombudsman (`chc submission`): every document of the pack, from one assessment and
one set of report data, and the checklist that says what is ready and what is missing before the deadline.

The pack: the self-assessment (Appendix 1: Word, HTML, PDF), the annual complaints performance and service
improvement report (Code 8.1: Word, HTML, PDF), the governing body's response drafted (8.2: Word) and the complaint
TSMs as the Regulator's return lays them out (CSV, Excel). The deadline is the Ombudsman's (docs/submission.md):
30 September after the financial year's end for a landlord with more than 1,000 homes, six months after it otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from checker.derive.dates import months_before, uk_date
from checker.derive.period import Period
from checker.render.appendix import COMPLY, build_appendix, lacking
from checker.render.formats import render_report
from checker.render.markdown_layout import Markdown, inline, strong, table, text
from checker.render.tsm_return import render_tsm_csv, render_tsm_xlsx
from checker.report.appendix_document import form_document
from checker.report.documents import annual_document, count, join
from checker.report.response_document import response_document
from checker.verdict.assessment import Assessment

LARGE = 1000  # homes: a landlord with more than this many submits by 30 September
SMALL_MONTHS = 6  # a smaller landlord submits within this many months of its financial year's end
SIGN_OFF = (("completed_by", "Completed by"), ("completed_on", "Completed on"), ("approved_by", "Approved by"), ("approved_on", "Approved on"))
CHECKLIST = "checklist.md"
FORMATS = (("docx", "Word"), ("html", "HTML"), ("pdf", "PDF"))  # the self-assessment's and the annual report's
# every file a pack may hold: one an earlier run wrote and this one did not is removed (--force)
PACK_NAMES = ({f"{stem}.{fmt}" for stem in ("self-assessment", "annual-report") for fmt, _ in FORMATS}
              | {"governing-body-response.docx", "tsm-return.csv", "tsm-return.xlsx", CHECKLIST})


@dataclass(frozen=True)
class Part:
    """One file of the pack: what it is, where it is published (the policy key that says so), and its bytes, or why not."""

    name: str
    what: str
    published_key: str | None
    data: bytes | None = None
    missing: str = ""


@dataclass
class Pack:
    parts: list[Part]
    checklist: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """Every file to write, the checklist last."""
        return [(p.name, p.data) for p in self.parts if p.data is not None] + [(CHECKLIST, self.checklist.encode("utf-8"))]


def is_year(period: Period) -> bool:
    """Whether the period is a whole year (a financial year, or FROM:TO dates twelve months apart), as a submission covers."""
    after = period.end + dt.timedelta(days=1)
    return (after.year - period.start.year) * 12 + after.month - period.start.month == 12 and after.day == period.start.day


def deadline(homes: int, year_end: dt.date) -> tuple[dt.date, str]:
    """The submission's deadline and why: the 30 September after the year's end for more than 1,000 homes, else the
    day six months after the year's end (the month's last day where it is shorter)."""
    if homes > LARGE:
        due = dt.date(year_end.year, 9, 30)
        due = due if due > year_end else dt.date(year_end.year + 1, 9, 30)
        return due, (f"{homes:,} homes, more than {LARGE:,}: by 30 September after the financial year's end, {uk_date(year_end)}")
    due = months_before(year_end, -SMALL_MONTHS)  # six months on: months_before counts back, so forward with a minus
    return due, f"{homes:,} homes, not more than {LARGE:,}: within six months of the financial year's end, {uk_date(year_end)}"


def build_pack(assessment: Assessment, data: dict[str, Any], generated_at: dt.datetime, pdf_missing: str) -> Pack:
    """Every part from the one assessment and report data (a PDF only when `pdf_missing` is empty, else the part says
    why it is missing), and the checklist. The published documents show case references as counts."""
    appendix = build_appendix(assessment, generated_at, "count")
    documents = {"appendix": form_document(appendix), "annual": annual_document(data, appendix),
                 "response": response_document(data, appendix, assessment.policy.data)}

    def drawn(name: str, what: str, key: str | None, document: str, fmt: str) -> Part:
        if fmt == "pdf" and pdf_missing:
            return Part(name, what, key, missing=pdf_missing)
        return Part(name, what, key, render_report(fmt, documents[document], {}, generated_at))

    self_assessment, annual = "Self-assessment against the Code (Appendix 1)", "Annual complaints performance and service improvement report (8.1)"
    parts = [
        *(drawn(f"self-assessment.{fmt}", f"{self_assessment}, {kind}", "self_assessment", "appendix", fmt) for fmt, kind in FORMATS),
        *(drawn(f"annual-report.{fmt}", f"{annual}, {kind}", "annual_report", "annual", fmt) for fmt, kind in FORMATS),
        drawn("governing-body-response.docx", "The governing body's response (8.2), a draft to complete, Word", "governing_body_response",
              "response", "docx"),
        Part("tsm-return.csv", "Complaint TSMs (CH01, CH02) for the Regulator's return, CSV", None, render_tsm_csv(data)),
        Part("tsm-return.xlsx", "Complaint TSMs (CH01, CH02) for the Regulator's return, Excel", None, render_tsm_xlsx(data, generated_at)),
    ]
    pack = Pack(parts)
    pack.missing = [f"{p.name}: not written: {p.missing}" for p in parts if p.data is None]
    policy = assessment.policy.data
    done = policy.get("self_assessment", {})
    pack.missing += [f"Sign-off: {label.lower()} is not given (policy self_assessment.{key})" for key, label in SIGN_OFF if not done.get(key)]
    nos = [r for r in assessment.results if COMPLY[r.status] == "No"]
    for r in nos:
        if gaps := [key.replace("_", " ") for key in lacking(r)]:
            pack.missing.append(f"Provision {r.provision.id} is answered No with no {join(gaps)} in the policy's remediation_plan")
    pack.checklist = _checklist(pack, assessment, data, policy, nos)
    return pack


def _checklist(pack: Pack, assessment: Assessment, data: dict[str, Any], policy: dict[str, Any], nos: list[Any]) -> str:
    due, why = deadline(policy["landlord"]["homes"], assessment.period.end)
    published = policy.get("reporting", {}).get("published_at", {})
    status = "complete" if pack.complete else f"incomplete, {count(len(pack.missing), 'thing')} missing"
    lines = [f"# Annual submission checklist: {inline(data['landlord'])}, {assessment.period.label}", "",
             f"- Deadline: **{uk_date(due)}** ({why}).",
             f"- The pack is **{status}**."]
    organisations = [g["key"]["organisation"] for g in data["groups"] if "organisation" in g["key"]]
    if organisations:
        lines.append(f"- Covers {len(organisations)} organisations under one complaints policy: {inline(', '.join(organisations))}; "
                     "the annual report and the TSM return give figures for each and for the whole.")
    documents = [(p.what, p.name, "yes" if p.data is not None else Markdown(f"{strong('missing')}: {inline(p.missing)}"),
                  "the Regulator's TSM return" if p.published_key is None
                  else published.get(p.published_key) or f"not given (policy reporting.published_at.{p.published_key})")
                 for p in pack.parts]
    lines += ["", "## Documents", "", *table(("Document", "File", "Present", "Published at"), documents)]
    done = policy.get("self_assessment", {})
    sign_off = [(label, (uk_date(done[key]) if key.endswith("_on") else str(done[key])) if done.get(key) else strong("missing"),
                 f"self_assessment.{key}") for key, label in SIGN_OFF]
    lines += ["", "## Sign-off of the self-assessment", "", *table(("", "Given", "Policy key"), sign_off)]
    lines += ["", "## Provisions answered No", ""]
    if nos:
        plans = [(r.provision.id, "yes" if (r.plan or {}).get("action") else strong("missing"), (r.plan or {}).get("owner") or strong("missing"),
                  uk_date(r.plan["target_date"]) if (r.plan or {}).get("target_date") else strong("missing")) for r in nos]
        lines += table(("Provision", "Action recorded", "Owner", "Target date"), plans)
    else:
        lines.append("None: every provision is answered Yes.")
    lines += ["", "## Missing", ""]
    lines += [f"- {text(m)}" for m in pack.missing] or ["Nothing: the pack is complete."]
    lines += ["", "The governing body's response is a draft: its statements and signatures are completed by hand before it is published."]
    return "\n".join(lines) + "\n"

