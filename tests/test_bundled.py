"""What chc ships and trusts at run time is checked here instead: a run validates only what the user gives it
(checker/load/resources.is_bundled), so these tests are what stands between a broken bundled file and a verdict."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from checker.derive import calendar
from checker.derive.calendar import WorkingCalendar, bank_holidays, from_holidays
from checker.errors import InputError
from checker.load import snapshot
from checker.load.catalogue import load_catalogue
from checker.load.resources import bundled, default_code, is_bundled
from checker.load.rulebook import Rule, load_rulebook
from checker.load.schemas import validate_doc
from checker.load.snapshot import SNAPSHOT
from checker.load.yamlfile import load, parse

CATALOGUES = sorted(p for p in bundled("code_requirements").iterdir() if p.is_dir())


@pytest.mark.parametrize("path", [p for folder in CATALOGUES for p in sorted(folder.glob("*.yaml"))], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_bundled_catalogue_file_validates_against_its_schema(path):
    validate_doc(load(path), "catalogue")


@pytest.mark.parametrize("path", sorted(bundled("rules").glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_rule_file_validates_against_its_schema(path):
    validate_doc(load(path), "rules")


def _as_written(rule: Rule) -> Rule:
    return dataclasses.replace(rule, file=Path(rule.file).name)


def test_the_bundled_rules_pass_every_check_a_users_rules_get_and_load_as_they_do_trusted(tmp_path):
    """A copy is the user's: schema and rule checks run on it, against a copied Code; the trusted load skips them
    and must give the same rules."""
    code, rules = tmp_path / "code", tmp_path / "rules"
    shutil.copytree(default_code(), code)
    shutil.copytree(bundled("rules"), rules)
    assert not is_bundled(code) and not is_bundled(rules) and is_bundled(default_code()) and is_bundled(bundled("rules"))
    checked = load_rulebook([rules], load_catalogue(code))
    trusted = load_rulebook([bundled("rules")], load_catalogue(default_code()))
    assert [_as_written(r) for r in checked.rules] == [_as_written(r) for r in trusted.rules]
    assert checked.attest == trusted.attest and checked.fingerprint == trusted.fingerprint


def test_a_copy_of_the_bundled_rules_is_checked_as_the_users_own(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(bundled("rules"), rules)
    path = rules / "section-1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("scope: policy", "scope: polciy", 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_rulebook([rules], load_catalogue(default_code()))
    assert any(p.file == str(path) and "'polciy'" in p.message for p in caught.value.problems)


def test_the_bundled_rules_read_against_a_users_catalogue_are_checked_against_it(tmp_path):
    """chc's own rules are trusted only with chc's own Code: a catalogue the user gives may lack a provision they name."""
    code = tmp_path / "code"
    shutil.copytree(default_code(), code)
    section = code / "section-1.yaml"
    text = section.read_text(encoding="utf-8")
    section.write_text(text.replace('id: "1.2"', 'id: "1.9"', 1), encoding="utf-8")
    assert "1.2" not in load_catalogue(code).provisions
    with pytest.raises(InputError) as caught:
        load_rulebook([bundled("rules")], load_catalogue(code))
    assert any("unknown provision 1.2" in p.message for p in caught.value.problems)


@pytest.mark.parametrize("years", [(calendar.SHIPPED_YEARS[0], calendar.SHIPPED_YEARS[-1]), (2019, 2029)])
def test_the_shipped_bank_holidays_are_the_holidays_packages(years):
    """bank_holidays.json is holidays' England and Wales list; after an upgrade, `python -m checker.derive.calendar`."""
    assert bank_holidays(*years) == from_holidays(*years)


def test_years_outside_the_shipped_list_come_from_the_holidays_package():
    assert calendar.SHIPPED_YEARS[0] > 1990
    days = WorkingCalendar(1989, 1991).holidays
    assert days == from_holidays(1989, 1991) and {d.year for d in days} == {1989, 1990, 1991}


def test_the_snapshot_of_chcs_own_yaml_is_what_parsing_it_gives_today():
    """checker/load/bundled.snapshot answers a run's loads of the Code, the rules and the inference rules: a file
    changed since is parsed from its YAML at run time (slower, never wrong), and this test asks for the snapshot to
    be written again."""
    assert SNAPSHOT.read_text(encoding="utf-8") == snapshot.render(), "stale: run python -m checker.load.snapshot"


@pytest.mark.parametrize(("shown", "path"), snapshot.sources(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_file_answered_from_the_snapshot_loads_as_its_yaml_parses(shown, path):
    assert snapshot.lookup(load(path).sha256) is not None
    assert load(path) == parse(path)


def test_a_file_changed_since_the_snapshot_is_parsed_from_its_yaml(tmp_path):
    changed = tmp_path / "section-6.yaml"
    changed.write_text((bundled("rules") / "section-6.yaml").read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1),
                       encoding="utf-8")
    doc = load(changed)
    assert snapshot.lookup(doc.sha256) is None
    assert doc.data["rules"][0]["title"].startswith("Changed ")
    assert doc == parse(changed)


def test_the_snapshot_hands_out_a_fresh_copy_each_time():
    """A caller may change the data it is given; the next load must not see it."""
    path = bundled("rules") / "section-1.yaml"
    load(path).data["rules"].clear()
    assert load(path).data["rules"]
