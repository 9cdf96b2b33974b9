"""Keys that are what they look like: in every YAML file chc reads, a key written as a number is the text written (6.10
is not the float 6.1), and a number where text belongs is refused with the quotes that fix it. (The messages for a
policy, a rule file and a waivers file are in tests/corpus.)"""

from __future__ import annotations

import pytest

from checker.errors import InputError
from checker.load.mapping import load_mapping
from checker.load.register import load_register
from checker.load.schemas import validate_doc
from checker.load.yamlfile import load


def test_a_key_written_as_a_number_is_the_text_written(tmp_path):
    path = tmp_path / "file.yaml"
    path.write_text("attest:\n  6.1: a\n  6.10: b\n  01: c\n  1_000: d\n  .5: e\nvalue: 6.10\nyes: true\n")
    doc = load(path)
    assert doc.data["attest"] == {"6.1": "a", "6.10": "b", "01": "c", "1_000": "d", ".5": "e"}
    assert doc.line(("attest", "6.10")) == 3 and doc.line(("attest", "1_000")) == 5
    assert doc.data["value"] == 6.1 and doc.numbers[("value",)] == "6.10"  # a value stays a number, its text kept
    assert doc.data[True] is True  # yes/no keys stay YAML's booleans: a mapping reads them as all their spellings


def test_a_number_key_and_the_same_text_quoted_are_one_key_given_twice(tmp_path):
    path = tmp_path / "file.yaml"
    path.write_text("attest:\n  6.1: a\n  '6.1': b\n")
    with pytest.raises(InputError) as err:
        load(path)
    assert [str(p) for p in err.value.problems] == [f"{path}:3:attest.6.1: duplicate key '6.1' (first at line 2)"]


def test_a_number_in_a_rule_s_provisions_is_refused_with_its_quotes(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("rules:\n  - id: HDC-LOCAL-6.10\n    provisions: [6.10, '6.2']\n")
    with pytest.raises(InputError) as err:
        validate_doc(load(path), "rules")
    assert f"{path}:3:rules.0.provisions.0: 6.10 is a number to YAML, not text: write '6.10' in quotes" in map(str, err.value.problems)


def test_a_mapping_reads_an_export_code_written_as_a_number_as_written(tmp_path):
    """An export that codes its outcomes 1.10 and 1.20: YAML's floats 1.1 and 1.2 matched neither."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {outcome: Outcome code}\nvalues: {outcome: {1.10: upheld, 1.20: not_upheld}}\n")
    register = tmp_path / "register.csv"
    register.write_text("case_id,contact_type,stage,received_date,Outcome code\nA1,complaint,1,2024-05-07,1.10\nA2,complaint,1,2024-05-08,1.20\n")
    assert load_register(register, load_mapping(mapping)).frame["outcome"].to_list() == ["upheld", "not_upheld"]
