"""`chc history list|show|diff` as terminal tables (tabulate), like the rest of the command line."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tabulate import tabulate

from checker.history.diff import compare
from checker.history.query import Record, figures, latest, records, verdicts
from checker.history.store import History, HistoryError

KINDS = {"assessment": "self-assessment", "figures": "report figures"}
HEADLINE = (  # the figures `show` and `diff` print, by the report data's names
    ("Contacts received", "contacts.total"),
    ("Stage 1 complaints received", "stage1.received"),
    ("Stage 1 answered within timescale", "stage1.within_timescale"),
    ("Stage 2 complaints received", "stage2.received"),
    ("Stage 2 answered within timescale", "stage2.within_timescale"),
    ("CH01 stage 1 per 1,000 homes", "tsm.CH01.stage1_per_1000_homes"),
    ("CH01 stage 2 per 1,000 homes", "tsm.CH01.stage2_per_1000_homes"),
    ("Compensation offered (£)", "compensation.total"),
)


def list_table(history: History) -> str:
    rows = [(r.period, r.start, r.end, KINDS[r.kind], r.rules_version or "–", r.code_version, r.recorded_at, r.register)
            for r in records(history)]
    if not rows:
        return f"{history.path.name} holds no record yet.\n"
    return tabulate(rows, headers=["Period", "From", "To", "Record", "Rules version", "Code version", "Recorded", "Register"],
                    tablefmt="simple", disable_numparse=True) + "\n"


def show_text(history: History, period: str) -> str:
    """The period's latest self-assessment and figures: where they came from, each verdict, the headline figures."""
    assessment, report = _wanted(history, period, latest(history, "assessment", period), latest(history, "figures", period))
    out = []
    if assessment:
        mine = verdicts(history, assessment)
        counts = Counter(status for status, _ in mine.values())
        out += [_source(assessment),
                tabulate([(status.replace("_", " "), n) for status, n in sorted(counts.items())] + [("total", len(mine))],
                         headers=["Verdict", "Provisions"], tablefmt="simple"),
                tabulate([(p, status.replace("_", " "), kinds.replace(",", ", ")) for p, (status, kinds) in mine.items()],
                         headers=["Provision", "Verdict", "Evidence kinds"], tablefmt="simple", disable_numparse=True)]
    if report:
        values = figures(history, report)
        out += [_source(report), tabulate([(label, _figure(values, name)) for label, name in HEADLINE],
                                          headers=["Figure", period], tablefmt="simple", disable_numparse=True)]
    return "\n\n".join(out) + "\n"


def diff_text(history: History, first: str, second: str) -> str:
    """The verdicts that changed from FIRST to SECOND, then the headline figures side by side."""
    before, after = latest(history, "assessment", first), latest(history, "assessment", second)
    figures_before, figures_after = latest(history, "figures", first), latest(history, "figures", second)
    _wanted(history, first, before, figures_before)
    _wanted(history, second, after, figures_after)
    out = []
    if before and after:
        old = {p: status for p, (status, _) in verdicts(history, before).items()}
        changes = compare(old, {p: status for p, (status, _) in verdicts(history, after).items()})
        out.append(tabulate([(c.provision, c.before.replace("_", " "), c.now.replace("_", " "), c.change.replace("_", " "))
                             for c in changes], headers=["Provision", first, second, "Change"], tablefmt="simple", disable_numparse=True)
                   if changes else f"No verdict changed from {first} to {second}.")
    else:
        out.append(f"No self-assessment recorded for {first if not before else second}: verdicts not compared.")
    if figures_before and figures_after:
        old_values, new_values = figures(history, figures_before), figures(history, figures_after)
        out.append(tabulate([(label, _figure(old_values, name), _figure(new_values, name)) for label, name in HEADLINE],
                            headers=["Figure", first, second], tablefmt="simple", disable_numparse=True))
    return "\n\n".join(out) + "\n"


def _wanted(history: History, period: str, *found: Record | None) -> tuple[Record | None, ...]:
    """The period's records, or a HistoryError listing the periods the file holds."""
    if not any(found):
        held = ", ".join(dict.fromkeys(r.period for r in records(history))) or "none"
        raise HistoryError(f"{history.path}: no record of {period} (periods recorded: {held})")
    return found


def _source(record: Record) -> str:
    return (f"{KINDS[record.kind].capitalize()} of {record.period} ({record.start} to {record.end}, as at {record.as_of}), recorded "
            f"{record.recorded_at} by chc {record.chc_version} from {record.register}; Code version {record.code_version}"
            + (f", rules version {record.rules_version}" if record.rules_version else "") + f"; inputs {record.fingerprint[:12]}")


def _figure(values: dict[str, Any], name: str) -> str:
    """A figure as the report words it: 'count of of' for a share."""
    if f"{name}.count" in values:
        return f"{values[f'{name}.count']} of {values[f'{name}.of']}"
    value = values.get(name)
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
