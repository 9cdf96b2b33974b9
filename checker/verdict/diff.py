"""Compare the verdicts of two versions of a policy, so a change that breaks the Code is caught before it is adopted."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tabulate import tabulate

from checker.render import markdown_layout as md
from checker.verdict.assessment import Assessment, ProvisionResult

# a verdict the old policy could stand on; losing it to one of BROKEN is a break
SOUND = ("met", "not_applicable", "waived")
BROKEN = ("not_met", "partially_met")


@dataclass(frozen=True)
class Change:
    provision: str
    title: str
    before: str
    after: str
    rules: tuple[str, ...]  # the rules whose result changed
    newly_failing: tuple[str, ...]  # rules that fail only under the new version
    evidence: tuple[str, ...]  # the new version's evidence from the rules that changed

    @property
    def breaks(self) -> bool:
        """Worse than before: a provision the old version stood on is lost, or a rule fails that did not."""
        return (self.before in SOUND and self.after in BROKEN) or bool(self.newly_failing)


def compare(before: Assessment, after: Assessment) -> list[Change]:
    """Every provision whose verdict differs, or which has a newly failing rule, in Code order."""
    old = {r.provision.id: r for r in before.results}
    changes = []
    for new in after.results:
        was = old[new.provision.id]
        moved, newly_failing = _moved_rules(was, new)
        if was.status != new.status or newly_failing:
            evidence = tuple(rr.evidence for rr in new.rule_results if rr.outcome.rule.id in moved)
            changes.append(Change(new.provision.id, new.provision.title, was.status, new.status, moved, newly_failing, evidence))
    return changes


def _moved_rules(was: ProvisionResult, new: ProvisionResult) -> tuple[tuple[str, ...], tuple[str, ...]]:
    results = {rr.outcome.rule.id: rr.outcome.result for rr in was.rule_results}
    moved = tuple(rr.outcome.rule.id for rr in new.rule_results if results.get(rr.outcome.rule.id) != rr.outcome.result)
    failed_before = {rr.outcome.rule.id for rr in was.failing}
    failing = tuple(rr.outcome.rule.id for rr in new.failing if rr.outcome.rule.id not in failed_before)
    return moved, failing

def render_diff(changes: list[Change], before: Assessment, after: Assessment, fmt: str) -> str:
    old, new = before.policy.doc.path, after.policy.doc.path
    broken = [c for c in changes if c.breaks]
    if fmt == "json":
        return json.dumps({
            "old_policy": str(old), "new_policy": str(new), "breaks": len(broken),
            "changes": [{"provision": c.provision, "title": c.title, "before": c.before, "after": c.after,
                         "breaks": c.breaks, "rules": list(c.rules), "newly_failing": list(c.newly_failing),
                         "evidence": list(c.evidence)} for c in changes],
        }, indent=2, ensure_ascii=False) + "\n"
    verdict = (f"{len(broken)} provision{'s' if len(broken) != 1 else ''} broken by the change: {', '.join(c.provision for c in broken)}"
               if broken else "No provision that the old policy met is broken by the change.")
    if not changes:
        return f"No verdict changes between {old} and {new}.\n"
    rows = [[c.provision, c.title, c.before.replace("_", " "), c.after.replace("_", " "), "BREAKS" if c.breaks else "",
             " ".join(c.evidence)] for c in changes]
    headers = ["Provision", "Title", "Before", "After", "", "Evidence (new policy)"]
    if fmt == "md":
        table = tabulate([[md.cell(c) for c in row] for row in rows], headers=headers, tablefmt="github", disable_numparse=True)
        return f"### chc diff: {md.inline(str(old))} → {md.inline(str(new))}\n\n{table}\n\n**{verdict}**\n"
    table = tabulate(rows, headers=headers, tablefmt="simple_grid", disable_numparse=True, maxcolwidths=[None, 30, None, None, None, 50])
    return f"Verdict changes from {old} to {new}:\n{table}\n{verdict}\n"
