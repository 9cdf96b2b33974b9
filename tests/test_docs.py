"""The CI jobs in docs/ci.md run as written: every `chc` command in them, against the bundled example."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from cli import main
from conftest import EXAMPLE, ROOT

DOC = ROOT / "docs" / "ci.md"


def _commands() -> list[str]:
    text = DOC.read_text().replace("\\\n", " ")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    found = []
    for block in blocks:
        for line in block.splitlines():
            line = re.sub(r"^\s*(- )?(run: )?", "", line)
            if line.startswith("chc "):
                found.append(line.split(" || ")[0])
    return found


def test_the_docs_show_check_and_diff_for_github_and_gitlab():
    commands = _commands()
    assert sum(c.startswith("chc check") for c in commands) == 2
    assert sum(c.startswith("chc diff") for c in commands) == 2


@pytest.mark.parametrize("command", _commands())
def test_each_documented_command_runs(command, tmp_path, monkeypatch):
    (tmp_path / "complaints").mkdir()
    shutil.copy(EXAMPLE / "policy.yaml", tmp_path / "complaints" / "policy.yaml")
    shutil.copy(EXAMPLE / "waivers.yaml", tmp_path / "complaints" / "waivers.yaml")
    shutil.copy(EXAMPLE / "policy.yaml", tmp_path / "policy-base.yaml")
    monkeypatch.chdir(tmp_path)
    args = shlex.split(command)[1:]
    out = CliRunner().invoke(main, args)
    assert isinstance(out.exception, (SystemExit, type(None))), out.exception  # an error in chc is not a verdict
    assert out.exit_code in (0, 1), out.output  # 1: the example council does not meet 9.7
    for i, arg in enumerate(args):
        if arg == "--output":
            assert (tmp_path / args[i + 1]).stat().st_size > 0


def test_schemas_that_name_register_columns_name_exactly_the_contracts():
    """The mapping and rule-test schemas list the register's columns for their messages; they must not drift from it."""
    import json

    from checker.load.register import contract

    for name, path in (("mapping", ("properties", "columns", "propertyNames", "enum")), ("ruletest", ("$defs", "column", "enum"))):
        node = json.loads((ROOT / "checker" / "load" / "schemas" / f"{name}.schema.json").read_text())
        for key in path:
            node = node[key]
        assert node == list(contract()), name
