"""chc: checks a landlord's complaints register and policy against the Housing Ombudsman's Complaint Handling Code.

The pipeline, one module per stage: load and validate (register, mapping, policy, catalogue, rulebook)
→ derive per-case facts in bulk (derive) → evaluate case conditions column-wise (evaluate)
→ infer verdicts with durable-rules (infer) → render (render_*).
"""

__version__ = "0.1.0"
