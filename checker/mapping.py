"""Column mapping: read a landlord's own export ("Ref No", "Date Received", its own outcome words) as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from checker.errors import InputError, Problem
from checker.schemas import validate_doc
from checker.yamlfile import YamlDoc, load

PERSONAL_WORDS = {"address", "postcode", "email", "mail", "phone", "telephone", "mobile", "tel", "notes", "note",
                  "description", "details", "comments", "comment", "narrative", "summary", "dob", "birth", "surname",
                  "forename", "firstname", "lastname", "nino"}
PERSON_WORDS = {"resident", "tenant", "customer", "complainant", "contact", "full", "first", "last", "given", "family", "person"}


@dataclass
class Mapping:
    doc: YamlDoc

    @property
    def columns(self) -> dict[str, str]:
        return self.doc.data.get("columns", {})

    @property
    def values(self) -> dict[str, dict[str, object]]:
        return self.doc.data.get("values", {})

    def apply(self, raw: pl.DataFrame, source: str) -> pl.DataFrame:
        """Rename the export's headings to contract names; a mapped heading missing from the file is an error."""
        absent = [(col, heading) for col, heading in self.columns.items() if heading not in raw.columns]
        if absent:
            raise InputError([
                self.doc.problem(("columns", col), f"maps {col} to '{heading}', but {source} has no such column")
                for col, heading in absent
            ])
        personal = [(col, heading) for col, heading in self.columns.items() if _personal(heading)]
        if personal:
            raise InputError([
                self.doc.problem(("columns", col), f"maps {col} to '{heading}', which names personal data; chc never reads it")
                for col, heading in personal
            ])
        used = set(self.columns.values()) | set(self.columns)
        return raw.select(*[pl.col(heading).alias(col) for col, heading in self.columns.items()],
                          *[c for c in raw.columns if c not in used])

    def translate_values(self, cells: dict[str, pl.Series]) -> dict[str, pl.Series]:
        """Replace the export's words with contract words, matching after trimming and ignoring case."""
        for col, words in self.values.items():
            lookup = {str(k).strip().lower(): str(v) for k, v in words.items()}
            original = cells[col].cast(pl.Utf8)
            cells[col] = original.str.strip_chars().str.to_lowercase().replace_strict(lookup, default=original).rename(col)
        return cells


def _personal(heading: str) -> bool:
    """A heading that names a resident's personal details or free text (resident name, address, e-mail, notes...)."""
    words = set(re.findall(r"[a-z]+", heading.lower()))
    return bool(words & PERSONAL_WORDS) or ("name" in words and bool(words & PERSON_WORDS))


def load_mapping(path: Path) -> Mapping:
    doc = load(path)
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, "a column mapping is a mapping with 'columns' and 'values'")])
    validate_doc(doc, "mapping")
    return Mapping(doc)
