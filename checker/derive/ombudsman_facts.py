"""The Ombudsman activity file as facts the policy rules read (`ombudsman.*`), counted for the period.

The file is the landlord's declared record, so a fact exists only when the file holds the list it is counted
from: a rule reading a fact the file cannot give is not assessed (checker/rules/evaluate.py), never passed on
nothing. Dates are ISO text, as the activity schema keeps them, so they compare as text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from checker.derive.period import Period

# each fact: its kind, what it holds, and the list of the file it is counted from (one of them suffices for 8.1 c)
OMBUDSMAN_FACTS_DOC = {
    "ombudsman.non_compliance_findings": ("number", "findings of non-compliance with the Code in the period: those recorded as "
                                                    "such and Type 3 Complaint Handling Failure Orders", "non_compliance_findings"),
    "ombudsman.chfo_type3": ("number", "Type 3 Complaint Handling Failure Orders (compliance with the Code) issued in the period",
                             "complaint_handling_failure_orders"),
    "ombudsman.severe_maladministration_orders": ("number", "orders related to severe maladministration findings open in the "
                                                            "period: made by its end, not complied with before its start",
                                                  "determinations"),
    "ombudsman.severe_maladministration_orders_complied": ("number", "of those, the orders complied with", "determinations"),
    "ombudsman.severe_maladministration_orders_outstanding": ("number", "of those, the orders overdue or not complied with",
                                                              "determinations"),
    "ombudsman.self_assessments_revised": ("number", "self-assessments revised after an Ombudsman order or recommendation by the "
                                                     "period's end", "self_assessments"),
    "ombudsman.self_assessments_not_resubmitted": ("number", "of those, the ones not re-submitted to the Ombudsman by the as-of date",
                                                   "self_assessments"),
}
# the lists of the file, as published evidence names them
LISTS = {"non_compliance_findings": "findings of non-compliance with the Code",
         "complaint_handling_failure_orders": "Complaint Handling Failure Orders", "determinations": "determinations",
         "self_assessments": "self-assessments asked for after an order, a recommendation or a spotlight report"}
OMBUDSMAN = "ombudsman."  # the prefix of every fact here
OUTSTANDING = ("overdue", "not_complied")


def ombudsman_facts(data: dict[str, Any] | None, period: Period, as_of: dt.date) -> dict[str, Any]:
    """The facts the file can give for the period; none for a list the file does not hold (or with no file)."""
    if not data:
        return {}
    start, end = period.start.isoformat(), period.end.isoformat()
    facts: dict[str, Any] = {}
    if "non_compliance_findings" in data or "complaint_handling_failure_orders" in data:
        type3 = sum(o["type"] == 3 and start <= o["date"] <= end for o in data.get("complaint_handling_failure_orders", []))
        recorded = sum(start <= f["date"] <= end for f in data.get("non_compliance_findings", []))
        facts |= {"ombudsman.chfo_type3": type3, "ombudsman.non_compliance_findings": recorded + type3}
    if "determinations" in data:
        orders = [o for o in severe_orders(d for d in data["determinations"] if d["received"] <= end)
                  if not (o["status"] == "complied" and o.get("complied_on") and o["complied_on"] < start)]
        facts |= {"ombudsman.severe_maladministration_orders": len(orders),
                  "ombudsman.severe_maladministration_orders_complied": sum(o["status"] == "complied" for o in orders),
                  "ombudsman.severe_maladministration_orders_outstanding": sum(o["status"] in OUTSTANDING for o in orders)}
    if "self_assessments" in data:
        revised = [s for s in data["self_assessments"]
                   if s["after"] in ("order", "recommendation") and s.get("revised_on") and s["revised_on"] <= end]
        facts |= {"ombudsman.self_assessments_revised": len(revised),
                  "ombudsman.self_assessments_not_resubmitted": sum(not resubmitted(s, as_of) for s in revised)}
    return facts


def unrecorded(names: tuple[str, ...]) -> str:
    """Why rules reading these facts were not assessed, in words fit to publish."""
    lists = sorted({LISTS[OMBUDSMAN_FACTS_DOC[n][2]] for n in names})
    return f"no record of the Ombudsman's activity gives the {' or the '.join(lists)}"


def severe_orders(determinations: Any) -> list[dict[str, Any]]:
    """Orders related to a severe maladministration finding (Code 9.7 c): those saying so, or, saying nothing, those of a
    determination that holds one."""
    return [o for d in determinations
            for o in d.get("orders", [])
            if o.get("finding", "severe_maladministration" if any(f["type"] == "severe_maladministration" for f in d["findings"])
                     else None) == "severe_maladministration"]


def resubmitted(assessment: dict[str, Any], as_of: dt.date) -> bool:
    return bool(assessment.get("resubmitted_on")) and assessment["resubmitted_on"] <= as_of.isoformat()
