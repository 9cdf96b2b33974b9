"""The figures of a complaints performance report, computed in bulk from one derived register for one period.

Everything a council's annual report (Code 8.1 b) and governing-body update (9.7 a, b) states from data:
contacts by type, per-stage volumes by service area and organisation, outcomes, timeliness, the complaint
TSMs (CH01, CH02), refusals by reason, compensation and themes. Only counts, shares and case references.

Definitions where the Code or the Regulator leave a choice (documented in checker/load/schemas/report.schema.json):
- a contact belongs to the period it was received in;
- CH02 and the timeliness shares count the complaints *responded to* in the period (response date in it),
  leaving out refusals and withdrawals, which get no stage response;
- "within timescale" is the Code's time from acknowledgement (6.3, 6.14); "including extensions" also counts
  a response by a valid extended date: within the Code's extension limit (6.4, 6.15) or with a good reason
  recorded, and told to the resident within the original timescale (an extension with no notice date is not counted);
- the escalation rate is stage 2 complaints received as a share of stage 1 complaints received, as councils
  report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from checker.derive.period import Period, quarters_of
from checker.load.catalogue import Catalogue
from checker.load.register import REFERENCE

CONTACT_TYPES = ("stage1", "stage2", "service_request", "mp_enquiry", "enquiry")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "withdrawn", "not_accepted", "open")
NOT_RESPONDED = ("withdrawn", "not_accepted")
NOT_RECORDED = "Not recorded"
# the tenures the Regulator's TSM return splits CH01 and CH02 by: low-cost rental and low-cost home ownership
TSM_TENURES = ("lcra", "lcho")
# register tenures outside that split: counted as complaints, shown, but in neither TSM tenure
OUTSIDE_TENURES = ("leasehold", "other")
# a theme escalates out of proportion when its share of stage 2 is at least this multiple of its share of
# stage 1, over at least this many stage 2 cases (seed 004: damp and mould, 42% against 20%)
THEME_RATIO = 1.5
THEME_MIN_STAGE2 = 2
USED = ("case_id", REFERENCE, "contact_type", "stage", "escalated_from_type", "in_period", "service_area", "organisation", "tenure", "themes", "outcome",
        "not_accepted_reason", "compensation_offered", "received_date", "response_date", "working_days_to_acknowledge",
        "working_days_to_respond", "working_days_to_extended_due", "response_within_extension", "extension_good_reason",
        "working_days_to_extension_notice", "refusal_explained", "ombudsman_details_given")


@dataclass(frozen=True)
class Timescales:
    """The Code's numbers for each stage, from the catalogue, so that a new Code version changes the report too."""

    acknowledge: dict[int, int]
    respond: dict[int, int]
    max_extension: dict[int, int]
    time_limit_months: int  # 2.3: complaints made within this many months of the issue must be accepted

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> Timescales:
        p = {pid: catalogue.provisions[pid].parameters for pid in ("6.2", "6.3", "6.4", "6.11", "6.14", "6.15")}
        return cls(
            {1: p["6.2"]["acknowledge_working_days"], 2: p["6.11"]["acknowledge_working_days"]},
            {1: p["6.3"]["respond_working_days"], 2: p["6.14"]["respond_working_days"]},
            {1: p["6.4"]["max_extension_working_days"], 2: p["6.15"]["max_extension_working_days"]},
            catalogue.provisions["2.3"].parameters["time_limit_months"],
        )


def half_up(value: Decimal, step: str) -> Decimal:
    """Rounded half up, as people round (12.25 → 12.3), to `step` ("0.1", "1")."""
    return value.quantize(Decimal(step), ROUND_HALF_UP)


def pct(part: float, whole: float) -> float | None:
    """A share to one decimal place, rounded half up as people do (12.25 → 12.3), or None of nothing."""
    if not whole:
        return None
    return float(half_up(Decimal(100 * part / whole), "0.1"))


def per_thousand(count: int, homes: int | None) -> float | None:
    if not homes:
        return None
    return float(half_up(Decimal(1000 * count / homes), "0.01"))


