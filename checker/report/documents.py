"""The reports as documents: the governing-body update (`chc report`, Code 9.7) and the annual complaints
performance and service improvement report (`chc annual-report`, Code 8.1 a-f), built from report_data().

Wording follows the seeds' councils: tables of counts with percentages, last year's figure in brackets,
charts where a reader would rather look than read. Every figure comes from the report data, so the JSON
and the documents cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any, cast

from checker.derive.dates import uk_date
from checker.load.register import accounting
from checker.render.appendix import GAP_COLUMNS, Appendix, skipped_note
from checker.report import charts
from checker.report.appendix_document import change_blocks, form_blocks, sign_off_blocks, summary_table
from checker.report.figures import half_up
from checker.report.model import Block, Bullets, Chart, Document, Heading, Landscape, Paragraph, Quote, Table

TYPES = {"stage1": "Stage 1 complaints", "stage2": "Stage 2 complaints", "service_request": "Service requests",
         "mp_enquiry": "MP enquiries", "enquiry": "Other enquiries"}
OUTCOMES = {"upheld": "Upheld", "partially_upheld": "Partially upheld", "not_upheld": "Not upheld",
            "withdrawn": "Withdrawn", "not_accepted": "Not accepted", "open": "Not yet decided"}
ALWAYS_SHOWN = ("upheld", "partially_upheld", "not_upheld")
REASONS = {"out_of_time": "Made more than {months} months after the issue", "legal_proceedings": "Legal proceedings started",
           "previously_considered": "Already considered under the policy", "service_request": "A service request, not a complaint",
           "duplicate": "A duplicate of a complaint already being dealt with", "not_a_complaint": "Not a complaint",
           "other": "Other", "not_recorded": "Reason not recorded"}
FINDINGS = {"severe_maladministration": "Severe maladministration", "maladministration": "Maladministration",
            "service_failure": "Service failure", "no_maladministration": "No maladministration",
            "reasonable_redress": "Reasonable redress", "outside_jurisdiction": "Outside jurisdiction"}
EVENTS = {"outside_jurisdiction": "Decisions that a complaint is outside jurisdiction",
          "resolved_without_investigation": "Cases resolved with Ombudsman intervention without investigation",
          "investigation_started": "Investigations started",
          "complaint_handling_failure_order": "Complaint Handling Failure Orders"}
PART_81 = {
    "a": "the annual self-assessment against the Code, to ensure the complaint handling policy remains in line with its requirements",
    "b": "a qualitative and quantitative analysis of complaint handling performance, including a summary of the types of complaints refused",
    "c": "any findings of non-compliance with the Code by the Ombudsman",
    "d": "the service improvements made as a result of the learning from complaints",
    "e": "any annual report about the landlord's performance from the Ombudsman",
    "f": "any other relevant reports or publications produced by the Ombudsman in relation to the work of the landlord",
}
CHFO_TYPES = {"1": "Complaint Handling Failure Orders, type 1 (the complaint handling process)",
              "2": "Complaint Handling Failure Orders, type 2 (the complaint handling process)",
              "3": "Complaint Handling Failure Orders, type 3 (compliance with the Code)"}
SELF_ASSESSMENT_AFTER = {"order": "an Ombudsman order", "recommendation": "an Ombudsman recommendation",
                         "spotlight_report": "a spotlight report"}
# a breakdown with no fixed list of values (service areas, organisations, themes) shows its TOP largest in a document,
# then the rest as one line; the JSON holds them all
TOP = 10
NO_OMBUDSMAN_FILE = "This report holds no record of the Ombudsman's activity for the period."


def whole_pct(count: int, of: int) -> str:
    """83%: a share rounded half up to a whole number, from the counts (never from a rounded share)."""
    if not of:
        return "–"
    return f"{half_up(Decimal(100 * count / of), '1')}%"


def _some_pct(count: int, of: int) -> str:
    """whole_pct, but 'under 1%' rather than '0%' for a share that is not none: a sentence comparing 2 of 3,295 with
    2 of 21,948 cannot say 0% against 0%."""
    share = whole_pct(count, of)
    return "under 1%" if count and share == "0%" else share


def money(value: float) -> str:
    return f"£{value:,.2f}"


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def _compared(data: dict[str, Any]) -> str | None:
    """The earlier period's label when the report compares with it and the register holds data for it."""
    previous = data["previous"]
    return previous["period"]["label"] if previous and previous["has_data"] else None


def no_data(data: dict[str, Any]) -> str | None:
    """'no data for 2022-23' when a comparison was asked for a year the register does not reach, else None."""
    previous = data["previous"]
    return f"no data for {previous['period']['label']}" if previous and not previous["has_data"] else None


def _with_previous(now: Any, before: Any | None) -> str:
    return f"{now} ({before})" if before is not None else f"{now}"


def update_document(data: dict[str, Any]) -> Document:
    """`chc report`: the governing body's update on volume, categories, outcomes, performance, trends and the Ombudsman."""
    blocks: list[Block] = [*summary_blocks(data), *_performance(data), *_groups(data), *_ombudsman(data), *_learning(data), *_skipped(data)]
    return Document(f"Complaint handling performance {data['period']['label']}", data["landlord"], _meta(data), tuple(blocks))


