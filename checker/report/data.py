"""The complaints performance report's data: figures for the period, per group, a year earlier, and activity.

One loaded register, derived once per period asked for (the period, its quarters, the year before), the periods'
rows stacked and every group's figures computed in one grouped pass, not one pass per group; the JSON
(checker/load/schemas/report.schema.json) and every document are rendered from what this returns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from checker import __version__
from checker.derive.cases import derive
from checker.derive.period import Period, previous_year, quarters_of
from checker.load.activity import Activity, learning_in, ombudsman_figures
from checker.load.catalogue import Catalogue
from checker.load.policy import Policy
from checker.load.register import Register
from checker.report.figures import PERIOD, Key, Timescales, figures, period_rows, recognition_signals

if TYPE_CHECKING:  # `chc report` judges nothing: the verdict modules load only for the annual report
    from checker.verdict.assessment import Assessment


def report_data(policy: Policy, register: Register, catalogue: Catalogue, period: Period, activity: Activity,
                generated_at: dt.datetime, by: tuple[str, ...] = (), compare: bool = False,
                as_of: dt.date | None = None, assessment: Assessment | None = None) -> dict[str, Any]:
    """Everything the report states, as plain data. The annual report passes its self-assessment, whose register,
    derived for the same period and date, is used rather than derived again."""
    as_of = as_of or min(period.end, generated_at.date())
    landlord = policy.data["landlord"]
    times = Timescales.from_catalogue(catalogue)
    earlier = previous_year(period)
    groups = _groups(_organisations(register, period, earlier if compare else None), period, by)
    # every (period, organisation) the report needs: each period is derived once, narrowed to what the figures read
    wanted: dict[Period, set[str | None]] = {period: {None}}
    if compare:
        wanted.setdefault(earlier, set()).add(None)
    for _, sub, organisation in groups:
        wanted.setdefault(sub, set()).add(organisation)
        if compare:
            wanted.setdefault(previous_year(sub), set()).add(organisation)
    periods = list(wanted)
    found = _figures(policy, register, periods, wanted, as_of, assessment, times)
    has_data = {p: _has_data(register, p) for p in periods}

    code = catalogue.code
    data: dict[str, Any] = {
        "tool": {"name": "chc", "version": __version__},
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "landlord": landlord["name"],
        "homes": landlord["homes"],
        "period": _period(period, min(period.end, as_of)),
        "code": {"id": code["id"], "title": code["title"], "version": code["version"]},
        "register": {"source": register.file_name, **register.counts(),
                     "skipped_rows": [{"row": row, "reasons": reasons} for row, reasons in register.skipped_rows]},
        **found[(period, None)],
        "previous": {"period": _period(earlier, earlier.end), "has_data": has_data[earlier], **found[(earlier, None)]}
        if compare else None,
        "groups": [],
        "ombudsman": ombudsman_figures(activity.ombudsman, period) if activity.ombudsman else None,
        "learning": learning_in(activity.learning, period),
        "benchmarks": activity.benchmarks,
        "recognition": recognition_signals(found[(period, None)], activity.benchmarks),
        "inputs": {kind: Path(path).name for kind, path in activity.sources.items()},
    }
    for key, sub, organisation in groups:
        group = {"key": key, "label": " · ".join(key.values()), "period": _period(sub, min(sub.end, as_of)),
                 "figures": found[(sub, organisation)]}
        if compare:
            before = previous_year(sub)
            group["previous"] = {"period": _period(before, before.end), "has_data": has_data[before], **found[(before, organisation)]}
        data["groups"].append(group)
    return data


def _figures(policy: Policy, register: Register, periods: list[Period], wanted: dict[Period, set[str | None]], as_of: dt.date,
             assessment: Assessment | None, times: Timescales) -> dict[tuple[Period, str | None], dict[str, Any]]:
    """The figures of each (period, organisation) wanted, None for the landlord's: the landlord's in one grouped pass over
    the periods they are wanted for, then every organisation's in one over theirs. Each period is derived once, and
    its rows let go when no later pass needs them. Homes are known for the landlord only, so CH01 per 1,000 homes is
    not given per organisation."""
    landlord = policy.data["landlord"]
    whole: list[Key] = [(i,) for i, p in enumerate(periods) if None in wanted[p]]
    each: list[Key] = [(i, o) for i, p in enumerate(periods) for o in wanted[p] if o is not None]
    kept: dict[int, pl.DataFrame] = {}

    def rows_of(keys: list[Key], keep: set[int]) -> pl.DataFrame:
        needed = sorted({key[0] for key in keys})
        parts = [kept.pop(i) if i in kept else period_rows(_derived(policy, register, periods[i], min(periods[i].end, as_of), assessment), periods[i], i)
                 for i in needed]
        kept.update((i, part) for i, part in zip(needed, parts, strict=True) if i in keep)
        return pl.concat(parts, rechunk=False)

    landlords = figures(rows_of(whole, {key[0] for key in each}), [PERIOD], whole, periods, landlord["homes"],
                        landlord.get("homes_by_tenure", {}), times)
    found: dict[tuple[Period, str | None], dict[str, Any]] = {(periods[i], None): f for (i,), f in landlords.items()}
    if each:
        found |= {(periods[i], o): f for (i, o), f in figures(rows_of(each, set()), [PERIOD, "organisation"], each, periods, 0, {}, times).items()}
    return found


def _derived(policy: Policy, register: Register, period: Period, as_of: dt.date, assessment: Assessment | None) -> pl.DataFrame:
    """The register derived for the period, or the self-assessment's when it was derived for the same period and date."""
    if assessment is not None and (assessment.period, assessment.as_of) == (period, as_of):
        return assessment.derived
    return derive(register.frame, period, as_of, policy.closure_days, register.shares_ids)


def _has_data(register: Register, period: Period) -> bool:
    """Whether the register holds any contact received in `period`: a year before the register starts has no
    figures to compare with, and its zeros must never be printed as if they were counts."""
    received = register.frame["received_date"]
    return bool(received.is_between(period.start, period.end).any())


def _organisations(register: Register, period: Period, earlier: Period | None) -> list[str]:
    """The organisations with a contact received in the period (or the year before, when comparing), sorted."""
    start = earlier.start if earlier else period.start
    names = register.frame.filter(pl.col("received_date").is_between(pl.lit(start), pl.lit(period.end)))["organisation"]
    return sorted(names.drop_nulls().unique().to_list())


def _groups(organisations: list[str], period: Period, by: tuple[str, ...]) -> list[tuple[dict[str, str], Period, str | None]]:
    """(key, sub-period, organisation) for each group, quarters outermost, in order."""
    if not by:
        return []
    quarters = quarters_of(period) if "quarter" in by else [period]
    quarters = [_clip(q, period) for q in quarters]
    orgs: list[str | None] = list(organisations) if "organisation" in by else [None]
    out = []
    for q in quarters:
        for org in orgs:
            key = {}
            if "quarter" in by:
                key["quarter"] = q.label
            if org is not None:
                key["organisation"] = org
            out.append((key, q, org))
    return out


def _clip(quarter: Period, period: Period) -> Period:
    """A quarter cut to the period, for FROM:TO periods that start or end inside a quarter."""
    if quarter.start >= period.start and quarter.end <= period.end:
        return quarter
    return Period(max(quarter.start, period.start), min(quarter.end, period.end), quarter.label)


def _period(p: Period, as_of: dt.date) -> dict[str, str]:
    return {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(), "as_of": as_of.isoformat()}
