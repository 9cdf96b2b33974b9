"""The figures of a complaints performance report, computed in bulk: for one period, or for every group of a report
by quarter and organisation at once (one grouped pass over the stacked periods, not one pass per group).

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
from functools import lru_cache
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


@lru_cache(maxsize=1 << 16)  # a report by quarter and organisation asks for the same few shares a hundred thousand times
def pct(part: float, whole: float) -> float | None:
    """A share to one decimal place, rounded half up as people do (12.25 → 12.3), or None of nothing."""
    if not whole:
        return None
    return float(half_up(Decimal(100 * part / whole), "0.1"))


def per_thousand(count: int, homes: int | None) -> float | None:
    if not homes:
        return None
    return float(half_up(Decimal(1000 * count / homes), "0.01"))


PERIOD = "_period"  # in rows stacked from several periods (period_rows): the index of the period a row was derived for
KIND = "_kind"  # stage1, stage2, or the contact type of a contact that is not a complaint
RESPONDED = "_responded"  # a complaint given a stage response in the row's period (refusals and withdrawals get none)
OPEN_AT_END = "_open_at_end"  # a complaint received by the end of the row's period and not answered by then
Key = tuple[Any, ...]  # a group's values of the columns it is grouped by, PERIOD first


def period_rows(derived: pl.DataFrame, period: Period, index: int) -> pl.DataFrame:
    """A register derived for `period` (derive() with as_of at the period's end) narrowed to the columns figures read,
    with what depends on the period worked out row by row, and tagged `index`: the rows of several periods stack
    into one frame that figures() reads in one grouped pass."""
    kind, stage, response = pl.col("contact_type"), pl.col("stage"), pl.col("response_date")
    answered = ~pl.col("outcome").is_in(list(NOT_RESPONDED)).fill_null(False)
    return derived.select(
        *USED,
        pl.lit(index, pl.Int32).alias(PERIOD),
        pl.when((kind == "complaint") & (stage == 1)).then(pl.lit("stage1"))
        .when((kind == "complaint") & (stage == 2)).then(pl.lit("stage2"))
        .when(kind != "complaint").then(kind).alias(KIND),
        (response.is_between(pl.lit(period.start), pl.lit(period.end)) & answered).fill_null(False).alias(RESPONDED),
        ((pl.col("received_date") <= period.end) & (response.is_null() | (response > period.end)) & answered)
        .fill_null(False).alias(OPEN_AT_END),
    )


def figures(rows: pl.DataFrame, by: list[str], groups: list[Key], periods: list[Period], homes: int,
            homes_by_tenure: dict[str, int], times: Timescales) -> dict[Key, dict[str, Any]]:
    """Every report figure for each of `groups`, from period_rows() of their periods stacked: a group is the rows
    sharing its values of the columns `by`, PERIOD first (one period's rows, or one period's for one organisation).
    Each kind of figure is one grouped pass over all the rows, so the cost grows with the rows, not the groups; a
    group with no rows gets the figures of none."""
    tallies, nothing = _tallies(rows, by, times)
    areas, organisations = _breakdowns(rows, by, "service_area"), _breakdowns(rows, by, "organisation")
    reasons, paid, themes = _reasons(rows, by), _paid_by_quarter(rows, by), _theme_counts(rows, by)
    out = {}
    for key in groups:
        t = tallies.get(key, nothing)
        stages = {s: _stage(t, s, times, areas.get((*key, f"stage{s}"), []), organisations.get((*key, f"stage{s}"), []))
                  for s in (1, 2)}
        out[key] = {
            "contacts": {"total": t["total"],
                         "by_type": {k: {"count": t[k], "pct": pct(t[k], t["total"])} for k in CONTACT_TYPES},
                         "by_service_area": {k: areas.get((*key, k), []) for k in CONTACT_TYPES},
                         "by_organisation": {k: organisations.get((*key, k), []) for k in CONTACT_TYPES}},
            "stage1": stages[1],
            "stage2": stages[2],
            "escalation_rate_pct": pct(stages[2]["received"], stages[1]["received"]),
            "stage2_stage1_not_in_register": t["stage2_stage1_not_in_register"],
            "tsm": _tsm(t, homes, homes_by_tenure),
            "refused": {**_refused(t, reasons.get(key, {})), "time_limit_months": times.time_limit_months},
            "compensation": {"total": _money(t["paid_total"]), "cases": t["paid"], "by_quarter": {
                q.label: _money(paid.get((*key, q.label), 0)) for q in quarters_of(periods[key[0]])}},
            "themes": _themes(themes.get(key, {}), {s: stages[s]["received"] for s in (1, 2)}),
        }
    return out


def _tallies(rows: pl.DataFrame, by: list[str], times: Timescales) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
    """Each group's counts and case references by its key, and those of a group with no rows."""
    received, kind, tenure = pl.col("in_period"), pl.col(KIND), pl.col("tenure")
    complaint = received & (pl.col("contact_type") == "complaint")
    refused = complaint & (pl.col("outcome") == "not_accepted")
    paid = complaint & pl.col("compensation_offered").is_not_null() & (pl.col("compensation_offered") > 0)
    tallies = [
        received.sum().alias("total"),
        *((received & (kind == k)).sum().alias(k) for k in CONTACT_TYPES),
        (received & (kind == "stage2") & pl.col("escalated_from_type").is_null()).sum().alias("stage2_stage1_not_in_register"),
        tenure.is_not_null().any().alias("tenure_recorded"),
        refused.sum().alias("refused"),
        *((refused & (pl.col("stage") == s)).sum().alias(f"refused_stage{s}") for s in (1, 2)),
        *(tally for column in YES_NO_RECORDED.values() for tally in (
            (refused & (pl.col(column) == "yes")).sum().alias(f"{column}_yes"),
            (refused & (pl.col(column) == "no")).sum().alias(f"{column}_no"),
            (refused & pl.col(column).is_null()).sum().alias(f"{column}_not_recorded"))),
        pl.col(REFERENCE).filter(refused).alias("refused_ids"),
        paid.sum().alias("paid"),
        pl.col("compensation_offered").filter(paid).sum().alias("paid_total"),
    ]
    for s in (1, 2):
        tallies += _stage_tallies(s, times)
    counted = rows.group_by(by).agg(tallies)
    nothing: dict[str, Any] = {name: [] if dtype == pl.List else False if dtype == pl.Boolean else 0 for name, dtype in counted.drop(by).schema.items()}
    return {tuple(row[k] for k in by): row for row in counted.iter_rows(named=True)}, nothing


def _stage_tallies(s: int, times: Timescales) -> list[pl.Expr]:
    """One stage's counts: outcomes, acknowledgements, answers on time, open at the end, and each TSM tenure's."""
    received, tenure, outcome = pl.col("in_period"), pl.col("tenure"), pl.col("outcome")
    stage = pl.col(KIND) == f"stage{s}"
    strict, extended = _on_time(s, times)
    answered = stage & pl.col(RESPONDED)
    acknowledged = received & stage & ~outcome.is_in(["not_accepted"]).fill_null(False)
    overdue = stage & pl.col(OPEN_AT_END) & ~extended
    tallies = [
        *((received & stage & (outcome.fill_null("open") == o)).sum().alias(f"stage{s}_{o}") for o in OUTCOMES),
        acknowledged.sum().alias(f"stage{s}_acknowledged"),
        (acknowledged & (pl.col("working_days_to_acknowledge") <= times.acknowledge[s]).fill_null(False)).sum()
        .alias(f"stage{s}_acknowledged_in_time"),
        (stage & pl.col(OPEN_AT_END)).sum().alias(f"stage{s}_open_at_end"),
        overdue.sum().alias(f"stage{s}_overdue_at_end"),
        pl.col(REFERENCE).filter(overdue).alias(f"stage{s}_overdue_ids"),
    ]
    for name, mine in (("all", pl.lit(True)), *((t, tenure == t) for t in TSM_TENURES)):
        tallies += [(received & stage & mine).sum().alias(f"stage{s}_{name}_received"),
                    (answered & mine).sum().alias(f"stage{s}_{name}_responded"),
                    (answered & mine & strict).sum().alias(f"stage{s}_{name}_within"),
                    (answered & mine & extended).sum().alias(f"stage{s}_{name}_extended")]
    return tallies + [(received & stage & (tenure.is_null() if name == "not_recorded" else tenure == name)).sum()
                      .alias(f"stage{s}_{name}_received") for name in (*OUTSIDE_TENURES, "not_recorded")]


def _breakdowns(rows: pl.DataFrame, by: list[str], column: str) -> dict[Key, list[dict[str, Any]]]:
    """For each group and kind of contact received (the key's last value), counts and shares by a column, largest
    first (then by name), blanks as 'Not recorded'."""
    counts = (rows.filter(pl.col("in_period") & pl.col(KIND).is_not_null())
              .group_by(*by, KIND, pl.col(column).fill_null(NOT_RECORDED).alias("name")).len()
              .with_columns(pl.col("len").sum().over(*by, KIND).alias("of"))
              .sort(["len", "name"], descending=[True, False]))
    out: dict[Key, list[dict[str, Any]]] = {}
    for *key, kind, name, n, of in counts.iter_rows():
        out.setdefault((*key, kind), []).append({"name": name, "count": n, "pct": pct(n, of)})
    return out


def _share(count: int, of: int) -> dict[str, Any]:
    return {"count": count, "of": of, "pct": pct(count, of)}


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


def _stage(t: dict[str, Any], s: int, times: Timescales, areas: list[dict[str, Any]], organisations: list[dict[str, Any]]) -> dict[str, Any]:
    stage = f"stage{s}"
    received, responded = t[stage], t[f"{stage}_all_responded"]
    return {
        "received": received,
        "by_service_area": areas,
        "by_organisation": organisations,
        "by_outcome": {o: _share(t[f"{stage}_{o}"], received) for o in OUTCOMES},
        "acknowledged_within_timescale": _share(t[f"{stage}_acknowledged_in_time"], t[f"{stage}_acknowledged"]),
        "responded": responded,
        "within_timescale": _share(t[f"{stage}_all_within"], responded),
        "including_extensions": _share(t[f"{stage}_all_extended"], responded),
        "open_at_end": t[f"{stage}_open_at_end"],
        "overdue_at_end": t[f"{stage}_overdue_at_end"],
        "overdue_case_ids": sorted(t[f"{stage}_overdue_ids"]),
        "timescale_working_days": times.respond[s],
        "acknowledge_working_days": times.acknowledge[s],
    }


def _tsm(t: dict[str, Any], homes: int, homes_by_tenure: dict[str, int]) -> dict[str, Any]:
    """CH01 and CH02: per TSM tenure (LCRA, LCHO) under CH01/CH02 `lcra` and `lcho`, all homes together beside them.

    The Regulator's return states each measure for low-cost rental and low-cost home ownership separately, CH01 per
    1,000 homes of that stock type: a tenure whose homes the policy does not give has an unknown CH01 (null, with
    `homes` null), never one divided by all homes. Complaints from leaseholders, other tenures and rows with no
    tenure recorded count in the combined figures and are counted under `outside_split`, never dropped.
    """

    def measures(tenure: str, denominator: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {"CH01": {}, "CH02": {}}
        for s in (1, 2):
            count, done = t[f"stage{s}_{tenure}_received"], t[f"stage{s}_{tenure}_responded"]
            out["CH01"][f"stage{s}_per_1000_homes"] = per_thousand(count, denominator)
            out["CH01"][f"stage{s}_received"] = count
            out["CH02"][f"stage{s}_within_timescale_pct"] = pct(t[f"stage{s}_{tenure}_within"], done)
            out["CH02"][f"stage{s}_including_extensions_pct"] = pct(t[f"stage{s}_{tenure}_extended"], done)
            out["CH02"][f"stage{s}_responded"] = done
        return out

    result = {**measures("all", homes), "homes": homes, "by_tenure": {}}
    recorded = t["tenure_recorded"]  # a register with no tenure at all cannot be split
    result["tenure_recorded"] = recorded
    for tenure in TSM_TENURES:
        known = homes_by_tenure.get(tenure)  # None: not given; 0: none of that tenure, so no rate either
        mine = measures(tenure, known if recorded else None)
        if not recorded:  # unknown, not zero
            mine["CH02"].update({k: None for k in mine["CH02"] if k.endswith("_pct")})
        elif known is not None:  # the same figures in the older `by_tenure` shape
            result["by_tenure"][tenure] = {**mine, "homes": known}
        result["CH01"][tenure] = {**mine["CH01"], "homes": known}
        result["CH02"][tenure] = mine["CH02"]
    result["by_tenure"] = dict(sorted(result["by_tenure"].items()))
    outside: dict[str, Any] = {name: {f"stage{s}_received": t[f"stage{s}_{name}_received"] for s in (1, 2)}
                               for name in (*OUTSIDE_TENURES, "not_recorded")}
    outside["total"] = sum(v["stage1_received"] + v["stage2_received"] for v in outside.values())
    result["outside_split"] = outside
    return result


# what the register records of each refusal (Code 2.4), as the report names it: its column
YES_NO_RECORDED = {"explained": "refusal_explained", "ombudsman_details_given": "ombudsman_details_given"}


def _refused(t: dict[str, Any], by_reason: dict[str, int]) -> dict[str, Any]:
    return {
        "total": t["refused"],
        "by_reason": by_reason,
        "by_stage": {f"stage{s}": t[f"refused_stage{s}"] for s in (1, 2)},
        "case_ids": sorted(t["refused_ids"]),
        # how many refusals record yes, no, or nothing: the reason explained, the Ombudsman's details given
        **{name: {answer: t[f"{column}_{answer}"] for answer in ("yes", "no", "not_recorded")} for name, column in YES_NO_RECORDED.items()},
    }


def _reasons(rows: pl.DataFrame, by: list[str]) -> dict[Key, dict[str, int]]:
    """For each group, its complaints not accepted by reason, most first (then by name)."""
    refused = rows.filter(pl.col("in_period") & (pl.col("contact_type") == "complaint") & (pl.col("outcome") == "not_accepted"))
    counts = refused.group_by(*by, pl.col("not_accepted_reason").fill_null("not_recorded")).len()
    found: dict[Key, dict[str, int]] = {}
    for *key, reason, n in counts.iter_rows():
        found.setdefault(tuple(key), {})[reason] = n
    return {key: dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))) for key, reasons in found.items()}