def annual_document(data: dict[str, Any], appendix: Appendix) -> Document:
    """`chc annual-report`: Code 8.1 a to f in order, then the self-assessment form as Appendix 1."""
    label = data["period"]["label"]
    blocks: list[Block] = [
        Paragraph(f"This is {data['landlord']}'s annual complaints performance and service improvement report for {label}. "
                  "The Housing Ombudsman's Complaint Handling Code (8.1) requires it to include:", "lead"),
        Bullets(tuple(f"{key}. {text};" for key, text in PART_81.items())),
        Heading("a. Self-assessment against the Complaint Handling Code"),
        summary_table(appendix),
        *change_blocks(appendix, level=3),
        Paragraph("The full self-assessment form is Appendix 1 of this report. The requirements not met, and how and by when they will be "
                  "addressed:"),
        # the requirements themselves are in Appendix 1
        Table(tuple(c for c in GAP_COLUMNS if c != "Requirement"), tuple(g.cells[:1] + g.cells[2:] for g in appendix.gaps),
              widths=(0.11, 0.33, 0.26, 0.16, 0.14))
        if appendix.gaps else Paragraph("Every requirement of the Code is met."),
        Heading("b. Complaint handling performance"),
        *summary_blocks(data, level=3),
        *_performance(data, level=3),
        *_groups(data, level=3),
        Heading("c. Findings of non-compliance with the Code by the Ombudsman"),
        *_non_compliance(data),
        *_ombudsman(data, level=3),
        Heading("d. Service improvements from the learning from complaints"),
        *(_learning(data, level=None) or [Paragraph("This report holds no record of learning from complaints for the period.")]),
        Heading("e. The Ombudsman's annual report on our performance"),
        *_reports(data, ("annual_performance",)),
        Heading("f. Other Ombudsman reports about our work"),
        *_reports(data, ("special_investigation", "other")),
        Landscape(),
        Heading(appendix.title),
        *([Quote(appendix.preamble)] if appendix.preamble else []),
        *form_blocks(appendix, level=3),
        *sign_off_blocks(appendix, level=3),
        *[Paragraph(note, "note") for note in appendix.notes],
    ]
    return Document(f"Annual complaints performance and service improvement report {label}", data["landlord"],
                    _meta(data) + (("Rules version", dict(appendix.meta)["Rules version"]),), tuple(blocks))


def _skipped(data: dict[str, Any]) -> list[Block]:
    """Rows left out as invalid (--skip-bad-rows), so that a reader can see every contact is accounted for."""
    rows = [(r["row"], r["reasons"]) for r in data["register"]["skipped_rows"]]
    return [Paragraph(text, "note") for text in skipped_note(rows)]


