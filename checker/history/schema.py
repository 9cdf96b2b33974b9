"""The history file's schema, as the SQL that builds it: migration N brings a file from version N-1 to N.

A file records its version in `schema_version`; chc migrates an older file forward in one transaction and refuses
a newer one (written by a later chc), never guessing at tables it does not know.
"""

from __future__ import annotations

# Each run kept: an assessment's verdicts (kind 'assessment') or a report's figures (kind 'figures') for one period.
# The key is what a re-run replaces: the same kind of record for the same period under the same rules and Code
# versions (figures depend on no rule, so their rules_version is ''). input_fingerprint tells a re-run from other
# inputs apart, without being part of the key: the latest run of a period is its record.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version (version) VALUES (0)",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('assessment', 'figures')),
            landlord TEXT NOT NULL,
            period_label TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            as_of TEXT NOT NULL,
            rules_version TEXT NOT NULL,
            code_id TEXT NOT NULL,
            code_version TEXT NOT NULL,
            chc_version TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            register_source TEXT NOT NULL,
            input_fingerprint TEXT NOT NULL,
            UNIQUE (kind, period_label, rules_version, code_version)
        )""",
        """CREATE TABLE verdicts (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            provision TEXT NOT NULL,
            status TEXT NOT NULL,
            evidence_kinds TEXT NOT NULL,
            PRIMARY KEY (run_id, provision)
        )""",
        """CREATE TABLE figures (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value NUMERIC NOT NULL,
            PRIMARY KEY (run_id, name)
        )""",
    ),
)
VERSION = len(MIGRATIONS)
