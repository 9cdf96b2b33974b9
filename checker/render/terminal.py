"""The self-assessment as a terminal table (tabulate): one row per provision, then a count of each verdict.

The table fits the terminal: its text columns share what the terminal's width (COLUMNS, else the window, else
100) leaves after the provision and verdict columns and the borders, so no line is wider than the terminal.
"""

from __future__ import annotations

import shutil
import textwrap

from tabulate import tabulate

from checker.render.formats import Context
from checker.verdict.assessment import SHOWN_IDS, Assessment

LABEL = {"met": "met", "partially_met": "partially met", "not_met": "NOT MET", "waived": "waived", "not_applicable": "n/a", "not_assessed": "not assessed"}


BORDERS = 16  # simple_grid's rules and padding around five columns
# tabulate makes a column at least its heading and two spaces wide
VERDICT_WIDTH, PROVISION_WIDTH, TITLE_LEAST, REMEDY_LEAST, EVIDENCE_LEAST = 13, 11, 13, 13, 10


def width() -> int:
    """The terminal's width in characters."""
    return shutil.get_terminal_size((100, 24)).columns


def render_terminal(assessment: Assessment, context: Context) -> str:
    columns = width()
    room = columns - BORDERS - VERDICT_WIDTH - PROVISION_WIDTH  # for the requirement, evidence and remediation columns
    title_width, remedy_width = max(TITLE_LEAST, room // 4), max(REMEDY_LEAST, room * 3 // 10)
    evidence_width = max(EVIDENCE_LEAST, room - title_width - remedy_width)
    rows = []
    for r in assessment.results:
        evidence = " ".join(r.evidence)
        if r.case_ids:
            shown = ", ".join(r.case_ids[:SHOWN_IDS])
            more = f" and {len(r.case_ids) - SHOWN_IDS} more" if len(r.case_ids) > SHOWN_IDS else ""
            evidence += f" Cases: {shown}{more}."
        if r.waiver:
            evidence += f" Waived ({r.waiver.describe()}): {r.waiver.justification}"
        evidence = " ".join([evidence, *r.notes])
        rows.append([
            r.provision.id, _wrap(r.provision.title, title_width),
            _wrap(LABEL[r.status] + (" (attested)" if r.basis == "attestation" else ""), VERDICT_WIDTH),
            _wrap(evidence, evidence_width), _wrap(r.remediation or "", remedy_width),
        ])
    table = tabulate(rows, headers=["Provision", "Requirement", "Verdict", "Evidence", "Remediation"],
                     tablefmt="simple_grid", disable_numparse=True)
    counts = assessment.summary()
    summary = tabulate([[LABEL[k], v] for k, v in counts.items()] + [["total", sum(counts.values())]],
                       headers=["Verdict", "Provisions"], tablefmt="simple")
    head = (f"{assessment.landlord}: self-assessment against the {assessment.catalogue.code['title']} "
            f"{assessment.catalogue.code['version']}, {assessment.period.label} "
            f"({assessment.period.start} to {assessment.period.end}; open cases judged as at {assessment.as_of})\n"
            f"Register {assessment.register.file_name}: {assessment.register.accounting()}, "
            f"{assessment.rows_in_period} received in the period.")
    skipped = "".join(f"\nrow {row} skipped: {'; '.join(reasons)}" for row, reasons in assessment.register.skipped_rows)
    head = "\n".join(_wrap(line, columns) for line in (head + skipped).splitlines())
    return f"{head}\n\n{table}\n\n{summary}\n{_changes(assessment)}"


def _changes(assessment: Assessment) -> str:
    """With --history: the provisions newly met and newly not met since the same period a year before."""
    since = assessment.changes_since
    if since is None:
        return ""
    if not since.changes:
        return f"\nNo provision is newly met or newly not met since {since.period}.\n"
    rows = [[c.provision, LABEL[c.before], LABEL[c.now], c.change.replace("_", " ")] for c in since.changes]
    return "\n" + tabulate(rows, headers=["Provision", since.period, assessment.period.label, "Since last year"],
                           tablefmt="simple", disable_numparse=True) + "\n"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""
