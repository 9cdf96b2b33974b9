"""The terminal: the assessment table and `chc rules list` fit the terminal's width, 80 columns included; an
--output says what it wrote; `chc rules show 2.3` lists the rules of provision 2.3."""

from __future__ import annotations

import re

import pytest

from conftest import EXAMPLE_ARGS, STAMP, chc


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_the_assessment_table_fits_the_terminal(columns):
    out = chc("assess", *EXAMPLE_ARGS, env={"COLUMNS": str(columns)})
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert max(len(line) for line in lines) >= columns - 4, "the table uses the width it is given"
    ids = [m.group(1) for line in lines if (m := re.match(r"│ (\d\.\d+) +│", line))]
    assert len(ids) == 72


def test_each_output_written_is_named_on_stderr(tmp_path):
    files = [tmp_path / "appendix1.docx", tmp_path / "assessment.json"]
    out = chc("assess", *EXAMPLE_ARGS, *STAMP, "--output", files[0], "--output", files[1])
    assert out.exit_code == 0, out.output
    written = [line for line in out.stderr.splitlines() if line.startswith("chc: wrote ")]
    assert [line.split(" (")[0] for line in written] == [f"chc: wrote {f}" for f in files]
    assert all(f.stat().st_size > 0 for f in files)
    assert out.stdout == ""


@pytest.mark.parametrize("columns", [80, 120])
def test_rules_list_shows_ids_provisions_scope_and_title_without_paths(columns):
    out = chc("rules", "list", env={"COLUMNS": str(columns)})
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["Rule", "Provisions", "Scope", "Title"]
    assert max(map(len, lines)) <= columns
    assert ".yaml" not in out.stdout and "/" not in out.stdout
    assert re.search(r"^CHC-6\.3-S1-RESPONDED +6\.3 +case +Stage 1", out.stdout, re.M)


def test_rules_show_a_provision_lists_its_rules():
    out = chc("rules", "show", "2.3", env={"COLUMNS": "120"})
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("Provision 2.3: Accept complaints within 12 months")
    listed = re.findall(r"^(CHC-\S+) +2\.3 ", out.stdout, re.M)
    assert listed == ["CHC-2.3-TIME-LIMIT", "CHC-2.3-DISCRETION", "CHC-2.3-NO-EARLY-OUT-OF-TIME", "CHC-2.3-DISCRETION-CONSIDERED"]
    assert out.stdout.rstrip().endswith("4 rules")
    single = chc("rules", "show", "CHC-2.3-TIME-LIMIT")
    assert single.exit_code == 0 and single.stdout.startswith("CHC-2.3-TIME-LIMIT: ")
