"""`chc mapping suggest`: a column mapping written from an export's own headings and words.

Each contract column is matched to a heading (rapidfuzz, against the words housing systems use:
checker/load/synonyms.yaml), each word of a coded column to a contract word, and a wide export's stage 2 columns
are put under `stage2:`. Every line says how sure it is; a match that is not sure is written commented out with
TODO, so that the mapping never reads a column or a word as something it may not be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from rapidfuzz import fuzz, process, utils

from checker.load import headers
from checker.load.mapping import personal_heading
from checker.load.register import STAGE_COLUMNS, YES_NO, contract, looks_personal, read_raw
from checker.load.schemas import schema, validator

SYNONYMS = Path(__file__).parent / "synonyms.yaml"
SURE = 90  # a match at least this close (rapidfuzz's 0-100) is written as a mapping line
CLOSE = 70  # one at least this close is proposed, commented out, with TODO
CODED_MAX = 40  # a coded column holds a few words; more distinct values than this and it is not one
Target = tuple[str, str]  # ("columns" or "stage2", contract column)


@cache
def synonyms() -> dict[str, Any]:
    """The words housing systems use, checked against their schema once."""
    words = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8"))
    validator("synonyms").validate(words)
    return words


@dataclass
class Entry:
    """One line of the mapping: a key with its value, or a section holding entries; `live` lines are real YAML,
    the others are written commented out."""

    key: object
    value: object = None
    note: str = ""
    live: bool = True
    entries: list[Entry] | None = None

    def lines(self, depth: int = 0) -> list[str]:
        pad = "  " * depth
        if self.entries is not None:
            live = any(e.live for e in self.entries)
            head = f"{pad}{'' if live else '# '}{_scalar(self.key)}:" + (f"  # {self.note}" if self.note else "")
            return [head, *(line for e in self.entries for line in e.lines(depth + 1))]
        text = f"{_scalar(self.key)}:" + (f" {_scalar(self.value)}" if self.value is not None else "")
        return [f"{pad}{'' if self.live else '# '}{text}  # {self.note}"]


@dataclass
class Suggestion:
    """The mapping as text, and what standard error says about it."""

    text: str
    notes: list[str] = field(default_factory=list)


def suggest(path: Path, sheet: str | None, header_row: int | None, encoding: str | None = None) -> Suggestion:
    """Read the export's headings and coded words, and write the mapping that reads them."""
    frame, first_row, _, read_notes = read_raw(path, sheet, _expected(), header_row, encoding)
    found = [h for h in frame.columns if not h.startswith("__UNNAMED__") and h.strip()]
    refused = [h for h in found if personal_heading(h) or looks_personal(h)]
    matches = Matches(_match([h for h in found if h not in refused]))
    matches.odd_words = {t for t in matches.found if t[1] in _coded() and _odd_words(t[1], _words(frame, [matches.found[t][0]]))}
    columns = [_column_entry(("columns", col), matches) for col in contract()]
    stage2 = [_column_entry(("stage2", col), matches) for col in STAGE_COLUMNS
              if ("stage2", col) in matches.found or (matches.wide and matches.live(("columns", col)))]
    values = [entry for col in _coded() if (entry := _values_entry(col, frame, matches)) is not None]
    where = path.name + (f", sheet '{sheet}'" if sheet else "") + (f", headings on row {first_row - 1}" if first_row > 1 else "")
    top = [f"# Column mapping for {where}, written by chc mapping suggest.",
           "# Each line says how sure the match is; one marked TODO is commented out until you decide it."]
    body = [Entry("columns", note="contract column: the export's heading", entries=columns)]
    if stage2:
        note = "a wide export's stage 2 columns" if matches.wide else "TODO: no stage 2 received date found, which a stage2 section needs"
        body.append(Entry("stage2", note=note, entries=stage2))
    if values:
        body.append(Entry("values", note="contract column: {the export's word: contract word}", entries=values))
    lines = top + [line for entry in body for line in entry.lines()]
    used = {heading for heading, _, _ in matches.found.values()}
    if refused:
        lines.append(f"# Left out, as they name personal data (chc never reads them): {_shown(refused)}")
    unread = [h for h in found if h not in used and h not in refused]
    if unread:
        lines.append(f"# Not matched to any contract column: {_shown(unread)}")
    sure = sum(e.live for e in columns + stage2)
    unsure = sum(not e.live and e.value is not None for e in columns + stage2)
    notes = [str(p) for p in read_notes + (headers.rows_above(str(path), first_row - 1) if header_row is None else [])]
    notes.append(f"{path}: {sure} column{'s' * (sure != 1)} matched" + (f", {unsure} to check (TODO)" if unsure else ""))
    return Suggestion("\n".join(lines) + "\n", notes)


