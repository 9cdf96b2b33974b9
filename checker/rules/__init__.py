"""Rules: chc's condition language, compiled to polars and evaluated column-wise over the derived register.

In: the `Rulebook`, the derived frame, the policy facts and register figures. Out: one `Finding` per rule (cases
in scope, examined, in breach, unknown, with their ids), never a verdict. Also runs rule tests and describes rules.
"""
