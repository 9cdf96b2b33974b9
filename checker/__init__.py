"""chc: checks a landlord's complaints register and policy against the Housing Ombudsman's Complaint Handling Code.

The pipeline, one subpackage per stage: `load` (register, mapping, policy, catalogue, rulebook) → `derive`
(per-case facts in bulk) → `rules` (conditions evaluated column-wise) → `verdict` (one decision per provision,
on durable-rules) → `render` (Appendix 1 and the CI formats) and `report` (the complaints reports); `history` keeps each
run's verdicts and figures in SQLite.
"""

__version__ = "0.2.0"