def _expected() -> headers.Expected:
    """Every heading the synonyms know marks the header row; none is needed."""
    words = synonyms()
    known = [h for section in ("headings", "stage2_headings") for hs in words[section].values() for h in hs]
    return headers.Expected(frozenset(map(headers.normal, [*known, *contract()])))


def _coded() -> list[str]:
    return schema("mapping")["properties"]["values"]["propertyNames"]["enum"]


def _plain(text: str) -> str:
    """Lowercase words and digits, single-spaced: how words are compared."""
    return " ".join(utils.default_process(text).split())


def _heading(text: str) -> str:
    """A heading as it is compared: plain, without the words that say nothing of the column ("Date Complaint
    Received" is "date received")."""
    filler = set(synonyms()["filler_words"])
    return " ".join(w for w in _plain(text).split() if w not in filler)


def _stage(heading: str) -> tuple[str | None, str]:
    """The stage a heading's words name, wherever they stand ("Stage 2 Received": "2", "received"), and the rest."""
    text = _heading(heading)
    for stage, marks in synonyms()["stage_words"].items():
        for mark in map(_plain, marks):
            found = re.search(rf"(^| ){re.escape(mark)}( |$)", text)
            if found:
                return stage, " ".join((text[:found.start()] + " " + text[found.end():]).split())
    return None, text


@cache
def _candidates() -> dict[str, dict[Target, list[str]]]:
    """The headings each target is known by: `plain` (its name, its x-label, the synonyms) and `escalation` (the
    headings naming a stage 2 column without saying so)."""
    words = synonyms()
    plain = {col: [col.replace("_", " "), spec.get("x-label", col), *words["headings"].get(col, [])]
             for col, spec in contract().items()}
    return {"columns": {("columns", col): names for col, names in plain.items()},
            "stage2": {("stage2", col): plain[col] + words["stage2_headings"].get(col, []) for col in STAGE_COLUMNS},
            "escalation": {("stage2", col): names for col, names in words["stage2_headings"].items()}}


def _best(text: str, names: list[str]) -> tuple[int, bool]:
    """How close text is to the nearest name (0-100, word order ignored), and whether it is that name exactly."""
    if not text:
        return 0, False
    _, score, _ = process.extractOne(text, names, scorer=fuzz.token_sort_ratio, processor=_heading)
    return round(score), _heading(text) in map(_heading, names)


def _scores(heading: str) -> Iterable[tuple[Target, int, bool]]:
    """Each target a heading could be, with its score: a heading naming stage 2 is only a stage 2 column; one naming
    stage 1 is read without the stage's words too, for the columns a stage has."""
    stage, rest = _stage(heading)
    candidates = _candidates()
    if stage == "2":
        for target, names in candidates["stage2"].items():
            yield (target, *_best(rest, names))
        return
    for target, names in candidates["columns"].items():
        whole = _best(heading, names)
        yield (target, *(max(whole, _best(rest, names)) if stage == "1" and target[1] in STAGE_COLUMNS else whole))
    if stage is None:  # a heading that does not say "stage 2" is proposed as one only when it surely names it
        for target, names in candidates["escalation"].items():
            score, exact = _best(heading, names)
            if score >= SURE:
                yield target, score, exact


def _match(found: list[str]) -> dict[Target, tuple[str, int, bool]]:
    """Each target's heading, closest pairs first, each heading used once: target → (heading, score, exact)."""
    order = {target: i for i, target in enumerate((*_candidates()["columns"], *_candidates()["stage2"]))}
    pairs = sorted(((score, exact, target, heading) for i, heading in enumerate(found)
                    for target, score, exact in _scores(heading) if score >= CLOSE),
                   key=lambda p: (-p[0], not p[1], order[p[2]], found.index(p[3])))
    matches: dict[Target, tuple[str, int, bool]] = {}
    used: set[str] = set()
    for score, exact, target, heading in pairs:
        if target not in matches and heading not in used:
            matches[target] = (heading, score, exact)
            used.add(heading)
    return matches


