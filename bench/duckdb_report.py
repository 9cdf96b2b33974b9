#!/usr/bin/env python3
"""The reference for `chc report`'s speed: the same figures, computed with DuckDB SQL over the same CSV.

Why: issue 17 asks that `chc report --format json` be no slower than a general-purpose engine computing the same
figures from the same file. This does the work the report's figures need, in SQL: it reads the register, finds each
stage 2's parent over the whole register, counts working days (Monday to Friday, less England and Wales bank holidays
and the policy's closure days) for the rows the period needs, and counts contacts, stages, outcomes, timeliness,
CH01/CH02 (all homes and per tenure), refusals, compensation and themes. Shares and rates are rounded from those
counts as chc rounds them (half up, from the float), without importing chc, whose modules import polars.

The figures are printed as flat JSON, one key per figure, named as `flatten` names the same figure in chc's report
JSON ("stage1.within_timescale.count", "contacts.by_service_area.stage1.Repairs.count", "themes.delay.stage2_count"),
so that `differences` can check every one of them against chc's (bench/run does, on the 10k register, before timing).

Definitions follow checker/report/figures.py and checker/derive/cases.py (the report's module docstrings say why):
a contact belongs to the period it was received in; timeliness counts the complaints given a stage response in the
period (refusals and withdrawals left out), from acknowledgement (or receipt) to response, day 0 being the day of
the event; an extension counts when responded by its date, within the Code's limit or with a good reason recorded,
and told to the resident within the original timescale. Periods are financial years (2024-25).

Needs duckdb (`pip install -c requirements.lock '.[bench]'`), holidays and pyyaml (chc's own dependencies).

Usage: python bench/duckdb_report.py --policy POLICY.yaml --register REGISTER.csv --period 2024-25 [--as-of YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import holidays
import yaml

# The Code's timescales in working days, per stage (provisions 6.2, 6.3, 6.4 for stage 1; 6.11, 6.14, 6.15 for stage 2).
ACKNOWLEDGE = {1: 5, 2: 5}
RESPOND = {1: 10, 2: 20}
MAX_EXTENSION = {1: 10, 2: 20}
CONTACT_TYPES = ("stage1", "stage2", "service_request", "mp_enquiry", "enquiry")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "withdrawn", "not_accepted", "open")
TSM_TENURES = ("lcra", "lcho")
OUTSIDE_TENURES = ("leasehold", "other", "not_recorded")
NOT_RECORDED = "Not recorded"
DATES = ("received_date", "acknowledged_date", "extended_due_date", "response_date", "extension_notified_date")
TEXTS = ("case_id", "contact_type", "escalated_from", "organisation", "service_area", "tenure", "themes", "outcome",
         "not_accepted_reason", "extension_good_reason", "refusal_explained", "ombudsman_details_given")


def report_figures(policy_path: str, register_path: str, period: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """Every figure this reference computes, keyed as `flatten` keys chc's report JSON."""
    start, end = _financial_year(period)
    as_of = as_of or min(end, dt.date.today())
    with open(policy_path, encoding="utf-8") as f:
        policy = yaml.load(f, Loader=yaml.CSafeLoader)
    homes = policy["landlord"]["homes"]
    homes_by_tenure = policy["landlord"].get("homes_by_tenure", {})
    closure_days = [dt.date.fromisoformat(str(d)) for d in policy["policy"].get("closure_days", [])]

    db = duckdb.connect()
    _load(db, register_path, start, end, as_of, closure_days)
    out: dict[str, Any] = {}
    _contacts(db, out)
    for stage in (1, 2):
        _stage(db, out, stage, start, end)
    out["escalation_rate_pct"] = _pct(out["stage2.received"], out["stage1.received"])
    out["stage2_stage1_not_in_register"] = _one(db, "SELECT count(*) FROM cases WHERE in_period AND kind = 'stage2' AND parent_type IS NULL")
    _tsm(db, out, homes, homes_by_tenure, start, end)
    _refused(db, out)
    _compensation(db, out, start)
    _themes(db, out)
    return out


