"""Load and validate: every input chc reads, read once and checked before anything is judged.

In: the register file (CSV, XLSX, JSON) with its column mapping, the policy metadata, the Code's provisions
(code_requirements/), the rules (rules/), the reports' extra inputs, and the Ombudsman's self-assessment form whose
wording `chc code import` writes into a catalogue. Out: a typed `Register` frame, a `Policy`, a `Catalogue` and a
`Rulebook`, or an `InputError` naming file, row and field.
"""
