"""The corpus of malformed inputs (tests/corpus/cases.yaml): each gives exactly its messages and exit status, and no output."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from checker.load.resources import bundled
from cli import main
from conftest import EXAMPLE

CORPUS = Path(__file__).parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
PATH_OPTIONS = ("--register", "--policy", "--mapping", "--rules", "--waivers")

sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402  (tests/corpus is on the path only from here)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus.build(folder)
    return folder


def _resolve(value: str, generated: Path) -> Path:
    if value.startswith("{example}/"):
        return EXAMPLE / value.removeprefix("{example}/")
    made = generated / value
    return made if made.exists() else CORPUS / value


def test_every_case_has_its_input_and_a_unique_id(generated):
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        args = case["args"]
        for option, value in itertools.pairwise(args):
            if option in PATH_OPTIONS:
                assert _resolve(value, generated).exists(), f"{case['id']}: {value}"


def _fill(line: str, names: dict[str, str]) -> str:
    for name, value in names.items():
        line = line.replace("{" + name + "}", value)
    return line


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(strict=True, reason=c["xfail"])] if "xfail" in c else [])
    for c in CASES
])
def test_case(case, generated, tmp_path):
    args, names = [], {"bundled_rules": str(bundled("rules")), "example": str(EXAMPLE)}
    for i, arg in enumerate(case["args"]):
        if i and case["args"][i - 1] in PATH_OPTIONS:
            arg = str(_resolve(arg, generated))
            option = case["args"][i - 1][2:]
            names.setdefault(option, arg)
            if not case["args"][i].startswith("{example}"):
                names.setdefault("path", arg)
        args.append(arg)
    if "--policy" not in args:
        args = ["--policy", str(EXAMPLE / "policy.yaml"), *args]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    output = out_dir / "assessment.json"

    result = CliRunner().invoke(main, ["assess", "--period", "2024-25", "--output", str(output), *args])

    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    expected = [_fill(line, names) for line in case["stderr"]]
    wrote = [line for line in result.stderr.splitlines() if line.startswith(f"chc: wrote {output} (")]
    assert [line for line in result.stderr.splitlines() if line not in wrote] == expected
    assert len(wrote) == (case["status"] == 0), "a run that wrote its output says so once; one that failed wrote nothing"
    assert result.exit_code == case["status"]
    for text in ["Traceback", *case.get("not_expected", [])]:
        assert text not in result.output
    if case["status"] == 0:
        assert [p.name for p in out_dir.iterdir()] == ["assessment.json"]
    else:
        assert list(out_dir.iterdir()) == [], "a failed run wrote a file"
