"""Open a history file, check it is chc's and whole, and migrate it to this chc's schema; every write in one transaction.

A file chc cannot use (not SQLite, damaged, another program's database, written by a newer chc, locked by another
writer) is refused with a `HistoryError` naming it, and left exactly as it was: chc never recreates or repairs one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.history.schema import MIGRATIONS, VERSION

BUSY_SECONDS = 2.0  # how long to wait for another writer (another chc run) before giving up


class HistoryError(Exception):
    """A history file chc cannot use: the command line names it and exits 2."""


@dataclass
class History:
    """An open history file, at this chc's schema version."""

    path: Path
    connection: sqlite3.Connection

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """A query's rows, with SQLite's failures (a lock held too long, damage found late) told as a HistoryError."""
        try:
            return self.connection.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise _refusal(self.path, err) from None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken before anything is read for it: all of it is written, or none."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise _refusal(self.path, err) from None
        try:
            yield self.connection
            self.connection.execute("COMMIT")
        except BaseException as err:
            if self.connection.in_transaction:  # SQLite may have rolled back already (a failed COMMIT)
                self.connection.execute("ROLLBACK")
            if isinstance(err, sqlite3.Error):
                raise _refusal(self.path, err) from None
            raise


@contextmanager
def open_history(path: Path, create: bool) -> Iterator[History]:
    """The history file at `path`, checked and migrated; created when absent only if `create` (a run recording into it)."""
    if not path.exists() and not create:
        raise HistoryError(f"{path}: no such history file (record one with --history on chc assess, chc check or chc report)")
    if path.exists() and not path.is_file():
        raise HistoryError(f"{path}: not a history file (it is not a regular file)")
    try:
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as err:
        raise _refusal(path, err) from None
    try:
        history = History(path, connection)
        history.rows("PRAGMA foreign_keys = ON")
        _check(history)
        if _version(history) < VERSION:
            _migrate(history)
        yield history
    finally:
        connection.close()


def _check(history: History) -> None:
    """Refuse a damaged file, another program's database and one from a newer chc, before anything is written."""
    damage = [row[0] for row in history.rows("PRAGMA quick_check")]
    if damage != ["ok"]:
        raise HistoryError(f"{history.path}: the history file is damaged (SQLite's check: {damage[0]}); it was left as it is: "
                           "restore it from a backup, or give another file")
    tables = {row[0] for row in history.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "schema_version" not in tables:
        raise HistoryError(f"{history.path}: an SQLite database, but not a chc history file (it has no schema_version table); "
                           "it was left as it is: give another file")
    version = _version(history)
    if version > VERSION:
        raise HistoryError(f"{history.path}: written by a newer chc (history schema version {version}; this chc reads up to "
                           f"version {VERSION}): upgrade chc to use it; the file was left as it is")


def _version(history: History) -> int:
    """The file's schema version: 0 for a new, empty file."""
    if not history.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"):
        return 0
    versions = history.rows("SELECT version FROM schema_version")
    if len(versions) != 1 or not isinstance(versions[0][0], int):
        raise HistoryError(f"{history.path}: the history file is damaged (its schema_version table does not hold one version); "
                           "it was left as it is")
    return versions[0][0]


def _migrate(history: History) -> None:
    """Bring the file to this chc's schema, in one transaction (re-reading the version inside it: another run may
    have migrated it meanwhile)."""
    with history.write() as connection:
        for migration in MIGRATIONS[_version(history):]:
            for statement in migration:
                connection.execute(statement)
        connection.execute("UPDATE schema_version SET version = ?", (VERSION,))


def _refusal(path: Path, err: sqlite3.Error) -> HistoryError:
    """SQLite's failure as a message naming the file and saying what to do."""
    reason = str(err)
    if "locked" in reason or "busy" in reason:
        return HistoryError(f"{path}: the history file is locked by another program (another chc run?) and stayed locked for "
                            f"{BUSY_SECONDS:g} seconds; try again when it has finished")
    if type(err) is sqlite3.DatabaseError:  # SQLite's own word for a file it cannot read as a database
        return HistoryError(f"{path}: not a chc history file, or a damaged one (SQLite: {reason}); it was left as it is")
    return HistoryError(f"{path}: SQLite could not use the history file ({reason}); it was left as it was")
