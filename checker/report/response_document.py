"""The governing body's response to the annual complaints performance and service improvement report (Code 8.2),
drafted for the governing body to complete: the year's figures and the provisions not met with their actions and
dates, from the same report data and self-assessment as the report, then marked places for the statement of the
Member Responsible for Complaints and the Chair's, and for their signatures, as published responses lay them out.

chc writes only what the data supports; the statements are the governing body's own words, so they are left as
places marked in square brackets, never drafted.
"""

from __future__ import annotations

from typing import Any

from checker.derive.dates import uk_date
from checker.render.appendix import ALL_MET, Appendix
from checker.report.documents import summary_blocks
from checker.report.model import Block, Document, Heading, Paragraph, Table

GAP_COLUMNS = ("Provision", "Requirement", "Action", "Owner", "Target date")
GAP_WIDTHS = (0.11, 0.3, 0.34, 0.13, 0.12)
SIGNATURE_COLUMNS = ("Signed by", "Signature", "Date")
SIGNATURE_WIDTHS = (0.5, 0.3, 0.2)
SPACE = "\n\n"  # blank lines: room to sign and date by hand


def response_document(data: dict[str, Any], appendix: Appendix, policy: dict[str, Any]) -> Document:
    """The draft response: what it is, the year's figures, the self-assessment's answers and its gaps, the statements
    and the signatures still to be given."""
    label = data["period"]["label"]
    body = policy.get("reporting", {}).get("governing_body") or "the governing body"
    mrc = policy.get("roles", {}).get("member_responsible_for_complaints", {}).get("title")
    member = f"the Member Responsible for Complaints ({mrc})" if mrc else "the Member Responsible for Complaints"
    yes, no = (dict(appendix.summary).get(answer, 0) for answer in ("Yes", "No"))
    blocks: list[Block] = [
        Paragraph(f"A draft of {body}'s response to {data['landlord']}'s annual complaints performance and service improvement "
                  f"report for {label}. The Housing Ombudsman's Complaint Handling Code (8.2) requires the report to be reported "
                  "to the governing body, and the governing body's response to be published alongside it. The figures and actions "
                  "below are those of the report; the places in square brackets are for the governing body to complete.", "lead"),
        Heading("The year's figures"),
        *summary_blocks(data)[1:],
        Heading("The self-assessment against the Code"),
        Paragraph(f"The self-assessment answers Yes to {yes} of the Code's {yes + no} provisions and No to {no}."),
        Heading("Provisions not met, and how and by when they will be met"),
        Table(GAP_COLUMNS, tuple((g.provision, g.requirement, g.proposal, g.owner, g.target_date) for g in appendix.gaps),
              widths=GAP_WIDTHS) if appendix.gaps else Paragraph(ALL_MET),
        Heading("Statement by the Member Responsible for Complaints"),
        Paragraph(f"[The statement of {member}, on behalf of {body}, to be written here.]"),
        Heading("Statement by the Chair"),
        Paragraph(f"[The statement of the Chair of {body}, to be written here.]"),
        Heading("Signatures"),
        Table(SIGNATURE_COLUMNS, ((_capital(member), SPACE, SPACE), (f"The Chair of {body}", SPACE, SPACE)), widths=SIGNATURE_WIDTHS),
    ]
    p = data["period"]
    meta = (("Landlord", data["landlord"]), ("Period", f"{label} ({uk_date(p['start'])} to {uk_date(p['end'])})"),
            ("Governing body", _capital(body)),
            ("Generated", f"{data['generated_at'][:16].replace('T', ' ')} UTC by chc {data['tool']['version']}"))
    return Document(f"Governing body's response to the annual complaints report {label}", data["landlord"], meta, tuple(blocks),
                    footer=f"Draft response {label}", description=appendix.provenance)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
