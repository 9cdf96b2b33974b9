"""Per-case facts, derived in bulk for the whole register: durations in working days, months since the issue,
links between stages. Rules judge these measurements against the Code's numbers; nothing here judges.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from checker.derive.calendar import WorkingCalendar
from checker.derive.period import Period
from checker.load.register import FROM_ROW, ROW, Register, parent_columns, reference

# each derived field: its kind (what a rule may compare it with), what it measures, and the register columns it
# reads (a rule's `requires` must list them: an absent column or a blank cell in one leaves the field unknowable)
DERIVED_FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "in_period": ("boolean", "received within the assessment period", ("received_date",)),
    "acknowledged": ("boolean", "an acknowledgement date is recorded", ("acknowledged_date",)),
    "working_days_to_acknowledge": ("number", "receipt to acknowledgement (or to the response, or to the as-of date while neither)",
                                    ("received_date", "acknowledged_date", "response_date")),
    "responded": ("boolean", "a response date is recorded", ("response_date",)),
    "working_days_to_respond": ("number", "acknowledgement (or receipt, if never acknowledged) to response, or to the as-of date while open",
                                ("received_date", "acknowledged_date", "response_date")),
    "extended": ("boolean", "an extended due date was set", ("extended_due_date",)),
    "working_days_to_extended_due": ("number", "acknowledgement (or receipt) to the extended due date",
                                     ("received_date", "acknowledged_date", "extended_due_date")),
    "response_within_extension": ("boolean", "responded by the extended due date (or still within it at the as-of date)",
                                  ("extended_due_date", "response_date")),
    "working_days_to_extension_notice": ("number", "acknowledgement (or receipt) to the day the resident was told of the extension",
                                         ("received_date", "acknowledged_date", "extension_notified_date")),
    "complaint_age_months": ("number", "calendar months begun from the issue, or from the resident's awareness of it if later, to receipt: "
                             "a complaint received on the anniversary is 12 months old, one received the day after 13",
                             ("issue_date", "aware_date", "received_date")),
    "escalated_from_type": ("text", "contact_type of the case named in escalated_from", ("case_id", "contact_type", "escalated_from")),
    "stage1_handler": ("text", "on a stage 2 complaint, the handler of its stage 1", ("case_id", "stage", "escalated_from", "handler")),
    "working_days_remedy_overdue": ("number", "remedy due date to its completion (or to the as-of date while incomplete); above 0 is late",
                                    ("remedy_due_date", "remedy_completed_date")),
    "blanket_refusal": ("boolean", "refused for a reason other than a duplicate that was applied to every complaint (three or more) "
                                   "about the same service area in the period",
                        ("contact_type", "service_area", "received_date", "outcome", "not_accepted_reason")),
}
BLANKET_MIN_CASES = 3


def derive(frame: pl.DataFrame, period: Period, as_of: dt.date, closure_days: list[dt.date],
           shares_ids: bool | None = None) -> pl.DataFrame:
    """The rows any rule or figure reads (see _relevant), with DERIVED_FIELDS added as columns. `shares_ids`: the
    loader's answer to whether a case_id is used twice (Register.shares_ids), which is not asked again."""
    years = [d.year for d in (period.start, period.end, as_of)]
    received = frame["received_date"].drop_nulls()
    if received.len():
        years += [day.year for day in (received.min(), received.max()) if isinstance(day, dt.date)]
    calendar = WorkingCalendar(min(years) - 2, max(years) + 2, closure_days)
    as_of_lit = pl.lit(as_of)
    clock = pl.coalesce("acknowledged_date", "received_date")
    out = _links(_relevant(frame, period, as_of), frame, shares_ids).with_columns(
        _in_period(period).alias("in_period"),
        pl.col("acknowledged_date").is_not_null().alias("acknowledged"),
        pl.col("response_date").is_not_null().alias("responded"),
        pl.col("extended_due_date").is_not_null().alias("extended"),
        _months_begun(pl.max_horizontal("issue_date", "aware_date"), pl.col("received_date")).alias("complaint_age_months"),
        (pl.coalesce("response_date", as_of_lit) <= pl.col("extended_due_date")).alias("response_within_extension"),
    )
    out = out.with_columns(
        _elapsed(calendar, pl.col("received_date"), pl.coalesce("acknowledged_date", "response_date", as_of_lit)).alias("working_days_to_acknowledge"),
        _elapsed(calendar, clock, pl.coalesce("response_date", as_of_lit)).alias("working_days_to_respond"),
        _elapsed(calendar, clock, pl.col("extended_due_date")).alias("working_days_to_extended_due"),
        _elapsed(calendar, clock, pl.col("extension_notified_date")).alias("working_days_to_extension_notice"),
        _elapsed(calendar, pl.col("remedy_due_date"), pl.coalesce("remedy_completed_date", as_of_lit)).alias("working_days_remedy_overdue"),
    )
    return out.with_columns(_blanket_refusal().alias("blanket_refusal"))


