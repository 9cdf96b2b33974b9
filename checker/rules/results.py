"""What `chc rules test` prints: a line per case for a person, or JUnit XML for CI (GitLab, Jenkins, Azure DevOps).

The XML is built as checker/render/junit_format.py builds the assessment's: ElementTree escapes every name and
message, nothing carries the wall clock (durations are 0), and a testsuite holds one test file's cases.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from checker.load.register import VISIBLE
from checker.rules.testing import CaseResult

Missing = list[tuple[str, str]]  # (rule id, outcome) that --require-all wants and no file has
NO_SUCH_CASE = "no such case in the test files"
_SHOWN = str.maketrans(VISIBLE)  # a file name may hold control characters, which XML 1.0 cannot


def text(results: list[CaseResult], missing: Missing) -> str:
    """PASS or FAIL, the case and where it is, and why it failed; then MISSING lines and a summary."""
    lines = [f"{'PASS' if r.passed else 'FAIL'} {r.title}  ({r.file}:{r.line})" + (f": {r.mismatch}" if r.mismatch else "")
             for r in results]
    lines += [f"MISSING {rule_id} {expected}  ({NO_SUCH_CASE})" for rule_id, expected in missing]
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed" + (f", {len(missing)} missing" if missing else ""))
    return "\n".join(lines) + "\n"


def junit(results: list[CaseResult], missing: Missing) -> bytes:
    """A testsuite per test file and a testcase per case; the cases --require-all misses fail in a suite of their own."""
    suites: dict[str, list[CaseResult]] = {}
    for r in results:
        suites.setdefault(r.file.translate(_SHOWN), []).append(r)
    failed = sum(not r.passed for r in results) + len(missing)
    root = ET.Element("testsuites", {"name": "chc rules test", **_counts(len(results) + len(missing), failed), "time": "0"})
    for file, cases in suites.items():
        suite = _suite(root, file, len(cases), sum(not r.passed for r in cases))
        for r in cases:
            case = ET.SubElement(suite, "testcase", name=r.title, classname=f"chc.rule-tests.{Path(file).stem}", file=file,
                                 line=str(r.line), time="0")
            if r.mismatch:
                ET.SubElement(case, "failure", message=r.mismatch, type="mismatch").text = f"{r.title} ({file}:{r.line}): {r.mismatch}\n"
    if missing:
        suite = _suite(root, "--require-all", len(missing), len(missing))
        for rule_id, expected in missing:
            case = ET.SubElement(suite, "testcase", name=f"{rule_id} {expected}", classname="chc.rule-tests.require-all", time="0")
            ET.SubElement(case, "failure", message=NO_SUCH_CASE, type="missing").text = \
                f"--require-all wants a {expected} case for {rule_id}, and no test file has one.\n"
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _suite(root: ET.Element, name: str, tests: int, failures: int) -> ET.Element:
    return ET.SubElement(root, "testsuite", {"name": name, **_counts(tests, failures), "time": "0"})


def _counts(tests: int, failures: int) -> dict[str, str]:
    return {"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": "0"}