def figures(frame: pl.DataFrame, period: Period, homes: int, homes_by_tenure: dict[str, int], times: Timescales) -> dict[str, Any]:
    """Every report figure for `period` from a register derived for it (derive() with as_of at the period's end)."""
    frame = _relevant(frame)
    received = frame.filter(pl.col("in_period"))
    complaints = received.filter(pl.col("contact_type") == "complaint")
    stages = {s: _stage(frame, received, s, period, times) for s in (1, 2)}
    return {
        "contacts": _contacts(received),
        "stage1": stages[1],
        "stage2": stages[2],
        "escalation_rate_pct": pct(stages[2]["received"], stages[1]["received"]),
        "stage2_stage1_not_in_register": _kind(received, "stage2").filter(pl.col("escalated_from_type").is_null()).height,
        "tsm": _tsm(frame, received, period, homes, homes_by_tenure, times),
        "refused": {**_refused(complaints), "time_limit_months": times.time_limit_months},
        "compensation": _compensation(complaints, period),
        "themes": _themes(complaints),
    }


def _relevant(frame: pl.DataFrame) -> pl.DataFrame:
    """Only the columns any figure reads (derive() has already kept only the rows any figure reads)."""
    return frame.select(USED)


def _kind(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    if kind in ("stage1", "stage2"):
        return frame.filter((pl.col("contact_type") == "complaint") & (pl.col("stage") == int(kind[-1])))
    return frame.filter(pl.col("contact_type") == kind)


def _breakdown(frame: pl.DataFrame, column: str) -> list[dict[str, Any]]:
    """Counts and shares by a column, largest first (then by name), blanks as 'Not recorded'."""
    if frame.height == 0:
        return []
    counts = (frame.select(pl.col(column).fill_null(NOT_RECORDED).alias("name"))
              .group_by("name").len().sort(["len", "name"], descending=[True, False]))
    return [{"name": name, "count": n, "pct": pct(n, frame.height)} for name, n in counts.iter_rows()]


def _contacts(received: pl.DataFrame) -> dict[str, Any]:
    total = received.height
    by_type, by_area, by_org = {}, {}, {}
    for kind in CONTACT_TYPES:
        rows = _kind(received, kind)
        by_type[kind] = {"count": rows.height, "pct": pct(rows.height, total)}
        by_area[kind] = _breakdown(rows, "service_area")
        by_org[kind] = _breakdown(rows, "organisation")
    return {"total": total, "by_type": by_type, "by_service_area": by_area, "by_organisation": by_org}


def _share(count: int, of: int) -> dict[str, Any]:
    return {"count": count, "of": of, "pct": pct(count, of)}


def _responded(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Complaints given a stage response in the period, wherever they were received."""
    return frame.filter(
        pl.col("response_date").is_between(pl.lit(period.start), pl.lit(period.end))
        & ~pl.col("outcome").is_in(list(NOT_RESPONDED)).fill_null(False)
    )


def _on_time(stage: int, times: Timescales) -> tuple[pl.Expr, pl.Expr]:
    """(within the Code's timescale, within it or a valid extension) for one stage's rows. An extension is valid within
    the Code's limit or with a good reason recorded, told to the resident within the original timescale; one with no
    notice date is not counted as on time (the same reading as rules 6.3 and 6.14, which count it unknown)."""
    strict = pl.col("working_days_to_respond") <= times.respond[stage]
    extended = (pl.col("response_within_extension")
                & ((pl.col("working_days_to_extended_due") <= times.respond[stage] + times.max_extension[stage])
                   | (pl.col("extension_good_reason") == "yes"))
                & (pl.col("working_days_to_extension_notice") <= times.respond[stage]))
    return strict.fill_null(False), (strict | extended).fill_null(False)


def _answered(stage_rows: pl.DataFrame, stage: int, period: Period, times: Timescales) -> pl.DataFrame:
    """One stage's complaints answered in the period: `s` within the Code's timescale, `e` within it or a valid extension."""
    strict, extended = _on_time(stage, times)
    return _responded(stage_rows, period).select(strict.alias("s"), extended.alias("e"))


def _stage(frame: pl.DataFrame, received: pl.DataFrame, stage: int, period: Period, times: Timescales) -> dict[str, Any]:
    mine = _kind(received, f"stage{stage}")
    outcome = pl.col("outcome").fill_null("open")
    outcomes = dict(mine.select(outcome).to_series().value_counts().iter_rows())
    stage_rows = _kind(frame, f"stage{stage}")
    responded = _answered(stage_rows, stage, period, times)
    acknowledged = mine.filter(~pl.col("outcome").is_in(["not_accepted"]).fill_null(False))
    open_at_end = stage_rows.filter(
        (pl.col("received_date") <= period.end)
        & (pl.col("response_date").is_null() | (pl.col("response_date") > period.end))
        & ~pl.col("outcome").is_in(list(NOT_RESPONDED)).fill_null(False)
    )
    overdue = open_at_end.filter(~_on_time(stage, times)[1])
    return {
        "received": mine.height,
        "by_service_area": _breakdown(mine, "service_area"),
        "by_organisation": _breakdown(mine, "organisation"),
        "by_outcome": {name: _share(outcomes.get(name, 0), mine.height) for name in OUTCOMES},
        "acknowledged_within_timescale": _share(
            int(acknowledged.select((pl.col("working_days_to_acknowledge") <= times.acknowledge[stage]).fill_null(False).sum()).item()),
            acknowledged.height),
        "responded": responded.height,
        "within_timescale": _share(int(responded["s"].sum()), responded.height),
        "including_extensions": _share(int(responded["e"].sum()), responded.height),
        "open_at_end": open_at_end.height,
        "overdue_at_end": overdue.height,
        "overdue_case_ids": sorted(overdue[REFERENCE].to_list()),
        "timescale_working_days": times.respond[stage],
        "acknowledge_working_days": times.acknowledge[stage],
    }


def _tsm(frame: pl.DataFrame, received: pl.DataFrame, period: Period, homes: int, homes_by_tenure: dict[str, int],
         times: Timescales) -> dict[str, Any]:
    """CH01 and CH02: per TSM tenure (LCRA, LCHO) under CH01/CH02 `lcra` and `lcho`, all homes together beside them.

    The Regulator's return states each measure for low-cost rental and low-cost home ownership separately, CH01 per
    1,000 homes of that stock type: a tenure whose homes the policy does not give has an unknown CH01 (null, with
    `homes` null), never one divided by all homes. Complaints from leaseholders, other tenures and rows with no
    tenure recorded count in the combined figures and are counted under `outside_split`, never dropped.
    """

    def measures(rows_received: pl.DataFrame, rows_all: pl.DataFrame, denominator: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {"CH01": {}, "CH02": {}}
        for stage in (1, 2):
            count = _kind(rows_received, f"stage{stage}").height
            done = _answered(_kind(rows_all, f"stage{stage}"), stage, period, times)
            out["CH01"][f"stage{stage}_per_1000_homes"] = per_thousand(count, denominator)
            out["CH01"][f"stage{stage}_received"] = count
            out["CH02"][f"stage{stage}_within_timescale_pct"] = pct(int(done["s"].sum()), done.height)
            out["CH02"][f"stage{stage}_including_extensions_pct"] = pct(int(done["e"].sum()), done.height)
            out["CH02"][f"stage{stage}_responded"] = done.height
        return out

    result = {**measures(received, frame, homes), "homes": homes, "by_tenure": {}}
    complaints = received.filter(pl.col("contact_type") == "complaint")
    recorded = bool(frame["tenure"].is_not_null().any())  # a register with no tenure at all cannot be split
    result["tenure_recorded"] = recorded
    for tenure in TSM_TENURES:
        known = homes_by_tenure.get(tenure)  # None: not given; 0: none of that tenure, so no rate either
        mine = measures(received.filter(pl.col("tenure") == tenure), frame.filter(pl.col("tenure") == tenure),
                        known if recorded else None)
        if not recorded:  # unknown, not zero
            mine["CH02"].update({k: None for k in mine["CH02"] if k.endswith("_pct")})
        elif known is not None:  # the same figures in the older `by_tenure` shape
            result["by_tenure"][tenure] = {**mine, "homes": known}
        result["CH01"][tenure] = {**mine["CH01"], "homes": known}
        result["CH02"][tenure] = mine["CH02"]
    result["by_tenure"] = dict(sorted(result["by_tenure"].items()))
    outside: dict[str, Any] = {}
    for name in (*OUTSIDE_TENURES, "not_recorded"):
        rows = complaints.filter(pl.col("tenure").is_null() if name == "not_recorded" else pl.col("tenure") == name)
        outside[name] = {f"stage{s}_received": rows.filter(pl.col("stage") == s).height for s in (1, 2)}
    outside["total"] = sum(v["stage1_received"] + v["stage2_received"] for v in outside.values())
    result["outside_split"] = outside
    return result


def _refused(complaints: pl.DataFrame) -> dict[str, Any]:
    refused = complaints.filter(pl.col("outcome") == "not_accepted")
    reasons = dict(refused.select(pl.col("not_accepted_reason").fill_null("not_recorded")).to_series().value_counts().iter_rows())
    return {
        "total": refused.height,
        "by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_stage": {f"stage{s}": refused.filter(pl.col("stage") == s).height for s in (1, 2)},
        "case_ids": sorted(refused[REFERENCE].to_list()),
        # what the register records of each refusal (Code 2.4): the reason explained, the Ombudsman's details given
        "explained": _yes(refused, "refusal_explained"),
        "ombudsman_details_given": _yes(refused, "ombudsman_details_given"),
    }


def _yes(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """How many rows record yes, no, or nothing in a yes/no column."""
    values = frame[column]
    return {"yes": int((values == "yes").sum()), "no": int((values == "no").sum()), "not_recorded": int(values.is_null().sum())}


def _compensation(complaints: pl.DataFrame, period: Period) -> dict[str, Any]:
    paid = complaints.filter(pl.col("compensation_offered").is_not_null() & (pl.col("compensation_offered") > 0))
    by_quarter: dict[str, float] = {}
    for quarter in quarters_of(period):
        in_quarter = paid.filter(pl.col("received_date").is_between(pl.lit(quarter.start), pl.lit(quarter.end)))
        by_quarter[quarter.label] = _money(in_quarter["compensation_offered"].sum())
    return {"total": _money(paid["compensation_offered"].sum()), "cases": paid.height, "by_quarter": by_quarter}


def _money(value: float | Decimal | None) -> float:
    return float(half_up(Decimal(str(value or 0)), "0.01"))


def _themes(complaints: pl.DataFrame) -> list[dict[str, Any]]:
    """Each theme's share of stage 1 and of stage 2 complaints, those escalating out of proportion first."""
    tagged = (complaints.select("case_id", "stage", pl.col("themes").str.split(";").alias("theme")).explode("theme")
              .with_columns(pl.col("theme").str.strip_chars()).filter(pl.col("theme").is_not_null() & (pl.col("theme") != ""))
              .unique())  # a case tagged twice with one theme counts once
    totals = {s: complaints.filter(pl.col("stage") == s).height for s in (1, 2)}
    counts = tagged.group_by("theme", "stage").len()
    table: dict[str, dict[int, int]] = {}
    for theme, stage, n in counts.iter_rows():
        table.setdefault(theme, {1: 0, 2: 0})[stage] = n
    rows = []
    for theme, n in table.items():
        s1, s2 = pct(n[1], totals[1]), pct(n[2], totals[2])
        ratio = round(s2 / s1, 2) if s1 and s2 is not None else None
        rows.append({
            "theme": theme, "stage1_count": n[1], "stage1_pct": s1, "stage2_count": n[2], "stage2_pct": s2,
            "stage2_to_stage1_ratio": ratio,
            "escalates_out_of_proportion": bool(n[2] >= THEME_MIN_STAGE2 and s2 is not None and (not s1 or s2 >= THEME_RATIO * s1)),
        })
    return sorted(rows, key=lambda r: (not r["escalates_out_of_proportion"], -(r["stage2_pct"] or 0), -(r["stage1_pct"] or 0), r["theme"]))


# Signs that complaints are not being recognised (Code 3.3: "Low complaint volumes are potentially a sign that
# residents are unable to complain"; 1.3): heuristics for a person to look into, never a verdict.
# CH01(1) is "well below" the benchmark when under this share of the sector median.
WELL_BELOW = 0.5


def recognition_signals(figs: dict[str, Any], benchmarks: dict[str, Any] | None) -> dict[str, Any]:
    """Whether CH01(1) for all homes is under half the benchmark median, and whether MP enquiries or service
    requests received outnumber complaints received (both stages) in the period."""
    by_type = figs["contacts"]["by_type"]
    complaints = by_type["stage1"]["count"] + by_type["stage2"]["count"]
    median = ((benchmarks or {}).get("medians") or {}).get("CH01_1")
    ch01 = figs["tsm"]["CH01"]["stage1_per_1000_homes"]
    low = None if median is None or ch01 is None else ch01 < WELL_BELOW * median
    return {
        "complaints": complaints,
        "ch01_stage1_per_1000_homes": ch01,
        "ch01_stage1_median": median,
        "well_below_share": WELL_BELOW,
        "ch01_well_below_benchmark": low,
        "mp_enquiries": by_type["mp_enquiry"]["count"],
        "service_requests": by_type["service_request"]["count"],
        "mp_enquiries_outnumber_complaints": by_type["mp_enquiry"]["count"] > complaints,
        "service_requests_outnumber_complaints": by_type["service_request"]["count"] > complaints,
    }