def received_by(register: Register, as_of: dt.date) -> Register:
    """The register without the contacts received after the as-of date, which an assessment as at that date cannot
    see, each of their rows counted in the accounting (rows_after_as_of) so that every row read is accounted for. A
    wide export's row goes with its stage 1; a stage 2 taken from a row that stays goes alone."""
    frame = register.frame
    later = (pl.col("received_date") > as_of).fill_null(False)
    if not frame.select(later.any()).item():
        return register
    from_row = (pl.col(FROM_ROW) == 2) if FROM_ROW in frame.columns else pl.lit(False)
    rows = frame.filter(later & ~from_row)[ROW]
    kept = frame.filter(~(later | pl.col(ROW).is_in(rows.implode())))
    return replace(register, frame=kept, rows_after_as_of=register.rows_after_as_of + rows.len(),
                   stage2_from_rows=kept.filter(from_row).height)


def _relevant(frame: pl.DataFrame, period: Period, as_of: dt.date) -> pl.DataFrame:
    """The rows any rule or figure reads: contacts received in the period, and complaints still open at its start or
    answered in it; never one received after the as-of date (see received_by). A register of many years is narrowed
    before any working day is counted. Coded columns stay categories (pl.Categorical compares, sorts and groups as
    its text does), but themes, split into tags as text."""
    live = ((pl.col("contact_type") == "complaint") & (pl.col("received_date") <= period.end)
            & (pl.col("response_date").is_null() | (pl.col("response_date") >= period.start)))
    seen = pl.col("received_date") <= as_of
    return frame.filter((_in_period(period) | live) & seen).with_columns(pl.col("themes").cast(pl.Utf8))


def _in_period(period: Period) -> pl.Expr:
    return pl.col("received_date").is_between(pl.lit(period.start), pl.lit(period.end))


def _elapsed(calendar: WorkingCalendar, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Working days from start to end per row; null where either date is blank. A clock that stops before it starts
    has run 0 days, never fewer: a response sent before the acknowledgement took none after it, a remedy completed
    before its due date is 0 days overdue, and at an as-of date before the acknowledgement the response clock has
    not started."""
    return calendar.elapsed(start, end).clip(lower_bound=0)


def _months_begun(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Calendar months from start to end, a month begun counting as a month: "within 12 months" of 27 January 2024
    runs to 27 January 2025 inclusive (the corresponding date, or the month's last day where there is none, as
    English law counts months: Dodds v Walker [1981] 1 WLR 1441), so that day gives 12 and the next 13.

    The end is past the corresponding day exactly when its day of the month is past the start's: where the end's
    month is too short to have the start's day, its last day is the corresponding day, and no day is past it."""
    months = (end.dt.year() - start.dt.year()) * 12 + (end.dt.month() - start.dt.month())
    return (months + (end.dt.day() > start.dt.day()).cast(pl.Int32)).cast(pl.Int64)


def _links(rows: pl.DataFrame, register: pl.DataFrame, shares_ids: bool | None) -> pl.DataFrame:
    """Each row's parent (escalated_from) type, on stage 2 the stage 1 handler, and its reference as evidence names
    it (worked out over the whole register, so that a stage 1 of an earlier period still counts)."""
    kind, handler, _ = parent_columns(register, {"contact_type": "escalated_from_type", "handler": "parent_handler"}, rows["escalated_from"])
    return rows.with_columns(kind, pl.when(pl.col("stage") == 2).then(handler).alias("stage1_handler"), reference(register, shares_ids))


def _blanket_refusal() -> pl.Expr:
    """A refusal whose reason was given for every complaint about its service area in the period. Duplicates are left
    out: refusing three duplicates in one area is not a blanket approach (Code 2.5)."""
    complaint = (pl.col("contact_type") == "complaint") & pl.col("in_period")
    area = pl.col("service_area")
    refused = complaint & (pl.col("outcome") == "not_accepted") & pl.col("not_accepted_reason").ne_missing("duplicate")
    group_size = complaint.sum().over(area)
    same_reason = (refused & pl.col("not_accepted_reason").is_not_null()).sum().over(area, "not_accepted_reason")
    return (refused & area.is_not_null() & (group_size >= BLANKET_MIN_CASES) & (same_reason == group_size)).fill_null(False)