def _load(db: duckdb.DuckDBPyConnection, path: str, start: dt.date, end: dt.date, as_of: dt.date, closure_days: list[dt.date]) -> None:
    """Table `cases`: the rows the period needs (received in it, or complaints open at its start or answered in it),
    with their parent's contact type and their working days, as checker/derive/cases.py derives them."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    types = {c: "DATE" for c in DATES if c in header} | {c: "VARCHAR" for c in TEXTS if c in header}
    types |= {c: t for c, t in (("stage", "INTEGER"), ("compensation_offered", "DECIMAL(18,2)")) if c in header}
    columns = ", ".join(f"{c}" if c in header else f"NULL::{t} AS {c}" for c, t in
                        [*((c, "DATE") for c in DATES), *((c, "VARCHAR") for c in TEXTS), ("stage", "INTEGER"),
                         ("compensation_offered", "DECIMAL(18,2)")])
    db.execute(f"CREATE TEMP TABLE register AS SELECT {columns} FROM read_csv(?, header = true, types = ?)", [path, types])
    earliest, latest = ", ".join(f"min({c})" for c in DATES), ", ".join(f"max({c})" for c in DATES)
    first, last = _row(db, f"SELECT least({earliest}), greatest({latest}) FROM register")
    first, last = min(d for d in (first, start, as_of) if d), max(d for d in (last, end, as_of) if d)
    days_off = sorted(set(holidays.UK(subdiv="ENG", years=range(first.year - 2, last.year + 3))) | set(closure_days))
    # n: working days from the calendar's start up to and including the day, so that n(b) - n(a) counts the working
    # days after a up to and including b (negative when b is earlier), as WorkingCalendar.elapsed does
    db.execute("""
        CREATE TEMP TABLE calendar AS
        SELECT day, sum(CASE WHEN isodow(day) <= 5 AND NOT list_contains($off, day) THEN 1 ELSE 0 END) OVER (ORDER BY day) AS n
        FROM (SELECT unnest(generate_series($first, $last, INTERVAL 1 DAY))::DATE AS day)""",
               {"off": days_off, "first": first, "last": last})
    db.execute("""
        CREATE TEMP TABLE cases AS
        WITH relevant AS (
            SELECT r.*, r.received_date BETWEEN $start AND $end AS in_period,
                   CASE WHEN r.contact_type = 'complaint' THEN 'stage' || r.stage ELSE r.contact_type END AS kind,
                   p.contact_type AS parent_type
            FROM register r LEFT JOIN (SELECT case_id, contact_type FROM register) p ON p.case_id = r.escalated_from
            WHERE r.received_date BETWEEN $start AND $end
               OR (r.contact_type = 'complaint' AND r.received_date <= $end AND (r.response_date IS NULL OR r.response_date >= $start)))
        SELECT r.*,
               ack_end.n - received.n AS wd_acknowledge,
               respond_end.n - clock.n AS wd_respond,
               extended.n - clock.n AS wd_extended_due,
               notice.n - clock.n AS wd_notice,
               coalesce(r.response_date, $as_of) <= r.extended_due_date AS within_extension
        FROM relevant r
        LEFT JOIN calendar received ON received.day = r.received_date
        LEFT JOIN calendar clock ON clock.day = coalesce(r.acknowledged_date, r.received_date)
        LEFT JOIN calendar ack_end ON ack_end.day = coalesce(r.acknowledged_date, r.response_date, $as_of)
        LEFT JOIN calendar respond_end ON respond_end.day = coalesce(r.response_date, $as_of)
        LEFT JOIN calendar extended ON extended.day = r.extended_due_date
        LEFT JOIN calendar notice ON notice.day = r.extension_notified_date""",
               {"start": start, "end": end, "as_of": as_of})
    db.execute("DROP TABLE register")


def _on_time(stage: int) -> tuple[str, str]:
    """SQL for (within the Code's timescale, within it or a valid extension), never null."""
    respond, limit = RESPOND[stage], RESPOND[stage] + MAX_EXTENSION[stage]
    strict = f"wd_respond <= {respond}"
    extended = (f"within_extension AND (wd_extended_due <= {limit} OR extension_good_reason = 'yes')"
                f" AND wd_notice <= {respond}")
    return f"coalesce({strict}, false)", f"coalesce(({strict}) OR ({extended}), false)"


def _answered(stage: int, start: dt.date, end: dt.date, where: str = "true") -> str:
    """SQL: (responded, within timescale, including extensions) over one stage's complaints answered in the period."""
    strict, extended = _on_time(stage)
    return (f"SELECT count(*), count(*) FILTER ({strict}), count(*) FILTER ({extended}) FROM cases"
            f" WHERE kind = 'stage{stage}' AND response_date BETWEEN DATE '{start}' AND DATE '{end}'"
            f" AND NOT coalesce(outcome IN ('withdrawn', 'not_accepted'), false) AND ({where})")


def _contacts(db: duckdb.DuckDBPyConnection, out: dict[str, Any]) -> None:
    out["contacts.total"] = _one(db, "SELECT count(*) FROM cases WHERE in_period")
    counts = dict(db.execute("SELECT kind, count(*) FROM cases WHERE in_period GROUP BY kind").fetchall())
    for kind in CONTACT_TYPES:
        out[f"contacts.by_type.{kind}.count"] = counts.get(kind, 0)
    for column, key in (("service_area", "by_service_area"), ("organisation", "by_organisation")):
        rows = db.execute(f"SELECT kind, coalesce({column}, '{NOT_RECORDED}'), count(*) FROM cases WHERE in_period AND kind IN "
                          f"{CONTACT_TYPES} GROUP BY ALL").fetchall()
        for kind, name, n in rows:
            out[f"contacts.{key}.{kind}.{name}.count"] = n
            if kind in ("stage1", "stage2"):
                out[f"{kind}.{key}.{name}.count"] = n


def _stage(db: duckdb.DuckDBPyConnection, out: dict[str, Any], stage: int, start: dt.date, end: dt.date) -> None:
    key = f"stage{stage}"
    mine = f"in_period AND kind = '{key}'"
    out[f"{key}.received"] = out[f"contacts.by_type.{key}.count"]
    outcomes = dict(db.execute(f"SELECT coalesce(outcome, 'open'), count(*) FROM cases WHERE {mine} GROUP BY ALL").fetchall())
    for outcome in OUTCOMES:
        out[f"{key}.by_outcome.{outcome}.count"] = outcomes.get(outcome, 0)
    on_time, of = _row(db, f"SELECT count(*) FILTER (coalesce(wd_acknowledge <= {ACKNOWLEDGE[stage]}, false)), count(*) FROM cases "
                           f"WHERE {mine} AND NOT coalesce(outcome = 'not_accepted', false)")
    out[f"{key}.acknowledged_within_timescale.count"], out[f"{key}.acknowledged_within_timescale.of"] = on_time, of
    responded, strict, extended = _row(db, _answered(stage, start, end))
    out[f"{key}.responded"] = responded
    out[f"{key}.within_timescale.count"] = strict
    out[f"{key}.including_extensions.count"] = extended
    open_at_end = (f"kind = '{key}' AND received_date <= DATE '{end}' AND (response_date IS NULL OR response_date > DATE '{end}')"
                   " AND NOT coalesce(outcome IN ('withdrawn', 'not_accepted'), false)")
    out[f"{key}.open_at_end"] = _one(db, f"SELECT count(*) FROM cases WHERE {open_at_end}")
    overdue = db.execute(f"SELECT case_id FROM cases WHERE {open_at_end} AND NOT {_on_time(stage)[1]} ORDER BY case_id").fetchall()
    out[f"{key}.overdue_at_end"] = len(overdue)
    out[f"{key}.overdue_case_ids"] = [case_id for (case_id,) in overdue]


def _tsm(db: duckdb.DuckDBPyConnection, out: dict[str, Any], homes: int, homes_by_tenure: dict[str, int], start: dt.date, end: dt.date) -> None:
    """CH01 (received, per 1,000 homes) and CH02 (responded, shares on time) for all homes and per TSM tenure."""
    recorded = _one(db, "SELECT count(tenure) > 0 FROM cases")  # a register with no tenure at all cannot be split
    scopes: list[tuple[str, str, str, int | None]] = [("tsm.CH01", "tsm.CH02", "true", homes)]
    scopes += [(f"tsm.CH01.{t}", f"tsm.CH02.{t}", f"tenure = '{t}'", homes_by_tenure.get(t) if recorded else None) for t in TSM_TENURES]
    for ch01, ch02, where, denominator in scopes:
        known = recorded or where == "true"  # per tenure, shares are unknown (null) when no tenure is recorded
        for stage in (1, 2):
            received = _one(db, f"SELECT count(*) FROM cases WHERE in_period AND kind = 'stage{stage}' AND ({where})")
            out[f"{ch01}.stage{stage}_received"] = received
            out[f"{ch01}.stage{stage}_per_1000_homes"] = _per_thousand(received, denominator)
            responded, strict, extended = _row(db, _answered(stage, start, end, where))
            out[f"{ch02}.stage{stage}_responded"] = responded
            out[f"{ch02}.stage{stage}_within_timescale_pct"] = _pct(strict, responded) if known else None
            out[f"{ch02}.stage{stage}_including_extensions_pct"] = _pct(extended, responded) if known else None
    out["tsm.tenure_recorded"] = recorded
    rows = dict(db.execute("SELECT coalesce(tenure, 'not_recorded') || '.stage' || stage, count(*) FROM cases "
                           "WHERE in_period AND contact_type = 'complaint' GROUP BY ALL").fetchall())
    total = 0
    for name in OUTSIDE_TENURES:
        for stage in (1, 2):
            n = rows.get(f"{name}.stage{stage}", 0)
            out[f"tsm.outside_split.{name}.stage{stage}_received"] = n
            total += n
    out["tsm.outside_split.total"] = total


def _refused(db: duckdb.DuckDBPyConnection, out: dict[str, Any]) -> None:
    refused = "in_period AND contact_type = 'complaint' AND outcome = 'not_accepted'"
    ids = db.execute(f"SELECT case_id FROM cases WHERE {refused} ORDER BY case_id").fetchall()
    out["refused.total"] = len(ids)
    out["refused.case_ids"] = [case_id for (case_id,) in ids]
    for reason, n in db.execute(f"SELECT coalesce(not_accepted_reason, 'not_recorded'), count(*) FROM cases WHERE {refused} GROUP BY ALL").fetchall():
        out[f"refused.by_reason.{reason}"] = n
    for stage in (1, 2):
        out[f"refused.by_stage.stage{stage}"] = _one(db, f"SELECT count(*) FROM cases WHERE {refused} AND stage = {stage}")
    for column, key in (("refusal_explained", "explained"), ("ombudsman_details_given", "ombudsman_details_given")):
        yes, no, blank = _row(db, f"SELECT count(*) FILTER ({column} = 'yes'), count(*) FILTER ({column} = 'no'), "
                                  f"count(*) FILTER ({column} IS NULL) FROM cases WHERE {refused}")
        out[f"refused.{key}.yes"], out[f"refused.{key}.no"], out[f"refused.{key}.not_recorded"] = yes, no, blank


def _compensation(db: duckdb.DuckDBPyConnection, out: dict[str, Any], start: dt.date) -> None:
    paid = "in_period AND contact_type = 'complaint' AND compensation_offered > 0"
    total, cases = _row(db, f"SELECT coalesce(sum(compensation_offered), 0), count(*) FROM cases WHERE {paid}")
    out["compensation.total"], out["compensation.cases"] = float(total), cases
    label = f"{start.year}-{(start.year + 1) % 100:02d}"
    by_quarter = dict(db.execute(f"SELECT (month(received_date) + 8) % 12 // 3 + 1, sum(compensation_offered) FROM cases "
                                 f"WHERE {paid} GROUP BY ALL").fetchall())
    for quarter in (1, 2, 3, 4):
        out[f"compensation.by_quarter.{label}-Q{quarter}"] = float(by_quarter.get(quarter, 0))


def _themes(db: duckdb.DuckDBPyConnection, out: dict[str, Any]) -> None:
    """How many stage 1 and stage 2 complaints received in the period name each theme (';'-separated, once a case)."""
    rows = db.execute("""
        SELECT theme, stage, count(*) FROM (
            SELECT DISTINCT case_id, stage, trim(unnest(string_split(themes, ';'))) AS theme
            FROM cases WHERE in_period AND contact_type = 'complaint')
        WHERE theme <> '' GROUP BY ALL""").fetchall()
    counts: dict[str, dict[int, int]] = {}
    for theme, stage, n in rows:
        counts.setdefault(theme, {1: 0, 2: 0})[stage] = n
    for theme, n in counts.items():
        out[f"themes.{theme}.stage1_count"], out[f"themes.{theme}.stage2_count"] = n[1], n[2]


def _row(db: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = db.execute(sql).fetchone()
    assert row is not None, sql  # an aggregate gives one row
    return row


def _one(db: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return _row(db, sql)[0]


def _half_up(value: Decimal, step: str) -> float:
    return float(value.quantize(Decimal(step), ROUND_HALF_UP))


def _pct(part: int, whole: int) -> float | None:
    """As chc gives a share: the float 100 × part / whole, rounded half up to one decimal place."""
    return _half_up(Decimal(100 * part / whole), "0.1") if whole else None


def _per_thousand(count: int, homes: int | None) -> float | None:
    return _half_up(Decimal(1000 * count / homes), "0.01") if homes else None


def _financial_year(label: str) -> tuple[dt.date, dt.date]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise SystemExit(f"duckdb_report: --period must be a financial year such as 2024-25, not {label!r}")
    year = int(match.group(1))
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def flatten(report: Any, prefix: str = "") -> dict[str, Any]:
    """chc's report JSON as flat keys: nested objects joined with dots, a list of breakdown rows keyed by each row's
    name (or theme), any other list (case ids) kept whole."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(report, dict):
        items = report.items()
    elif isinstance(report, list) and report and all(isinstance(r, dict) and ("name" in r or "theme" in r) for r in report):
        items = ((r.get("name", r.get("theme")), {k: v for k, v in r.items() if k not in ("name", "theme")}) for r in report)
    else:
        return {prefix: report}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def differences(reference: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """Each figure of the reference that chc's report JSON does not give alike, as 'key: reference ≠ chc'."""
    chc = flatten(report)
    missing = object()
    return [f"{key}: {value!r} ≠ {chc.get(key, '(absent)')!r}" for key, value in reference.items() if chc.get(key, missing) != value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True)
    parser.add_argument("--register", required=True, help="a CSV register in the contract's shape")
    parser.add_argument("--period", required=True, help="a financial year, e.g. 2024-25")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="default: the period's end, or today if earlier")
    parser.add_argument("--compare", metavar="REPORT.json", help="check every figure against chc's report JSON; exit 1 on a difference")
    args = parser.parse_args()
    figures = report_figures(args.policy, args.register, args.period, args.as_of)
    if args.compare:
        with open(args.compare, encoding="utf-8") as f:
            diffs = differences(figures, json.load(f))
        print(f"{len(figures)} figures compared, {len(diffs)} differ" + "".join(f"\n  {d}" for d in diffs))
        raise SystemExit(1 if diffs else 0)
    print(json.dumps(figures, indent=1, default=str))


if __name__ == "__main__":
    main()
