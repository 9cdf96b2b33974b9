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
# split on separators and case changes (ResidentName is resident, name). A PERSONAL phrase (name, address,
# postcode, email, phone, telephone, mobile, notes, comments, description, date of birth, national insurance,
# with their plurals and common short forms) names personal data or free text wherever it stands, as whole words:
# "HO Details Given" and "Home Insurance Claim" pass. A PERSON_WORD does alone ("Tenant") or with a DETAIL_WORD
# ("Contact Details"), but not with a word that makes it a category ("Tenant Type", "Contact Type", "Customer Ref").
PERSONAL = {(w,) for w in ("name", "names", "surname", "forename", "forenames", "firstname", "lastname", "fullname",
                          "address", "addresses", "addr", "postcode", "postcodes", "email", "emails", "phone", "phones",
                          "telephone", "telephones", "tel", "mobile", "mobiles", "notes", "note", "comments", "comment",
                          "description", "descriptions", "dob", "nino")} | \
    {("post", "code"), ("e", "mail"), ("date", "of", "birth"), ("national", "insurance"), ("ni", "number"), ("ni", "no")}
PERSON_WORDS = {"resident", "residents", "tenant", "tenants", "customer", "cust", "complainant", "occupant", "person",
                "contact", "applicant", "client", "household"}
DETAIL_WORDS = {"details", "detail", "info", "information", "full", "first", "last", "given", "family"}


@dataclass
class Mapping:
    """A mapping file: the export's headings and words for chc's contract, as the user wrote them."""

    doc: YamlDoc

    @property
    def columns(self) -> dict[str, str]:
        return self.doc.data.get("columns", {})

    @property
    def values(self) -> dict[str, dict[str, object]]:
        return self.doc.data.get("values", {})

    @property
    def stage2(self) -> dict[str, str]:
        """A wide export's stage 2 columns: contract column → heading (read as `stage2.<column>`)."""
        return self.doc.data.get("stage2", {})

    def headings(self) -> dict[tuple[str, str], str]:
        """Every heading the mapping reads, by its place in the mapping (("columns", "case_id"), ("stage2", "outcome"))."""
        return {**{("columns", col): h for col, h in self.columns.items()}, **{("stage2", col): h for col, h in self.stage2.items()}}

    def apply(self, raw: pl.DataFrame, source: str) -> pl.DataFrame:
        """Rename the export's headings to contract names (a stage 2 column to `stage2.<column>`); a mapped heading
        missing from the file, or one naming personal data, is an error."""
        headings = self.headings()
        absent = [(place, heading) for place, heading in headings.items() if heading not in raw.columns]
        if absent:
            raise InputError([self.doc.problem(place, f"maps {_name(place)} to '{heading}', but {source} has no such column")
                              for place, heading in absent])
        personal = [(place, heading) for place, heading in headings.items() if personal_heading(heading)]
        if personal:
            raise InputError([self.doc.problem(place, f"maps {_name(place)} to '{heading}', which names personal data; chc never reads it")
                              for place, heading in personal])
        used = set(headings.values()) | {_name(place) for place in headings}
        return raw.select(*[pl.col(heading).alias(_name(place)) for place, heading in headings.items()],
                          *[c for c in raw.columns if c not in used])

    def translate_values(self, cells: dict[str, pl.Series]) -> dict[str, pl.Series]:
        """Replace the export's words with contract words, matching after trimming and ignoring case; a column's
        words apply to its stage 2 column too."""
        for col, words in self.values.items():
            lookup = {spelling: _word(v) for k, v in words.items() for spelling in _spellings(k)}
            for name in (col, f"{STAGE2}{col}"):
                if name in cells:
                    original = cells[name].cast(pl.Utf8)
                    cells[name] = original.str.strip_chars().str.to_lowercase().replace_strict(lookup, default=original).rename(name)
        return cells


STAGE2 = "stage2."  # the prefix of a wide export's stage 2 columns once mapped


def _name(place: tuple[str, str]) -> str:
    """The column a mapped heading becomes: the contract column, or `stage2.<column>`."""
    section, col = place
    return f"{STAGE2}{col}" if section == "stage2" else col


# YAML reads y, yes, true and on (and n, no, false, off) as booleans: a key written so stands for all its spellings
YAML_TRUE, YAML_FALSE = ("y", "yes", "true", "on"), ("n", "no", "false", "off")


def _spellings(key: object) -> tuple[str, ...]:
    if isinstance(key, bool):
        return YAML_TRUE if key else YAML_FALSE
    return (str(key).strip().lower(),)


def _word(value: object) -> str:
    """A contract word; a YAML boolean written for a yes/no column is that word."""
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def personal_heading(heading: str) -> bool:
    """A heading that names a resident's personal details or free text (resident name, address, e-mail, notes...)."""
    words = heading_words(heading)
    if any(tuple(words[i:i + len(phrase)]) == phrase for phrase in PERSONAL for i in range(len(words))):
        return True
    return bool(set(words) & PERSON_WORDS) and set(words) <= PERSON_WORDS | DETAIL_WORDS


def heading_words(heading: str) -> list[str]:
    """The words of a heading as a person reads them, in order: NFKC, look-alike letters folded to ASCII, split on
    case changes."""
    text = anyascii(unicodedata.normalize("NFKC", heading))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return re.findall(r"[a-z]+", text.lower())


def load_mapping(path: Path) -> Mapping:
    doc = load(path)
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, "a column mapping is a mapping with 'columns' and 'values'")])
    validate_doc(doc, "mapping")
    return Mapping(doc)
