"""Load and validate: every input chc reads, read once and checked before anything is judged.

In: the register file (CSV, XLSX, JSON) with its column mapping, the policy metadata, the Code's provisions
(code_requirements/), the rules (rules/) and the reports' extra inputs. Out: a typed `Register` frame, a `Policy`,
a `Catalogue` and a `Rulebook`, or an `InputError` naming file, row and field.
"""
