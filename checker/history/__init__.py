"""History: each run's verdicts and report figures kept in an SQLite file (`--history FILE`), a memory of every year.

In: the `Assessment` (verdict and evidence kinds per provision) and the report's data (its figures), with the period,
the rules version and the Code version. Out: the year-on-year change of the self-assessment, the trend over the
stored quarters, and `chc history list|show|diff`. Only what chc's JSON outputs publish is stored, and no case
reference: a history file is as publishable as the reports it remembers.
"""
