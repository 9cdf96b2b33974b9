"""Column mapping: read a landlord's own export ("Ref No", "Date Received", its own outcome words) as it is."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from anyascii import anyascii

from checker.errors import InputError, Problem
from checker.load.schemas import validate_doc
from checker.load.yamlfile import YamlDoc, load

# a heading is read word by word, after NFKC and folding look-alike letters to ASCII (a Cyrillic а reads as a),
# split on separators and case changes (ResidentName is resident, name): a word of PERSONAL_WORDS names personal
# data or free text wherever it stands; a PERSON_WORD does alone ("Tenant") or with a DETAIL_WORD ("Contact
# Details"), but not with a word that makes it a category ("Tenant Type", "Contact Type", "Customer Ref")
PERSONAL_WORDS = {"name", "names", "surname", "forename", "forenames", "firstname", "lastname", "fullname", "address",
                  "addr", "postcode", "email", "mail", "phone", "telephone", "tel", "mobile", "notes", "note", "description",
                  "comments", "comment", "narrative", "summary", "dob", "birth", "nino", "ni", "insurance"}
PERSON_WORDS = {"resident", "residents", "tenant", "tenants", "customer", "cust", "complainant", "occupant", "person",
                "contact", "applicant", "client", "household"}
DETAIL_WORDS = {"details", "detail", "info", "information", "full", "first", "last", "given", "family"}


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
            lookup = {spelling: _word(v) for k, v in words.items() for spelling in _spellings(k)}
            original = cells[col].cast(pl.Utf8)
            cells[col] = original.str.strip_chars().str.to_lowercase().replace_strict(lookup, default=original).rename(col)
        return cells


# YAML reads y, yes, true and on (and n, no, false, off) as booleans: a key written so stands for all its spellings
YAML_TRUE, YAML_FALSE = ("y", "yes", "true", "on"), ("n", "no", "false", "off")


def _spellings(key: object) -> tuple[str, ...]:
    if isinstance(key, bool):
        return YAML_TRUE if key else YAML_FALSE
    return (str(key).strip().lower(),)


def _word(value: object) -> str:
    """A contract word; a YAML boolean written for a yes/no column is that word."""
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _personal(heading: str) -> bool:
    """A heading that names a resident's personal details or free text (resident name, address, e-mail, notes...)."""
    words = heading_words(heading)
    if words & PERSONAL_WORDS:
        return True
    return bool(words & PERSON_WORDS) and words <= PERSON_WORDS | DETAIL_WORDS


def heading_words(heading: str) -> set[str]:
    """The words of a heading as a person reads them: NFKC, look-alike letters folded to ASCII, split on case changes."""
    text = anyascii(unicodedata.normalize("NFKC", heading))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return set(re.findall(r"[a-z]+", text.lower()))


def load_mapping(path: Path) -> Mapping:
    doc = load(path)
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, "a column mapping is a mapping with 'columns' and 'values'")])
    validate_doc(doc, "mapping")
    return Mapping(doc)
