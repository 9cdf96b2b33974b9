"""Verdict: one decision per provision, on durable-rules (or its built-in twin), with its reasoning.

In: findings, attestations, tolerances and waivers. Out: the `Assessment`: a status, evidence kinds, evidence,
reasoning and remediation for every provision of the Code.
"""