def _paid_by_quarter(rows: pl.DataFrame, by: list[str]) -> dict[Key, float]:
    """Compensation offered on the complaints each group received, by the financial quarter received in (its label last)."""
    received = pl.col("received_date")
    year = received.dt.year() - (received.dt.month() < 4).cast(pl.Int32)  # the financial year starts in April
    quarter = pl.format("{}-{}-Q{}", year, ((year + 1) % 100).cast(pl.Utf8).str.zfill(2), (received.dt.month() + 8) % 12 // 3 + 1)
    paid = rows.filter(pl.col("in_period") & (pl.col("contact_type") == "complaint") & (pl.col("compensation_offered") > 0))
    sums = paid.group_by(*by, quarter.alias("quarter")).agg(pl.col("compensation_offered").sum())
    return {tuple(key): total for *key, total in sums.iter_rows()}


def _money(value: float | Decimal | None) -> float:
    return float(half_up(Decimal(str(value or 0)), "0.01"))


def _theme_counts(rows: pl.DataFrame, by: list[str]) -> dict[Key, dict[str, dict[int, int]]]:
    """For each group, how many of its complaints received carry each theme, at each stage (a case tagged twice with
    one theme counts once)."""
    complaints = rows.filter(pl.col("in_period") & (pl.col("contact_type") == "complaint"))
    tagged = (complaints.select(*by, "case_id", "stage", pl.col("themes").str.split(";").alias("theme")).explode("theme")
              .with_columns(pl.col("theme").str.strip_chars()).filter(pl.col("theme").is_not_null() & (pl.col("theme") != ""))
              .unique())
    table: dict[Key, dict[str, dict[int, int]]] = {}
    for *key, theme, stage, n in tagged.group_by(*by, "theme", "stage").len().iter_rows():
        table.setdefault(tuple(key), {}).setdefault(theme, {1: 0, 2: 0})[stage] = n
    return table


def out_of_proportion(tagged: dict[int, int], totals: dict[int, int]) -> bool:
    """Whether a theme given to `tagged` complaints at each stage, of `totals`, escalates out of proportion: at least
    THEME_MIN_STAGE2 at stage 2, and a stage 2 share at least THEME_RATIO times its stage 1 share. Read from the
    counts, not from the shares rounded to 0.1%: among 20,000 stage 1 complaints a theme given to 10 has a share of
    0.0, against which any stage 2 share would look out of proportion."""
    return tagged[2] >= THEME_MIN_STAGE2 and tagged[2] * totals[1] >= THEME_RATIO * tagged[1] * totals[2]


def _themes(table: dict[str, dict[int, int]], totals: dict[int, int]) -> list[dict[str, Any]]:
    """Each theme's share of stage 1 and of stage 2 complaints, those escalating out of proportion first."""
    rows = []
    for theme, n in table.items():
        s1, s2 = pct(n[1], totals[1]), pct(n[2], totals[2])
        ratio = round(s2 / s1, 2) if s1 and s2 is not None else None
        rows.append({
            "theme": theme, "stage1_count": n[1], "stage1_pct": s1, "stage2_count": n[2], "stage2_pct": s2,
            "stage2_to_stage1_ratio": ratio,
            "escalates_out_of_proportion": out_of_proportion(n, totals),
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
