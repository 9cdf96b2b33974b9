"""The self-assessment as a terminal table (tabulate): one row per provision, then a count of each verdict."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from checker.render.formats import Context
from checker.verdict.assessment import SHOWN_IDS, Assessment

LABEL = {"met": "met", "partially_met": "partially met", "not_met": "NOT MET", "waived": "waived", "not_applicable": "n/a", "not_assessed": "not assessed"}


def render_terminal(assessment: Assessment, context: Context, width: int = 44) -> str:
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
            r.provision.id, _wrap(r.provision.title, 30),
            LABEL[r.status] + (" (attested)" if r.basis == "attestation" else ""),
            _wrap(evidence, width), _wrap(r.remediation or "", width),
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
    return f"{head}{skipped}\n\n{table}\n\n{summary}\n"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""
