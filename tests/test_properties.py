"""Properties that hold for any input: the working-day calendar, date parsing, and every register accounted for."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
import tempfile
from pathlib import Path

import holidays
import numpy as np
import polars as pl
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from checker.derive.calendar import WorkingCalendar
from checker.derive.cases import _months_begun
from checker.derive.dates import parse_date, parse_series
from checker.derive.period import parse_period
from checker.errors import InputError
from checker.load.policy import load_policy
from checker.load.register import contract, load_register
from checker.verdict.assessment import assess
from conftest import EXAMPLE

FIRST, LAST = 2018, 2030  # the calendar's years; every drawn date lies well inside them
CLOSURES = st.lists(st.dates(dt.date(FIRST + 1, 1, 1), dt.date(LAST - 1, 12, 31)), max_size=8)
DAYS = st.dates(dt.date(FIRST + 1, 1, 1), dt.date(LAST - 2, 12, 31))
BANK = set(holidays.UK(subdiv="ENG", years=range(FIRST, LAST + 1)))
QUICK = settings(max_examples=150, deadline=None, database=None)


def _elapsed(calendar: WorkingCalendar, starts: list[dt.date], ends: list[dt.date]) -> np.ndarray:
    frame = pl.DataFrame({"start": starts, "end": ends}, schema={"start": pl.Date, "end": pl.Date})
    return frame.select(calendar.elapsed(pl.col("start"), pl.col("end"))).to_series().to_numpy()


# --- the working-day calendar ---------------------------------------------------------------------------------

@QUICK
@given(start=DAYS, n=st.integers(0, 400), closures=CLOSURES)
def test_counting_the_days_numpy_adds_gives_them_back(start, n, closures):
    calendar = WorkingCalendar(FIRST, LAST, closures)
    end = np.busday_offset(np.datetime64(start), n, roll="backward", busdaycal=_numpy_calendar(closures)).item()
    assert _elapsed(calendar, [start], [end])[0] == n


def _numpy_calendar(closures) -> np.busdaycalendar:
    """numpy on its own, told the same holidays independently of WorkingCalendar."""
    return np.busdaycalendar(weekmask="1111100", holidays=sorted(BANK | set(closures)))


@QUICK
@given(day=DAYS, closures=CLOSURES)
def test_weekends_bank_holidays_and_closures_are_never_working_days(day, closures):
    calendar = WorkingCalendar(FIRST, LAST, closures)
    # the next day counts as one working day after this one exactly when it is not a weekend, bank holiday or closure
    after = day + dt.timedelta(days=1)
    off = after.weekday() >= 5 or after in BANK or after in closures
    assert _elapsed(calendar, [day], [after])[0] == int(not off)


@QUICK
@given(start=DAYS, closures=CLOSURES, span=st.integers(1, 120))
def test_elapsed_never_decreases_as_the_end_moves_later_and_is_antisymmetric(start, closures, span):
    calendar = WorkingCalendar(FIRST, LAST, closures)
    ends = [start + dt.timedelta(days=n) for n in range(-30, span)]
    counts = _elapsed(calendar, [start] * len(ends), ends)
    steps = np.diff(counts)
    assert (steps >= 0).all()
    assert (steps == np.is_busday(np.array(ends[1:], dtype="datetime64[D]"), busdaycal=_numpy_calendar(closures)).astype(int)).all()
    assert counts[30] == 0  # from a day to itself
    assert (_elapsed(calendar, ends, [start] * len(ends)) == -counts).all()  # and back again


# --- dates ----------------------------------------------------------------------------------------------------

ANY_DAY = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))


def _written(day: dt.date, form: str) -> str:
    return {
        "iso": f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
        "iso_unpadded": f"{day.year:04d}-{day.month}-{day.day}",
        "uk": f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
        "uk_unpadded": f"{day.day}/{day.month}/{day.year:04d}",
    }[form]


def _series(texts: list[str]) -> list[dt.date | None]:
    return parse_series(pl.Series("d", texts, pl.Utf8)).to_list()


def _corresponding(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day where there is none (Dodds v Walker)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@given(DAYS, DAYS)
def test_a_complaints_age_in_months_is_the_months_begun_by_the_corresponding_day(start, end):
    """complaint_age_months (the Code's twelve months from the issue): the fewest months m with end on or before the day corresponding
    to the start m months on, as English law counts months; derive's column arithmetic gives the same."""
    assume(end >= start)
    months = next(m for m in range(0, 400) if end <= _corresponding(start, m))
    derived = pl.select(_months_begun(pl.lit(start), pl.lit(end))).item()
    assert derived == months


@QUICK
@given(day=ANY_DAY, form=st.sampled_from(["iso", "iso_unpadded", "uk", "uk_unpadded"]))
def test_a_date_written_iso_or_day_first_parses_back_to_itself(day, form):
    text = _written(day, form)
    assert parse_date(text) == day
    assert _series([text, "2024-05-07"]) == [day, dt.date(2024, 5, 7)]


def _oracle(text: str) -> dt.date | None:
    """What chc must read from `text`: ISO or DD/MM/YYYY in ASCII digits, the whole text, a real date."""
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    uk = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
    if not (iso or uk):
        return None
    year, month, day = (int(x) for x in (iso.groups() if iso else reversed(uk.groups())))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _spliced(day: dt.date, form: str, at: int, junk: str) -> str:
    text = _written(day, form)
    return text[:at] + junk + text[at:]


NEAR_MISSES = st.builds(_spliced, ANY_DAY, st.sampled_from(["iso", "uk_unpadded"]), st.integers(0, 10),
                        st.sampled_from([" ", "+", "-", "/", "0", "1", "\n", "\t", "T", "x", "٣", "２", ".", ":"]))


@settings(QUICK, max_examples=300)
@given(text=st.one_of(st.text(max_size=14), st.text(alphabet="0123456789-/ +T:", max_size=14), NEAR_MISSES))
def test_text_that_is_neither_form_never_parses(text):
    expected = _oracle(text)
    assert parse_date(text) == expected
    excel = re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?", text)
    if excel is None:  # an Excel date-time cell ('2024-05-07 00:00:00') is a register cell, not a date typed by hand
        assert _series([text]) == [expected]


@QUICK
@given(year=st.integers(0, 9999), month=st.integers(0, 99), day=st.integers(0, 99), uk=st.booleans())
def test_impossible_dates_never_parse(year, month, day, uk):
    try:
        dt.date(year, month, day)
        assume(False)
    except ValueError:
        pass
    text = f"{day:02d}/{month:02d}/{year:04d}" if uk else f"{year:04d}-{month:02d}-{day:02d}"
    assert parse_date(text) is None
    assert _series([text]) == [None]


# --- every register is read whole or refused, and every one that loads gets 72 verdicts -------------------------

COLUMNS = list(contract())
IN_YEAR = st.dates(dt.date(2023, 10, 1), dt.date(2025, 6, 30))


def _text(day: dt.date, iso: bool) -> str:
    return day.isoformat() if iso else day.strftime("%d/%m/%Y")


@st.composite
def registers(draw) -> list[dict[str, str]]:
    """1-40 rows valid by the contract, so that most load; in one register in four, one cell holds any text."""
    rows: list[dict[str, str]] = []
    for i in range(draw(st.integers(1, 40))):
        received = draw(IN_YEAR)
        kind = draw(st.sampled_from(contract()["contact_type"]["enum"]))
        row = {"case_id": f"C{i}", "contact_type": kind, "received_date": _text(received, draw(st.booleans()))}
        if kind == "complaint":
            stage_1s = [r["case_id"] for r in rows if r.get("stage") == "1"]
            stage = draw(st.sampled_from(["1", "2"] if stage_1s else ["1"]))
            row["stage"] = stage
            if stage == "2":
                row["escalated_from"] = draw(st.sampled_from(stage_1s))
            if draw(st.booleans()):
                row["acknowledged_date"] = _text(received + dt.timedelta(days=draw(st.integers(0, 12))), draw(st.booleans()))
            if draw(st.booleans()):
                row["response_date"] = _text(received + dt.timedelta(days=draw(st.integers(0, 60))), draw(st.booleans()))
                row["outcome"] = draw(st.sampled_from(["upheld", "partially_upheld", "not_upheld", "withdrawn", "not_accepted"]))
                if row["outcome"] == "not_accepted":
                    row["not_accepted_reason"] = draw(st.sampled_from(contract()["not_accepted_reason"]["enum"]))
                row["compensation_offered"] = draw(st.sampled_from(["", "0", "50", "£1,250.00", "12.5"]))
            row["handler"] = draw(st.sampled_from(["", "CO-01", "CO-02"]))
            row["service_area"] = draw(st.sampled_from(["", "Repairs", "Income"]))
        elif draw(st.booleans()):
            row["response_date"] = _text(received + dt.timedelta(days=draw(st.integers(0, 30))), draw(st.booleans()))
        rows.append(row)
    if draw(st.integers(0, 3)) == 0:  # one register in four has one cell holding anything at all
        rows[draw(st.integers(0, len(rows) - 1))][draw(st.sampled_from(COLUMNS))] = draw(st.text(max_size=12))
    return rows


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@settings(QUICK, max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=registers())
def test_every_row_is_read_or_the_file_refused_and_every_loaded_register_gets_72_verdicts(rows, catalogue, rulebook):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.csv"
        path.write_text(_csv(rows), encoding="utf-8")
        try:
            register = load_register(path)
        except InputError as err:
            assert err.problems and all(p.file == str(path) for p in err.problems)
            event(f"refused ({err.problems[0].field})")
            return
    assert register.rows_read == len(rows)
    assert register.frame.height == len(rows)
    result = assess(load_policy(EXAMPLE / "policy.yaml"), register, catalogue, rulebook, parse_period("2024-25"),
                    today=dt.date(2025, 5, 1))
    event("loaded and assessed")
    ids = [r.provision.id for r in result.results]
    assert len(ids) == 72 and sorted(ids) == sorted(catalogue.provisions)