def _meta(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    p = data["period"]
    meta = [("Landlord", data["landlord"]), ("Period", f"{p['label']} ({uk_date(p['start'])} to {uk_date(p['end'])})")]
    if data["previous"]:
        q = data["previous"]["period"]
        meta.append(("Compared with", f"{q['label']} ({uk_date(q['start'])} to {uk_date(q['end'])}), last year's figures in brackets"
                     if q["label"] == _compared(data) else f"{no_data(data)}: the register holds no contact received in it"))
    meta += [
        ("Homes", f"{data['homes']:,}"),
        ("Code", f"{data['code']['title']} {data['code']['version']}"),
        ("Complaints register", accounting(data["register"])),
        ("Generated", f"{data['generated_at'][:16].replace('T', ' ')} UTC by chc {data['tool']['version']}"),
    ]
    return tuple(meta)


def _prev(data: dict[str, Any], *path: str) -> Any | None:
    """A figure of the previous period, or None when the report has none (or the register does not reach it)."""
    return _dig(data["previous"], path) if _compared(data) else None


def summary_blocks(data: dict[str, Any], level: int = 2) -> list[Block]:
    s1, s2, tsm = data["stage1"], data["stage2"], data["tsm"]
    before = _compared(data)
    was = (lambda *path: f" ({before}: {_prev(data, *path)})") if before else (lambda *path: "")
    missing = no_data(data)
    items = [f"{missing.capitalize()}: the register holds no contact received in it, so no figure is compared with it."] if missing else []
    items += [
        f"{count(data['contacts']['total'], 'contact')} received{was('contacts', 'total')}: {count(s1['received'], 'stage 1 complaint')}"
        f"{was('stage1', 'received')} and {count(s2['received'], 'stage 2 complaint')}{was('stage2', 'received')}.",
        f"Stage 1: {_timeliness(s1)}; stage 2: {_timeliness(s2)}.",
        _ch01_summary(tsm),
    ]
    if data["escalation_rate_pct"] is not None:
        items.append(f"Escalation rate: stage 2 complaints were {whole_pct(s2['received'], s1['received'])} of the number of stage 1 complaints.")
    if data["stage2_stage1_not_in_register"]:
        items.append(f"{count(data['stage2_stage1_not_in_register'], 'stage 2 complaint')} escalated from a stage 1 complaint that is "
                     "not in this register, received before it starts: counted in every figure, but not where the stage 1 "
                     "complaint is needed, such as the check that stage 2 is handled by someone else.")
    items.append(_open_at_end(data))
    if data["compensation"]["total"]:
        items.append(f"{money(data['compensation']['total'])} compensation offered on {count(data['compensation']['cases'], 'complaint')}.")
    return [Heading("Summary", level), Bullets(tuple(items))]


def _timeliness(s: dict[str, Any]) -> str:
    """'75% of responses within 10 working days, 83% counting valid extensions', or that none was due."""
    if not s["within_timescale"]["of"]:
        return "no complaint was responded to in the period"
    return (f"{whole_pct(s['within_timescale']['count'], s['within_timescale']['of'])} of responses within "
            f"{s['timescale_working_days']} working days, {whole_pct(s['including_extensions']['count'], s['including_extensions']['of'])} "
            "counting valid extensions")


def _open_at_end(data: dict[str, Any]) -> str:
    s1, s2 = data["stage1"], data["stage2"]
    at = f"At {uk_date(data['period']['as_of'])}"
    total = s1["open_at_end"] + s2["open_at_end"]
    if not total:
        return f"{at}, no complaint was open."
    overdue = s1["overdue_at_end"] + s2["overdue_at_end"]
    which = " and ".join(count(s["open_at_end"], f"stage {n} complaint") for n, s in ((1, s1), (2, s2)) if s["open_at_end"])
    late = "none of them" if not overdue else ("it" if total == 1 else f"{overdue} of them")
    return f"{at}, {which} {_were(total)} open, {late} past the Code's timescale."


def _ch01_summary(tsm: dict[str, Any]) -> str:
    """CH01 per tenure first, as the Regulator's return states it, then all homes."""

    def stages(node: dict[str, Any]) -> str:
        return f"{_two(node['stage1_per_1000_homes']) or '–'} at stage 1 and {_two(node['stage2_per_1000_homes']) or '–'} at stage 2"

    combined = f"all homes {stages(tsm['CH01'])}"
    if not tsm["tenure_recorded"]:
        return f"CH01, complaints per 1,000 homes: {combined}; the register records no tenure, so they are not split by tenure."
    known = [f"{short} {stages(tsm['CH01'][t])} per 1,000 {name} homes" for t, (short, name) in TENURES.items()
             if tsm["CH01"][t]["homes"]]
    known += [f"no {short} homes" for t, (short, _) in TENURES.items() if tsm["CH01"][t]["homes"] == 0]
    unknown = [short for t, (short, _) in TENURES.items() if tsm["CH01"][t]["homes"] is None]
    if unknown:
        known.append(f"not known for {' or '.join(unknown)}, whose homes are not in the policy metadata")
    return f"CH01, complaints per 1,000 homes: {'; '.join(known)}; {combined}."


def _performance(data: dict[str, Any], level: int = 2) -> list[Block]:
    blocks: list[Block] = [Heading("Contacts received", level), _contacts_table(data)]
    for kind in ("mp_enquiry", "service_request"):
        if data["contacts"]["by_type"][kind]["count"]:
            blocks += [Heading(f"{TYPES[kind]} by service area", level + 1),
                       _breakdown_table("Service area", data["contacts"]["by_service_area"][kind])]
    for stage in (1, 2):
        blocks += _stage(data, stage, level)
    blocks.append(Chart("Complaint outcomes by stage (%)", partial(
        charts.grouped_bar_chart, "Complaint outcomes by stage (%)", [OUTCOMES[o] for o in ALWAYS_SHOWN],
        {f"Stage {s}": [data[f"stage{s}"]["by_outcome"][o]["pct"] or 0 for o in ALWAYS_SHOWN] for s in (1, 2)}),
        "Share of stage 1 and stage 2 complaints upheld, partially upheld and not upheld: " + "; ".join(
            f"stage {s}: " + ", ".join(f"{OUTCOMES[o].lower()} {whole_pct(data[f'stage{s}']['by_outcome'][o]['count'], data[f'stage{s}']['received'])}"
                                       for o in ALWAYS_SHOWN) for s in (1, 2))))
    blocks += [*_tsm(data, level), *_refused(data, level), *_compensation(data, level), *_themes(data, level)]
    return blocks


def _contacts_table(data: dict[str, Any]) -> Table:
    by_type = data["contacts"]["by_type"]
    rows = [(TYPES[k], _with_previous(v["count"], _prev(data, "contacts", "by_type", k, "count")),
             whole_pct(v["count"], data["contacts"]["total"])) for k, v in by_type.items()]
    rows.append(("Total", _with_previous(data["contacts"]["total"], _prev(data, "contacts", "total")), "100%"))
    return Table(("Contact", "Received", "Percentage"), tuple(rows), numeric=(1, 2), total_row=True)


def _top(rows: list[dict[str, Any]], size: Callable[[dict[str, Any]], int], name: Callable[[dict[str, Any]], str]
         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The TOP rows by size (ties by name) in the order given, and the rest; all of them when at most one more,
    since its own line takes no more room than an 'Other' line would."""
    if len(rows) <= TOP + 1:
        return rows, []
    shown = set(sorted(range(len(rows)), key=lambda i: (-size(rows[i]), name(rows[i])))[:TOP])
    return [r for i, r in enumerate(rows) if i in shown], [r for i, r in enumerate(rows) if i not in shown]


def other(rest: int) -> str:
    """The line that stands for the values a document leaves out of a breakdown."""
    return f"Other ({rest:,} more)"


def _lines(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """A breakdown's (name, count) lines as a document shows them: the TOP largest, then the rest as one line."""
    shown, rest = _top(rows, lambda r: r["count"], lambda r: r["name"])
    return [(r["name"], r["count"]) for r in shown] + ([(other(len(rest)), sum(r["count"] for r in rest))] if rest else [])


def _breakdown_table(label: str, rows: list[dict[str, Any]]) -> Table:
    total = sum(r["count"] for r in rows)
    body = tuple((name, str(n), whole_pct(n, total)) for name, n in _lines(rows))
    return Table((label, "Count", "Percentage"), body + (("Total", str(total), ""),), numeric=(1, 2), total_row=True)


def _stage(data: dict[str, Any], stage: int, level: int) -> list[Block]:
    s = data[f"stage{stage}"]
    name = f"Stage {stage} complaints"
    blocks: list[Block] = [Heading(name, level)]
    if not s["received"] and not s["responded"]:
        return blocks + [Paragraph(f"No stage {stage} complaints were received or answered in the period.")]
    lead = f"{count(s['received'], f'stage {stage} complaint')} {_were(s['received'])} received"
    if _compared(data):
        lead += f", against {_prev(data, f'stage{stage}', 'received')} in {_compared(data)}"
    elif no_data(data):
        lead += f" ({no_data(data)})"
    if stage == 2 and data["stage1"]["received"]:
        lead += f": {whole_pct(s['received'], data['stage1']['received'])} of the number of stage 1 complaints"
    blocks.append(Paragraph(lead + "."))
    if s["by_service_area"]:
        lines = _lines(s["by_service_area"])
        blocks += [_breakdown_table("Service area", s["by_service_area"]),
                   Chart(f"{name} by service area", partial(
                       charts.bar_chart, f"{name} by service area", [area for area, _ in lines], [n for _, n in lines]),
                       "; ".join(f"{area} {n}" for area, n in lines))]
    if len(s["by_organisation"]) > 1:
        blocks.append(_breakdown_table("Organisation", s["by_organisation"]))
    shown = [o for o in OUTCOMES if o in ALWAYS_SHOWN or s["by_outcome"][o]["count"]]
    blocks.append(Table(("Outcome", *[OUTCOMES[o] for o in shown]), (
        (f"No. of {name}", *[str(s["by_outcome"][o]["count"]) for o in shown]),
        ("Percentage", *[whole_pct(s["by_outcome"][o]["count"], s["received"]) for o in shown]),
    ), numeric=tuple(range(1, len(shown) + 1))))
    blocks.append(Table(("Response times", "Figure"), (
        (f"Acknowledged within {s['acknowledge_working_days']} working days", _share(s["acknowledged_within_timescale"])),
        (f"Responded to within {s['timescale_working_days']} working days of acknowledgement", _share(s["within_timescale"])),
        ("Responded to on time, counting valid extensions (within the Code's limit or with good reason, told in time)", _share(s["including_extensions"])),
        ("Open at the end of the period", str(s["open_at_end"])),
        ("  of which past the Code's timescale", str(s["overdue_at_end"])),
    ), numeric=(1,)))
    return blocks


def _share(share: dict[str, Any]) -> str:
    """'2 of 3, 67%', or 'none' when nothing was due."""
    return f"{share['count']} of {share['of']}, {whole_pct(share['count'], share['of'])}" if share["of"] else "none"


TENURES = {"lcra": ("LCRA", "low-cost rental"), "lcho": ("LCHO", "shared ownership")}
OUTSIDE = {"leasehold": "leaseholders", "other": "other tenures", "not_recorded": "no tenure recorded"}


def _tsm(data: dict[str, Any], level: int) -> list[Block]:
    """The complaint TSMs as the Regulator's return states them: per tenure (LCRA, LCHO) as the headline, all homes
    beside them, last year's figure in brackets and the sector median last."""
    tsm, bench = data["tsm"], data["benchmarks"] or {}
    medians = bench.get("medians", {})
    s1, s2 = data["stage1"], data["stage2"]
    split = tsm["tenure_recorded"]
    tenures = list(TENURES) if split else []

    def prev(*path: str) -> Any | None:
        return _prev(data, "tsm", *path)

    def cell(now: str | None, before: str | None, unknown: str) -> str:
        text = now if now is not None else unknown
        if not _compared(data) or (now is None and before is None):
            return text
        return f"{text} ({before if before is not None else unknown})"

    def row(label: str, measure: str, key: str, fmt: Any, median_key: str, unit: str = "") -> tuple[str, ...]:
        def value(node: dict[str, Any] | None) -> str | None:
            shown = fmt(node.get(key)) if node else None
            return f"{shown}{unit}" if shown is not None else None

        cells = [label]
        for t in tenures:
            unknown = "none answered" if measure == "CH02" else _no_rate(tsm["CH01"][t]["homes"])
            cells.append(cell(value(tsm[measure][t]), value(prev(measure, t)), unknown))
        cells.append(cell(value(tsm[measure]), value(prev(measure)), "none answered" if measure == "CH02" else "–"))
        if medians:
            cells.append(f"{medians[median_key]:g}{unit}" if median_key in medians else "–")
        return tuple(cells)

    columns = ["Measure", *[f"{TENURES[t][0]} ({TENURES[t][1]})" for t in tenures], "All homes"] + (["Sector median"] if medians else [])
    rows = [
        ("Homes", *[f"{tsm['CH01'][t]['homes']:,}" if tsm["CH01"][t]["homes"] is not None else _no_rate(None) for t in tenures],
         f"{tsm['homes']:,}", *([""] if medians else [])),
        row("CH01(1) Stage 1 complaints received per 1,000 homes", "CH01", "stage1_per_1000_homes", _two, "CH01_1"),
        row("CH01(2) Stage 2 complaints received per 1,000 homes", "CH01", "stage2_per_1000_homes", _two, "CH01_2"),
        row(f"CH02(1) Stage 1 complaints responded to within the Code's timescale of {s1['timescale_working_days']} working days",
            "CH02", "stage1_within_timescale_pct", _rounded, "CH02_1", "%"),
        row(f"CH02(2) Stage 2 complaints responded to within the Code's timescale of {s2['timescale_working_days']} working days",
            "CH02", "stage2_within_timescale_pct", _rounded, "CH02_2", "%"),
    ]
    caption = ("By tenure, as the Regulator's return asks: CH01 per 1,000 homes of each stock type"
               + ("; last year's figure in brackets" if _compared(data) else "") if split
               else "All homes" + ("; last year's figure in brackets" if _compared(data) else ""))
    blocks: list[Block] = [Heading("Tenant Satisfaction Measures: complaints", level),
                           Table(tuple(columns), tuple(rows), caption, numeric=tuple(range(1, len(columns))))]
    blocks += _tenure_notes(tsm)
    if bench.get("TP09"):
        median = f", against a sector median of {medians['TP09']:g}%" if "TP09" in medians else ""
        blocks.append(Paragraph(f"TP09 Satisfaction with the landlord's approach to handling complaints: "
                                f"{_rounded(bench['TP09']['pct'])}%{median}, from {bench['TP09']['source']}."))
    blocks.append(Paragraph(
        f"Counting responses within a valid extension (within the Code's limit or with good reason, and told to the "
        f"resident in time), CH02(1) for all homes would be "
        f"{whole_pct(s1['including_extensions']['count'], s1['including_extensions']['of'])} and CH02(2) "
        f"{whole_pct(s2['including_extensions']['count'], s2['including_extensions']['of'])}. CH01 counts every complaint "
        "received at each stage, including those not accepted or later withdrawn; CH02 counts the complaints responded to in "
        "the period, leaving out refusals and withdrawals.", "note"))
    if medians:
        blocks.append(Paragraph(f"Sector medians: {bench['source']}." + (f" TP09: {bench['TP09']['source']}." if bench.get("TP09") else ""), "note"))
    blocks += _recognition(data)
    return blocks


def _no_rate(homes: int | None) -> str:
    """Why a tenure has no CH01: its homes are not given, or it has none."""
    return "not known" if homes is None else "no homes" if homes == 0 else "–"


def _tenure_notes(tsm: dict[str, Any]) -> list[Block]:
    """What the tenure split leaves out, and which tenure's figures cannot be stated."""
    if not tsm["tenure_recorded"]:
        return [Paragraph("The register records no tenure, so CH01 and CH02 cannot be given for low-cost rental and "
                          "low-cost home ownership separately; the figures for all homes are given.", "note")]
    notes: list[Block] = []
    unknown = [TENURES[t][0] for t in TENURES if tsm["CH01"][t]["homes"] is None]
    if unknown:
        names = " and ".join(unknown)
        notes.append(Paragraph(f"The number of {names} homes is not in the policy metadata, so CH01 for {names} cannot be "
                               "stated; it is not worked out from all homes.", "note"))
    outside = tsm["outside_split"]
    if outside["total"]:
        parts = [f"{v['stage1_received'] + v['stage2_received']} {'from ' if k != 'not_recorded' else 'with '}{OUTSIDE[k]}"
                 for k, v in outside.items() if k != "total" and v["stage1_received"] + v["stage2_received"]]
        notes.append(Paragraph(
            f"{count(outside['total'], 'complaint')} received in the period {'is' if outside['total'] == 1 else 'are'} outside the "
            f"tenure split, {join(parts)}: counted in the figures for all homes, in neither LCRA nor LCHO.", "note"))
    return notes


def join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _recognition(data: dict[str, Any]) -> list[Block]:
    """Signs that complaints are not being recognised (Code 3.3, 1.3): a heuristic for review, never a verdict."""
    r = data["recognition"]
    signs = []
    if r["ch01_well_below_benchmark"]:
        signs.append(f"CH01(1) for all homes, {_two(r['ch01_stage1_per_1000_homes'])}, is under half the sector median of "
                     f"{r['ch01_stage1_median']:g}")
    more = [f"{r['mp_enquiries']} MP enquiries" if r["mp_enquiries_outnumber_complaints"] else "",
            f"{r['service_requests']} service requests" if r["service_requests_outnumber_complaints"] else ""]
    more = [m for m in more if m]
    if more:
        signs.append(f"{join(more)} {_were(2)} received against {count(r['complaints'], 'complaint')} at both stages")
    if not signs:
        return []
    return [Paragraph(
        "Are complaints being recognised? " + "; ".join(signs) + ". The Code warns that low complaint volumes are potentially "
        "a sign that residents are unable to complain (3.3), and expressions of dissatisfaction must be treated as complaints "
        "however they arrive (1.3). A sample of MP enquiries and service requests could be checked for dissatisfaction "
        "that should have been offered the complaints process. This is a pattern for review, not a finding of non-compliance.",
        "lead")]


def _two(value: float | None) -> str | None:
    """CH01 is stated to two decimals: 7.15, 0.00."""
    return None if value is None else f"{value:.2f}"


def _rounded(value: float | None) -> str | None:
    return None if value is None else str(half_up(Decimal(str(value)), "1"))


def _refused(data: dict[str, Any], level: int) -> list[Block]:
    refused = data["refused"]
    blocks: list[Block] = [Heading("Complaints not accepted", level)]
    if not refused["total"]:
        return blocks + [Paragraph("No complaint was refused in the period.")]
    return blocks + [
        Paragraph(f"{count(refused['total'], 'complaint')} {_were(refused['total'])} not accepted into the complaints process. "
                  + _refusals_told(refused)),
        Table(("Reason", "Complaints"), tuple((REASONS.get(k, k).format(months=refused["time_limit_months"]), str(v)) for k, v in refused["by_reason"].items())
              + (("Total", str(refused["total"])),), numeric=(1,), total_row=True),
    ]


def _refusals_told(refused: dict[str, Any]) -> str:
    """What the register records of the refusals (Code 2.4): for how many the reason was explained to the resident,
    and for how many the resident was told of their right to take the decision to the Ombudsman; never more."""
    total = refused["total"]

    def recorded(counts: dict[str, int]) -> str:
        yes = counts["yes"]
        if total == 1:
            return "it" if yes else "none, as nothing is recorded for it" if counts["not_recorded"] else "none"
        share = "all of them" if yes == total else f"{yes} of them" if yes else "none of them"
        return share + (f", with nothing recorded for {counts['not_recorded']}" if counts["not_recorded"] else "")

    return (f"The register records the reason as explained to the resident for {recorded(refused['explained'])}, and the resident "
            f"as told of their right to take the decision to the Ombudsman for {recorded(refused['ombudsman_details_given'])}.")


def _compensation(data: dict[str, Any], level: int) -> list[Block]:
    comp = data["compensation"]
    if not comp["total"]:
        return []
    rows = tuple((q, money(v)) for q, v in comp["by_quarter"].items()) + (("Total", money(comp["total"])),)
    return [Heading("Compensation", level),
            Paragraph(f"{money(comp['total'])} was offered on {count(comp['cases'], 'complaint')} received in the period."),
            Table(("Quarter received", "Offered"), rows, numeric=(1,), total_row=True)]


def _themes(data: dict[str, Any], level: int) -> list[Block]:
    """Each theme's share of stage 1 and stage 2 complaints, those more likely to escalate first: the TOP themes given to
    most complaints, the rest counted together, and the TOP most escalating named."""
    themes = data["themes"]
    if not themes:
        return []
    s1, s2 = data["stage1"]["received"], data["stage2"]["received"]
    blocks: list[Block] = [Heading("Themes", level)]
    escalating, more = _top([t for t in themes if t["escalates_out_of_proportion"]], lambda t: t["stage2_count"], lambda t: t["theme"])
    for t in escalating:
        blocks.append(Paragraph(
            f"{_theme(t['theme'])}: {_some_pct(t['stage2_count'], s2)} of stage 2 complaints ({t['stage2_count']} of {s2}) against "
            f"{_some_pct(t['stage1_count'], s1)} of stage 1 complaints ({t['stage1_count']} of {s1}): these complaints are more likely to escalate.", "lead"))
    if more:
        blocks.append(Paragraph(f"Another {len(more):,} themes are also more likely to escalate.", "lead"))  # never one: see _top
    shown, rest = _top(themes, lambda t: t["stage1_count"] + t["stage2_count"], lambda t: t["theme"])
    rows = tuple((_theme(t["theme"]), str(t["stage1_count"]), whole_pct(t["stage1_count"], s1), str(t["stage2_count"]), whole_pct(t["stage2_count"], s2),
                  "More likely to escalate" if t["escalates_out_of_proportion"] else "") for t in shown)
    if rest:  # a complaint can have several themes, so the rest's counts are of themes given and have no share of complaints
        rows += ((other(len(rest)), str(sum(t["stage1_count"] for t in rest)), "", str(sum(t["stage2_count"] for t in rest)), "", ""),)
    caption = f"The {TOP} themes given to most complaints, then the other themes together (a complaint with several is counted under each)" if rest else ""
    return blocks + [Table(("Theme", "Stage 1", "Share of stage 1", "Stage 2", "Share of stage 2", "Escalation"), rows, caption, numeric=(1, 2, 3, 4))]


def _theme(tag: str) -> str:
    return tag.replace("_", " ").capitalize()


def _groups(data: dict[str, Any], level: int = 2) -> list[Block]:
    groups = data["groups"]
    if not groups:
        return []
    blocks: list[Block] = []
    by_quarter = "quarter" in groups[0]["key"]
    by_org = "organisation" in groups[0]["key"]
    if by_quarter:
        blocks += _quarter_trend(data) + _stored_trend(data, level)
    for quarter in dict.fromkeys(g["key"].get("quarter") for g in groups):
        mine = [g for g in groups if g["key"].get("quarter") == quarter]
        if quarter:
            p = mine[0]["period"]
            blocks.append(Heading(f"{quarter} ({uk_date(p['start'])} to {uk_date(p['end'])})", level))
        if by_org:
            for stage in (1, 2):
                blocks.append(_organisation_table(mine, stage, _compared(data) is not None))
    return blocks


def _organisation_table(groups: list[dict[str, Any]], stage: int, compare: bool) -> Table:
    """Seed 004's table: received (last year's in brackets), upheld and timeliness per organisation."""
    rows = []
    for g in groups:
        s = g["figures"][f"stage{stage}"]
        before = g["previous"][f"stage{stage}"]["received"] if compare else None
        rows.append((g["key"]["organisation"], _with_previous(s["received"], before), str(s["by_outcome"]["upheld"]["count"]),
                     whole_pct(s["within_timescale"]["count"], s["within_timescale"]["of"])))
    total = sum(g["figures"][f"stage{stage}"]["received"] for g in groups)
    total_before = sum(g["previous"][f"stage{stage}"]["received"] for g in groups) if compare else None
    upheld = sum(g["figures"][f"stage{stage}"]["by_outcome"]["upheld"]["count"] for g in groups)
    rows.append(("Total", _with_previous(total, total_before), str(upheld), ""))
    caption = f"Stage {stage} complaints" + ("; the same period last year in brackets" if compare else "")
    return Table(("Organisation", "Received", "Upheld", "Responded within timescale"), tuple(rows), caption, numeric=(1, 2, 3), total_row=True)


def _quarter_trend(data: dict[str, Any]) -> list[Block]:
    """Each quarter's volumes and timeliness (last year's in brackets), and the stage 1 trend against last year."""
    labels = list(dict.fromkeys(g["key"]["quarter"] for g in data["groups"]))
    compare = _compared(data) is not None

    def total(quarter: str, path: tuple[str, ...], previous: bool = False) -> int:
        return sum(cast(int, _dig(g["previous"] if previous else g["figures"], path)) for g in data["groups"] if g["key"]["quarter"] == quarter)

    rows = []
    for q in labels:
        cells = [q]
        for stage in ("stage1", "stage2"):
            before = total(q, (stage, "received"), True) if compare else None
            cells.append(_with_previous(total(q, (stage, "received")), before))
        for stage in ("stage1", "stage2"):
            cells.append(whole_pct(total(q, (stage, "within_timescale", "count")), total(q, (stage, "within_timescale", "of"))))
        rows.append(tuple(cells))
    series: dict[str, list[float]] = {data["period"]["label"]: [total(q, ("stage1", "received")) for q in labels]}
    if compare:
        series[data["previous"]["period"]["label"]] = [total(q, ("stage1", "received"), True) for q in labels]
    return [Table(("Quarter", "Stage 1 received", "Stage 2 received", "Stage 1 on time", "Stage 2 on time"), tuple(rows),
                  "Last year's same quarter in brackets" if compare else "", numeric=(1, 2, 3, 4)),
            Chart("Stage 1 complaints received by quarter", partial(
                charts.grouped_bar_chart, "Stage 1 complaints received by quarter", [q[-2:] for q in labels], series),
                "; ".join(f"{q}: " + ", ".join(f"{k} {v[i]}" for k, v in series.items()) for i, q in enumerate(labels)))]


def _stored_trend(data: dict[str, Any], level: int) -> list[Block]:
    """With --history: the quarters recorded in the history file, earlier years' included, read from it rather than from a register."""
    stored = data.get("history")
    if not stored or not stored["quarters"]:
        return []

    def on_time(stage: dict[str, Any]) -> str:
        return whole_pct(stage["within_timescale"]["count"], stage["within_timescale"]["of"])

    rows = tuple((q["period"]["label"], str(q["stage1"]["received"]), on_time(q["stage1"]), str(q["stage2"]["received"]), on_time(q["stage2"]))
                 for q in stored["quarters"])
    return [Heading("Trend over the recorded quarters", level),
            Table(("Quarter", "Stage 1 received", "Stage 1 on time", "Stage 2 received", "Stage 2 on time"), rows,
                  f"Each quarter's figures as recorded in {stored['file']} when its report was run", numeric=(1, 2, 3, 4))]


def _dig(node: dict[str, Any] | None, path: tuple[str, ...]) -> Any | None:
    """The value at `path` in the report's data, or None under a missing period."""
    for key in path:
        if node is None:
            return None
        node = node[key]
    return node


def _ombudsman(data: dict[str, Any], level: int = 2) -> list[Block]:
    o = data["ombudsman"]
    blocks: list[Block] = [Heading("Housing Ombudsman", level)]
    if o is None:
        return blocks + [Paragraph(NO_OMBUDSMAN_FILE)]
    rows = [(EVENTS["outside_jurisdiction"], str(o["events"]["outside_jurisdiction"])),
            ("Determinations received", str(o["determinations"])),
            (EVENTS["resolved_without_investigation"], str(o["events"]["resolved_without_investigation"])),
            (EVENTS["investigation_started"], str(o["events"]["investigation_started"]))]
    if o["events"]["complaint_handling_failure_order"]:
        rows.append((EVENTS["complaint_handling_failure_order"], str(o["events"]["complaint_handling_failure_order"])))
    for kind, counts in (o.get("failure_orders") or {}).items():
        rows.append((CHFO_TYPES[kind], f"{counts['total']} ({counts['complied']} complied with)" if counts["total"] else "0"))
    if o.get("failure_notices") is not None:
        rows.append(("Complaint Handling Failure Notices", str(o["failure_notices"])))
    blocks.append(Table(("Activity", "Number"), tuple(rows), numeric=(1,)))
    found = [(FINDINGS[k], str(v)) for k, v in o["findings"].items() if v]
    if found:
        blocks.append(Table(("Finding", "Number"), tuple(found), numeric=(1,)))
    for d in o["determination_details"]:
        findings = "; ".join(FINDINGS[f["type"]] + (f", about {f['about']}" if f.get("about") else "") for f in d["findings"])
        orders = "; ".join(f"{x['order']}: {x['status'].replace('_', ' ')}" for x in d["orders"]) or "none"
        blocks.append(Paragraph(f"Determination {d['reference']}, received {uk_date(d['received'])}: {findings}. Orders: {orders}."))
    if o["orders"]["total"]:
        blocks.append(Paragraph(f"Orders: {o['orders']['total']} in all, {o['orders']['complied']} complied with, "
                                f"{o['orders']['in_progress']} in progress, {o['orders']['overdue']} overdue, "
                                f"{o['orders']['not_complied']} not complied with."))
    severe = o.get("severe_maladministration_orders")
    if severe is not None:
        blocks.append(Paragraph(f"Orders related to severe maladministration findings open in the period: {severe['total']}, "
                                f"{severe['complied']} complied with, {severe['outstanding']} overdue or not complied with."))
    blocks += [Paragraph(_self_assessment(s)) for s in o.get("self_assessments") or []]
    return blocks


def _self_assessment(s: dict[str, Any]) -> str:
    """One self-assessment the Ombudsman asked for, and where it stands (Code 8.4: re-submitted, or not yet)."""
    head = f"Self-assessment asked for after {SELF_ASSESSMENT_AFTER[s['after']]}" + (f" ({s['source']})" if s.get("source") else "")
    if not s.get("revised_on"):
        return f"{head} on {uk_date(s['date'])}: not yet revised."
    done = (f"re-submitted to the Ombudsman on {uk_date(s['resubmitted_on'])}" if s.get("resubmitted_on")
            else "not yet re-submitted to the Ombudsman")
    return f"{head} on {uk_date(s['date'])}: revised on {uk_date(s['revised_on'])}, {done}."


def _non_compliance(data: dict[str, Any]) -> list[Block]:
    o = data["ombudsman"]
    if o is None:
        return [Paragraph(NO_OMBUDSMAN_FILE)]
    type3 = [f for f in o.get("failure_order_details", []) if f["type"] == 3]
    if not o["non_compliance_findings"] and not type3:
        return [Paragraph("The Ombudsman made no finding of non-compliance with the Code in the period.")]
    return [Table(("Date", "Reference", "Finding", "Action"), tuple(
        (uk_date(f["date"]), f.get("reference", ""), f["summary"], f.get("action", "")) for f in o["non_compliance_findings"]) + tuple(
        (uk_date(f["date"]), f.get("reference", ""), "Complaint Handling Failure Order, type 3" + (f": {f['summary']}" if f.get("summary") else ""),
         f"{f['status'].replace('_', ' ').capitalize()}" + (f" on {uk_date(f['complied_on'])}" if f.get("complied_on") else ""))
        for f in type3))]


def _reports(data: dict[str, Any], kinds: tuple[str, ...]) -> list[Block]:
    o = data["ombudsman"]
    if o is None:
        return [Paragraph(NO_OMBUDSMAN_FILE)]
    mine = [r for r in o["reports"] if r["kind"] in kinds]
    if not mine:
        return [Paragraph("The Ombudsman published no such report about us in the period.")]
    return [Bullets(tuple(f"{r['title']} ({uk_date(r['date'])})" + (f": {r['response']}" if r.get("response") else "")
                          + (f" {r['link']}" if r.get("link") else "") for r in mine))]


def _learning(data: dict[str, Any], level: int | None = 2) -> list[Block]:
    entries = data["learning"]
    if not entries:
        return []
    blocks: list[Block] = [Heading("Learning from complaints", level)] if level else []
    return blocks + [Table(("Complaint", "Service area", "What we learned", "Action", "Status"), tuple(
        (e["case_id"], e.get("service_area", ""), e["learning"], e["action"], e["status"].replace("_", " ").capitalize()) for e in entries))]