@dataclass
class Matches:
    """Each target's heading (target → (heading, score, exact)), and what decides which are mapped for real."""

    found: dict[Target, tuple[str, int, bool]]
    odd_words: set[Target] = field(default_factory=set)  # coded columns whose words are mostly not chc's

    @property
    def wide(self) -> bool:
        """A wide export: one row per complaint, its stage 2 received date in a column of its own."""
        return self.found.get(("stage2", "received_date"), ("", 0, False))[1] >= SURE

    def live(self, target: Target) -> bool:
        """Mapped for real: a sure match, of words chc reads, and in a wide export not the stage (each row is then
        stage 1, its stage 2 in the stage2 columns)."""
        if target not in self.found or self.found[target][1] < SURE or target in self.odd_words:
            return False
        return not (self.wide and target == ("columns", "stage")) and (target[0] == "columns" or self.wide)


def _column_entry(target: Target, matches: Matches) -> Entry:
    if target not in matches.found:
        return Entry(target[1], note="TODO: no heading found", live=False)
    heading, score, exact = matches.found[target]
    sureness = "exact" if exact else f"{score}% match"
    if matches.live(target):
        return Entry(target[1], heading, sureness)
    if score < SURE:
        why = "check it"
    elif target in matches.odd_words:
        why = f"but most of its words are not {target[1]} words: check it"
    elif matches.wide:
        why = "but in a wide export each row is a stage 1 complaint, its stage 2 read from the stage2 columns"
    else:
        why = "but a stage2 section needs the stage 2 received date"
    return Entry(target[1], heading, f"TODO: {sureness}, {why}", live=False)


def _words(frame: pl.DataFrame, held: list[str]) -> list[str]:
    """The distinct words of some columns, in the order they sort (so that the mapping is the same on every run)."""
    cells = pl.concat([frame[h] for h in held]).cast(pl.Utf8).str.strip_chars()
    return sorted(set(cells.filter(cells.str.len_chars() > 0).drop_nulls().to_list()), key=lambda w: (_plain(w), w))


def _own(col: str) -> set[str]:
    """The words chc reads in a coded column as they are (any case)."""
    spec = contract()[col]
    return {str(v).lower() for v in spec["enum"]} | (set(YES_NO) if spec["enum"] == ["yes", "no"] else set())


def _odd_words(col: str, words: list[str]) -> bool:
    """Whether most of a column's words are neither chc's own nor surely one of its words: a heading that reads like
    the column but holds something else ("Complaint Type" holding Repairs and Estates)."""
    if len(words) > CODED_MAX:  # free text, not a coded column: no word need be matched to tell
        return True
    own = _own(col)
    return 2 * sum(w.lower() in own or _value_entry(col, w).live for w in words) < len(words)


def _values_entry(col: str, frame: pl.DataFrame, matches: Matches) -> Entry | None:
    """The export's words for a coded column (stage 2's too) that chc does not read as they are, each mapped."""
    held = [matches.found[t][0] for t in (("columns", col), ("stage2", col)) if matches.live(t)]
    if not held:
        return None
    entries = [_value_entry(col, word) for word in _words(frame, held) if word.lower() not in _own(col)]
    return Entry(col, note="the export's words that are not chc's own", entries=entries) if entries else None


def _value_entry(col: str, word: str) -> Entry:
    spec = contract()[col]
    choices = [*map(str, spec["enum"]), *(["ignore"] if col == "contact_type" else [])]
    if looks_personal(word):
        return Entry("(left out)", note="TODO: a word like personal data, left out", live=False)
    known = [(contract_word, name) for contract_word, names in synonyms()["values"].get(col, {}).items()
             for name in [contract_word.replace("_", " "), *names]]
    name, score, i = process.extractOne(word, [n for _, n in known], scorer=fuzz.ratio, processor=_plain)
    contract_word: object = known[i][0]
    if spec.get("type") == "integer":
        contract_word = int(str(contract_word))
    score = round(score)
    if _plain(name) == _plain(word):
        return Entry(word, contract_word, "exact")
    if score >= SURE:
        return Entry(word, contract_word, f"{score}% match")
    if score >= CLOSE:
        return Entry(word, contract_word, f"TODO: {score}% like '{name}', check it", live=False)
    return Entry(word, note=f"TODO: not a word chc knows for {col}; write one of {', '.join(choices)}", live=False)


def _scalar(value: object) -> str:
    """A key or value as YAML writes it (quoted where YAML would read it otherwise: 'Yes', '2', 'a: b')."""
    text = str(value)
    style = '"' if re.search(r"[\x00-\x1f\x7f-\x9f]", text) else None
    return yaml.safe_dump([value], default_flow_style=True, default_style=style, allow_unicode=True,
                          width=float("inf"))[1:-2]


def _shown(headings: list[str]) -> str:
    return ", ".join("(a heading like personal data)" if looks_personal(h) else h for h in headings)
