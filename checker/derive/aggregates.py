"""Register figures for the period, computed once in bulk: what register-scope rules judge."""

from __future__ import annotations

from typing import Any

import polars as pl

# each figure: what it counts, and the register columns it reads (a register rule's `requires` must list them)
_COUNTED = ("contact_type", "received_date")  # every figure counts contacts received in the period
AGGREGATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "contacts": ("contacts received in the period", ("received_date",)),
    "complaints": ("complaints received (both stages)", _COUNTED),
    "stage1_complaints": ("stage 1 complaints received", (*_COUNTED, "stage")),
    "stage2_complaints": ("stage 2 complaints received", (*_COUNTED, "stage")),
    "service_requests": ("service requests received", _COUNTED),
    "mp_enquiries": ("MP enquiries received", _COUNTED),
    "enquiries": ("other enquiries received", _COUNTED),
    "refused_complaints": ("complaints not accepted", (*_COUNTED, "outcome")),
}


def aggregates(frame: pl.DataFrame) -> dict[str, Any]:
    """AGGREGATES for the in-period rows of a derived register."""
    kind, stage = pl.col("contact_type"), pl.col("stage")
    row = frame.filter(pl.col("in_period")).select(
        pl.len().alias("contacts"),
        (kind == "complaint").sum().alias("complaints"),
        ((kind == "complaint") & (stage == 1)).sum().alias("stage1_complaints"),
        ((kind == "complaint") & (stage == 2)).sum().alias("stage2_complaints"),
        (kind == "service_request").sum().alias("service_requests"),
        (kind == "mp_enquiry").sum().alias("mp_enquiries"),
        (kind == "enquiry").sum().alias("enquiries"),
        ((kind == "complaint") & (pl.col("outcome") == "not_accepted")).sum().alias("refused_complaints"),
    )
    return {f"register.{k}": int(v) for k, v in row.row(0, named=True).items()}
