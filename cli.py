"""The `chc` command line.

Exit status, one meaning each (docs/ci.md): 0 ran (for `check`, passed); 1 ran, and `check` failed or `diff`
found a provision broken; 2 bad input or usage (every problem printed as file:row:field: message), or an
output that could not be written; 3 an internal error, in one line (the traceback with --debug or CHC_DEBUG=1).
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from checker import __version__
from checker.errors import InputError, grouped, in_order, os_reason
from checker.render.formats import BINARY, FORMATS, GATEABLE, REPORT_FORMATS, Context, Gate, format_for, render, render_report
from checker.verdict.engine_errors import EngineError

if TYPE_CHECKING:
    from checker.load.policy import Policy

MAX_PROBLEMS_SHOWN = 200


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    from checker.derive.dates import parse_date

    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    return day


def _period(ctx: click.Context, param: click.Parameter, value: str):
    from checker.derive.period import parse_period

    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


STAMP_RANGE = (dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc))


def _timestamp(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--generated-at: kept on the context for _generated_at(); a stamp only, it never moves the as-of date."""
    if value is None:
        return
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        stamp = None
    if stamp is None or not STAMP_RANGE[0] <= stamp <= STAMP_RANGE[1]:
        raise click.BadParameter(f"'{value}' is not a date and time from 1970 to 9999 (e.g. 2025-05-01T09:00:00Z)")
    ctx.meta["chc.generated_at"] = stamp


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--version: chc's version and the verdict engine this installation uses."""
    if not value or ctx.resilient_parsing:
        return
    from checker.verdict import engine

    click.echo(f"chc {__version__} (Python {sys.version.split()[0]}; verdict engine: {engine.describe()})")
    ctx.exit()


class _Chc(click.Group):
    """chc's commands, with one guarantee for all of them: nothing ends in a traceback, and nothing but a finding
    about the Code exits 1. A failure of chc itself exits 3 with one line (the traceback with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (`chc ... | head`): stop quietly, as Unix tools do
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (so that the exit's own flush cannot fail again)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("chc: interrupted", err=True)
            sys.exit(130)
        except BaseException as err:
            if not isinstance(err, Exception) and type(err).__name__ != "PanicException":
                raise  # SystemExit and the like; a panic in polars' Rust code (pyo3's PanicException) is chc's failure too
            if ctx.meta.get("chc.debug") or os.environ.get("CHC_DEBUG") == "1":
                traceback.print_exc()
            click.echo(f"chc: internal error ({type(err).__name__} {_where(err)}): chc could not finish, and this says nothing "
                       "about the Code; run again with --debug (or CHC_DEBUG=1) for the traceback", err=True)
            sys.exit(3)


def _where(err: BaseException) -> str:
    """The innermost place in chc's own code that the error passed through, as module:line (never the error's text,
    which may quote a cell)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "/checker/" in f.filename or f.filename.endswith("cli.py")]
    if not frames:
        return "outside chc"
    frame = frames[-1]
    return f"at {Path(frame.filename).stem}:{frame.lineno}"


def _debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta["chc.debug"] = value


@click.group(cls=_Chc, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version, help="Show the version and the verdict engine, and exit.")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug,
              help="On an internal error (exit 3), print the traceback too (or set CHC_DEBUG=1).")
def main() -> None:
    """Check a landlord's complaint handling against the Housing Ombudsman's Complaint Handling Code."""


def _fail_on(ctx: click.Context, param: click.Parameter, value: str) -> frozenset[str]:
    wanted = {v.strip() for v in value.split(",") if v.strip()}
    unknown = wanted - set(GATEABLE)
    if unknown or not wanted:
        raise click.BadParameter(f"'{value}': choose from {', '.join(GATEABLE)}")
    return frozenset(wanted)


def _apply(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Decorate a command with click options, listed in the order --help shows them."""
    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


# options several commands share, each declared once (a click.option decorator can be applied to many commands)
_MAPPING = click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), help="Column mapping (YAML) for a landlord's own export.")
_SHEET = click.option("--sheet", help="XLSX sheet name (default: the first visible sheet).")
_HEADER_ROW = click.option("--header-row", type=click.IntRange(min=1),
                           help="The row number of the headings in a CSV or XLSX register (default: found below any title rows).")
_ENCODING = click.option("--encoding", type=click.Choice(["utf-8", "cp1252", "latin-1"], case_sensitive=False),
                         help="A CSV or JSON register's text encoding when it has no byte-order mark (default: UTF-8; "
                              "cp1252 for a spreadsheet saved as plain 'CSV' on Windows). UTF-16 with its mark is detected.")
_CODE = click.option("--code", "code_path", type=click.Path(path_type=Path), help="A Code catalogue folder (default: the bundled 2024 Code).")
_RULES = click.option("--rules", "rules_paths", multiple=True, type=click.Path(path_type=Path),
                      help="A folder of the landlord's own rules, added to chc's (repeatable).")
_WAIVERS = click.option("--waivers", "waivers_path", type=click.Path(path_type=Path),
                        help="Approved waivers (YAML): provision or rule, justification, approver, expiry.")
_AS_OF = click.option("--as-of", callback=_date, help="Judge open cases as at this date (default: the period's end, or today if sooner).")
_SKIP_BAD_ROWS = click.option("--skip-bad-rows", is_flag=True,
                              help="Assess the valid rows and list every invalid row, with its reason, in every output (default: stop on any).")


def _inputs(register_required: bool, assessing: bool = True):
    """The options the commands share: the inputs and the Code, and for those that assess, the rules and the waivers."""
    return _apply(
        click.option("--policy", "policy_path", required=True, type=click.Path(path_type=Path), help="Policy metadata (YAML)."),
        click.option("--register", "register_path", required=register_required, type=click.Path(path_type=Path),
                     help="Complaints register: .csv, .xlsx or .json." + ("" if register_required else " Without it only the policy is checked.")),
        click.option("--period", callback=_period, required=register_required,
                     help="2024-25 (financial year), 2024-25-Q2 (quarter) or FROM:TO dates."
                     + ("" if register_required else " Default: the current financial year.")),
        _MAPPING, _SHEET, _HEADER_ROW, _ENCODING, _CODE, *((_RULES, _WAIVERS) if assessing else ()), _AS_OF, _SKIP_BAD_ROWS,
        click.option("--generated-at", callback=_timestamp, expose_value=False, is_eager=True,
                     help="The generated-at stamp to print, e.g. 2025-05-01T09:00:00Z (default: now, or SOURCE_DATE_EPOCH), for byte-identical reruns."),
    )


_HISTORY = click.option("--history", "history_path", type=click.Path(path_type=Path),
                        help="Record this run in this SQLite history file (created if absent): the verdicts, evidence kinds and figures "
                             "of its period, replacing the period's earlier record; the self-assessment then shows what changed since "
                             "the same period a year before, and `report --by quarter` the trend over the stored quarters.")
_CASE_REFS = click.option("--case-refs", type=click.Choice(["none", "count", "list"]), default="count", show_default=True,
                          help="How the published Appendix 1 shows the cases behind a verdict: not at all, as a count, or listed. "
                               "JSON and CSV always list them all.")


def _outputs(default: str):
    formats_help = "; ".join(f"{name}: {what}" for name, (_, _, what) in FORMATS.items())
    return _apply(
        _CASE_REFS,
        click.option("--format", "formats", multiple=True, type=click.Choice(list(FORMATS)),
                     help=f"Output format, repeatable and paired in order with --output (default {default}, or from each --output's suffix). {formats_help}."),
        click.option("--output", "outputs", multiple=True, type=click.Path(path_type=Path),
                     help="Write to this file (repeatable); written whole or not at all."),
    )


@main.command()
@_inputs(register_required=True)
@_outputs("table")
@_HISTORY
def assess(formats, outputs, case_refs, history_path, **inputs) -> None:
    """Self-assess against every provision of the Code and write Appendix 1, JSON, CSV or a terminal table.

    \b
    chc assess --policy policy.yaml --register register.csv --period 2024-25
    chc assess ... --format docx --output appendix1.docx --format xlsx --output appendix1.xlsx
    """
    result = _assess(**inputs)
    pairs = _pairs(formats, outputs, "table")
    with _history(history_path) as history:
        _remember_assessment(history, result)
    _warn_unplanned(result, pairs)
    _emit(result, pairs, Context(_generated_at(), case_refs=case_refs))


@main.command()
@_inputs(register_required=False)
@_outputs("table")
@click.option("--fail-on", default="not_met,partially_met", show_default=True, callback=_fail_on,
              help=f"Comma-separated verdicts that fail the check: {', '.join(GATEABLE)}. "
                   "A provision partly met fails by default; '--fail-on not_met' narrows the check to provisions not met.")
@click.option("--require-plan", is_flag=True,
              help="Also fail when a provision Appendix 1 answers No has no action, owner and target date in the policy's remediation_plan.")
@_HISTORY
def check(formats, outputs, fail_on, require_plan, case_refs, history_path, **inputs) -> None:
    """Exit 0 when no provision is not met or partly met (or whatever --fail-on names); 1 otherwise; 2 on bad input.

    \b
    For CI on the repository that holds the complaints policy:
    chc check --policy policy.yaml --format sarif --output chc.sarif --format junit --output chc.xml
    """
    from checker.render.appendix import unplanned

    if history_path and inputs["register_path"] is None:  # a policy-only check must never replace a year judged on its register
        raise click.UsageError("--history records a period's verdicts from its register: give --register (and --period) too")
    result = _assess(**inputs)
    with _history(history_path) as history:
        _remember_assessment(history, result)
    gate = Gate(fail_on)
    context = Context(_generated_at(), gate, case_refs)
    pairs = _pairs(formats, outputs, "table")
    _warn_unplanned(result, pairs, always=require_plan)
    _emit(result, pairs, context)
    failing = [r.provision.id for r in result.results if gate.fails(r)]
    message = (f"chc check: {len(failing)} provision{'s' if len(failing) != 1 else ''} fail ({', '.join(sorted(fail_on))}): {', '.join(failing)}"
               if failing else f"chc check: passed ({len(result.results)} provisions; failing on {', '.join(sorted(fail_on))})")
    click.echo(message, err=True)
    missing = unplanned(result) if require_plan else []
    if missing:
        click.echo(f"chc check: {len(missing)} provision{'s' * (len(missing) != 1)} answered No without an action, owner and target date "
                   f"in the remediation plan (--require-plan): {', '.join(missing)}", err=True)
    sys.exit(max(gate.exit_code(result), int(bool(missing))))


PUBLISHED = ("md", "html", "docx", "xlsx", "pdf")  # the formats that carry Appendix 1


def _warn_unplanned(assessment, pairs: list[tuple[str, Path | None]], always: bool = False) -> None:
    """Every No on the published form needs an action, an owner and a target date (the Code's introduction asks for
    the date by which the landlord intends to comply): one without is shown as "Date to be set" and named here."""
    if not (always or any(fmt in PUBLISHED for fmt, _ in pairs)):
        return
    from checker.render.appendix import unplanned

    for provision in unplanned(assessment):
        click.echo(f"chc: {provision} is answered No with no action, owner and target date in the policy's remediation_plan: "
                   "Appendix 1 shows 'Date to be set'", err=True)


@main.command()
@click.argument("provision")
@_inputs(register_required=False)
@click.option("--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def explain(provision, output, **inputs) -> None:
    """Why a provision has its verdict: each rule's outcome, how it was known, and the step that decided.

    \b
    chc explain 6.4 --policy policy.yaml --register register.csv --period 2024-25
    """
    from checker.render.explanation import explain_text

    result = _assess(**inputs)
    known = [r.provision.id for r in result.results]
    if provision not in known:
        from difflib import get_close_matches

        close = get_close_matches(provision, known, n=3, cutoff=0.5)
        raise click.BadParameter(f"'{provision}' is not a provision of the Code" + (f" (did you mean {', '.join(close)}?)" if close else ""),
                                 param_hint="PROVISION")
    _progress().close()
    _emit_text(explain_text(result, provision), output)


@main.command()
@click.argument("old_policy", type=click.Path(path_type=Path))
@click.argument("new_policy", type=click.Path(path_type=Path))
@_apply(
    click.option("--register", "register_path", type=click.Path(path_type=Path), help="Judge both policies against this register too."),
    click.option("--period", callback=_period, help="With --register: the period (default: the current financial year)."),
    _MAPPING, _SHEET, _HEADER_ROW, _ENCODING, _CODE, _RULES, _WAIVERS, _AS_OF, _SKIP_BAD_ROWS,
    click.option("--format", "fmt", type=click.Choice(["table", "md", "json"]), default="table", show_default=True,
                 help="md suits a pull request comment."),
    click.option("--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output."),
)
def diff(old_policy, new_policy, fmt, output, **inputs) -> None:
    """The provisions whose verdict changes from OLD_POLICY to NEW_POLICY; exit 1 when NEW breaks one that OLD met.

    \b
    chc diff policy-main.yaml policy.yaml            # in CI: the policy before and after the change
    """
    from checker.verdict.diff import compare, render_diff

    (old, new), loaded = _load((old_policy, new_policy), **inputs)
    before, after = _judge(loaded, old), _judge(loaded, new)
    changes = compare(before, after)
    text = render_diff(changes, before, after, fmt)
    _emit_text(text, output)
    sys.exit(int(any(c.breaks for c in changes)))


_report_options = _apply(  # what `report` and `annual-report` share beyond the inputs: grouping, comparison, activity files, formats
    click.option("--by", multiple=True, type=click.Choice(["quarter", "organisation"]),
                 help="Also give the figures per quarter and/or per organisation (repeatable)."),
    click.option("--compare", type=click.Choice(["previous-year"]), help="Show the same period a year earlier beside each figure."),
    click.option("--ombudsman", "ombudsman_path", type=click.Path(path_type=Path),
                 help="Ombudsman activity (YAML; default: ombudsman.yaml beside the policy, if there)."),
    click.option("--learning", "learning_path", type=click.Path(path_type=Path),
                 help="Learning from complaints (YAML; default: learning.yaml beside the policy, if there)."),
    click.option("--benchmarks", "benchmarks_path", type=click.Path(path_type=Path),
                 help="TSM sector medians and the TP09 survey result (YAML; default: benchmarks.yaml beside the policy, if there)."),
    click.option("--format", "formats", multiple=True, type=click.Choice(list(REPORT_FORMATS)),
                 help="md, html, docx, pdf or json; repeatable, paired in order with --output (default md, or from each --output's suffix). "
                      "pdf needs pip install 'chc[pdf]'."),
    click.option("--output", "outputs", multiple=True, type=click.Path(path_type=Path),
                 help="Write to this file (repeatable); all are written, or none."),
    _HISTORY,
)


@main.command()
@_inputs(register_required=True, assessing=False)
@_report_options
def report(by, compare, ombudsman_path, learning_path, benchmarks_path, formats, outputs, history_path, **inputs) -> None:
    """The governing body's complaints update (Code 9.7): volumes, outcomes, timeliness, TSMs, themes, the Ombudsman.

    \b
    chc report --policy policy.yaml --register register.csv --period 2024-25-Q2 --by quarter --by organisation --compare previous-year --output q2.html
    """
    data, _ = _report_data(inputs, by, compare, {"ombudsman": ombudsman_path, "learning": learning_path, "benchmarks": benchmarks_path}, False,
                           history_path)

    def document():
        from checker.report.documents import update_document  # the documents' modules load only for a document format

        return update_document(data)

    _emit_report(document, data, formats, outputs)


@main.command("annual-report")
@_inputs(register_required=True)
@_report_options
@_CASE_REFS
def annual_report(by, compare, ombudsman_path, learning_path, benchmarks_path, formats, outputs, history_path, case_refs, **inputs) -> None:
    """The annual complaints performance and service improvement report (Code 8.1 a-f), with the self-assessment as Appendix 1.

    \b
    chc annual-report --policy policy.yaml --register register.csv --period 2023-24 --compare previous-year --output annual.docx
    """
    from checker.render.json_format import assessment_dict

    data, assessment = _report_data(inputs, by, compare, {"ombudsman": ombudsman_path, "learning": learning_path, "benchmarks": benchmarks_path}, True,
                                    history_path)
    generated_at = _generated_at()
    data["self_assessment"] = assessment_dict(assessment, generated_at)
    if any(fmt != "json" for fmt, _ in _pairs(formats, outputs, "md")):
        _warn_unplanned(assessment, [], always=True)

    def document():
        from checker.render.appendix import build_appendix
        from checker.report.documents import annual_document

        return annual_document(data, build_appendix(assessment, generated_at, case_refs))

    _emit_report(document, data, formats, outputs)


@main.command()
@_inputs(register_required=True)
@click.option("--ombudsman", "ombudsman_path", type=click.Path(path_type=Path),
              help="Ombudsman activity (YAML; default: ombudsman.yaml beside the policy, if there).")
@click.option("--learning", "learning_path", type=click.Path(path_type=Path),
              help="Learning from complaints (YAML; default: learning.yaml beside the policy, if there).")
@click.option("--benchmarks", "benchmarks_path", type=click.Path(path_type=Path),
              help="TSM sector medians (YAML; default: benchmarks.yaml beside the policy, if there).")
@click.option("--output-dir", required=True, type=click.Path(path_type=Path),
              help="The folder to write the pack into (created if need be); refused if it holds files, unless --force.")
@click.option("--force", is_flag=True, help="Write into a folder that holds files: the pack's files in it are replaced.")
def submission(ombudsman_path, learning_path, benchmarks_path, output_dir, force, **inputs) -> None:
    """The annual submission to the Ombudsman in one folder, with a checklist: exit 0 complete, 1 something missing, 2 bad input.

    \b
    The self-assessment (Word, HTML, PDF), the annual complaints performance and service improvement report (8.1),
    the governing body's response drafted (8.2, Word), the complaint TSMs for the Regulator's return (CSV, Excel)
    and checklist.md: the deadline, each document present or missing, where each is published, the sign-off, and
    every provision answered No with its action and date. Several organisations in the register (one complaints
    policy across a group) get figures for each and for the whole.

    \b
    chc submission --policy policy.yaml --register register.csv --period 2024-25 --output-dir submission-2024-25
    """
    from checker.render.pdf import PdfUnavailable, weasyprint
    from checker.report.submission import PACK_NAMES, build_pack, is_year

    if not is_year(inputs["period"]):
        raise click.BadParameter(f"'{inputs['period'].label}': a submission covers a whole financial year, e.g. 2024-25", param_hint="--period")
    if output_dir.exists() and not output_dir.is_dir():
        _stop(f"--output-dir {output_dir} is a file; the pack is a folder")
    if output_dir.is_dir() and any(output_dir.iterdir()) and not force:
        _stop(f"--output-dir {output_dir} already holds files; name a new or empty folder, or add --force to replace the pack in it")
    data, assessment = _report_data(inputs, ("organisation",), None,
                                    {"ombudsman": ombudsman_path, "learning": learning_path, "benchmarks": benchmarks_path}, True, None)
    if len(data["groups"]) < 2:  # one organisation: its figures are the whole's
        data["groups"] = []
    try:
        weasyprint()
        pdf_missing = ""
    except PdfUnavailable as err:
        pdf_missing = str(err)
    _progress().step("writing")
    pack = build_pack(assessment, data, _generated_at(), pdf_missing)
    _progress().close()
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _stop(f"cannot create the folder {output_dir}: {os_reason(err)}")
    _write_all([(output_dir / name, body) for name, body in pack.files])
    for stale in PACK_NAMES - {name for name, _ in pack.files}:  # a PDF left from an earlier run would be taken for this one's
        (output_dir / stale).unlink(missing_ok=True)
    _echo(pack.checklist)
    sys.exit(int(not pack.complete))


def _report_data(inputs: dict[str, Any], by: tuple[str, ...], compare: str | None, paths: dict[str, Path | None], assess: bool,
                 history_path: Path | None):
    """Load once; assess if asked (the annual report's part a and Appendix 1) and compute the figures from the same register;
    with --history, record them and add the trend over the stored quarters (`history` in the report's data)."""
    from checker.load.activity import load_activity
    from checker.report.data import report_data

    policy_path = inputs.pop("policy_path")
    (policy,), loaded = _load((policy_path,), **inputs, activity_beside=False)
    with _input_errors():
        activity = load_activity(policy_path, paths)
    loaded["ombudsman"] = activity.ombudsman or None
    assessment = _judge(loaded, policy) if assess else None
    with _input_errors():
        _progress().step("computing the figures")
        data = report_data(policy, loaded["register"], loaded["catalogue"], loaded["period"], activity,
                           _generated_at(), by, compare == "previous-year", loaded["as_of"],
                           assessment)
    _read_from(*(Path(source) for source in activity.sources.values()))
    for kind in ("ombudsman", "learning", "benchmarks"):
        if kind in activity.sources:
            click.echo(f"chc: read {kind} from {activity.sources[kind]}", err=True)
    if data["previous"] and not data["previous"]["has_data"]:
        click.echo(f"chc: no data for {data['previous']['period']['label']}: the register holds no contact received in it, "
                   "so the report compares with nothing and says so", err=True)
    with _history(history_path) as history:
        if history is not None:
            _remember_figures(history, data, policy, loaded["register"], "quarter" in by)
        if assessment is not None:
            _remember_assessment(history, assessment)
    return data, assessment


@contextmanager
def _history(path: Path | None, create: bool = True) -> Iterator[Any]:
    """--history: the file opened, checked and migrated (None without the option); one chc cannot use ends the run with
    status 2, the file left as it was."""
    if path is None:
        yield None
        return
    from checker.history.store import HistoryError, open_history

    _read_from(path)  # never an --output
    try:
        with open_history(path, create) as history:
            yield history
    except HistoryError as err:
        _progress().close()
        _stop(str(err))


def _remember_assessment(history, assessment) -> None:
    """Record the verdicts, after reading what changed since the same period a year before onto the assessment."""
    if history is None:
        return
    from checker.derive.period import previous_year
    from checker.history.diff import since
    from checker.history.record import assessment_run, fingerprint, record_assessment

    earlier = previous_year(assessment.period).label
    assessment.changes_since = since(history, earlier, {r.provision.id: r.status for r in assessment.results})
    if assessment.changes_since is None:
        click.echo(f"chc: {history.path} holds no self-assessment of {earlier}: no change since then to show", err=True)
    run = assessment_run(assessment, _generated_at(), fingerprint(assessment.policy, assessment.register))
    replaced = record_assessment(history, assessment, run)
    click.echo(f"chc: recorded the self-assessment of {assessment.period.label} in {history.path}" + (f", {replaced}" if replaced else ""), err=True)


def _remember_figures(history, data: dict[str, Any], policy: Policy, register, trend: bool) -> None:
    """Record the report's figures; with --by quarter, put the stored quarters' trend into the report's data."""
    from checker.history.query import stored_quarters
    from checker.history.record import figures_run, fingerprint, record_figures

    replaced = record_figures(history, data, figures_run(data, _generated_at(), fingerprint(policy, register)))
    click.echo(f"chc: recorded the figures of {data['period']['label']} in {history.path}" + (f", {replaced}" if replaced else ""), err=True)
    if trend:
        data["history"] = {"file": history.path.name, "quarters": stored_quarters(history, dt.date.fromisoformat(data["period"]["end"]))}


def _emit_report(build: Callable[[], Any], data: dict[str, Any], formats: tuple[str, ...], outputs: tuple[Path, ...]) -> None:
    """Render each format (the document, charts included, only if a document format is asked for), then write all or none."""
    pairs = _pairs(formats, outputs, "md")
    for fmt, path in pairs:
        if fmt not in REPORT_FORMATS:
            raise click.UsageError(f"{path}: a report is written as md, html, docx, pdf or json, not {fmt}")
    _pdf_ready(pairs)
    _progress().step("writing")
    document = build() if any(fmt != "json" for fmt, _ in pairs) else None
    generated_at = _generated_at()
    _deliver([(render_report(fmt, document, data, generated_at), path) for fmt, path in pairs])


@contextmanager
def _input_errors() -> Iterator[None]:
    """Bad input ends the run with status 2 and every problem listed; an engine failure is never a verdict."""
    try:
        yield
    except InputError as err:
        _report(err)
    except EngineError as err:
        click.echo(f"chc: internal error: the rules engine failed, so no verdict can be trusted: {err}", err=True)
        sys.exit(3)


def _progress(register: Path | None = None):
    """The run's progress bar (see checker/progress.py), kept on the click context so each stage can step it."""
    from checker.progress import Progress

    meta = click.get_current_context().meta
    if "chc.progress" not in meta:
        meta["chc.progress"] = Progress(5, register)
    return meta["chc.progress"]


def _assess(policy_path: Path, **inputs: Any):
    (policy,), loaded = _load((policy_path,), **inputs)
    return _judge(loaded, policy)


def _load(policy_paths: tuple[Path, ...], register_path: Path | None, period, mapping_path: Path | None, sheet: str | None,
          header_row: int | None, encoding: str | None, code_path: Path | None, as_of: dt.date | None, skip_bad_rows: bool = False,
          rules_paths: tuple[Path, ...] | None = None, waivers_path: Path | None = None,
          activity_beside: bool = True) -> tuple[list[Policy], dict[str, Any]]:
    """Load and validate every input once, however many policies are then judged against the register. The policies
    come first: they are small and the likeliest to be wrong, and a typo in one should not wait for a large register.
    rules_paths None (chc report) loads no rules: the figures need none."""
    from checker.derive.cases import received_by
    from checker.derive.period import financial_year_of, judged_at
    from checker.load.activity import ombudsman_beside, read_ombudsman
    from checker.load.catalogue import load_catalogue
    from checker.load.mapping import load_mapping
    from checker.load.policy import load_policy
    from checker.load.register import load_register, looks_personal
    from checker.load.resources import bundled, default_code
    from checker.load.rulebook import load_rulebook
    from checker.verdict.waivers import load_waivers

    today = dt.date.today()  # the clock, never the --generated-at stamp: a stamp must not change a judgement
    if register_path and period is None:  # as the help says: the current financial year, told so a reader knows which
        period = financial_year_of(today)
        click.echo(f"chc: no --period given: judging {period.label}, the current financial year", err=True)
    _read_from(*policy_paths, register_path, mapping_path, waivers_path, code_path, *(rules_paths or ()))
    progress = _progress(register_path)
    with _input_errors():
        policies = [load_policy(path) for path in policy_paths]
        progress.step("reading the Code and the rules" if rules_paths is not None else "reading the Code")
        catalogue = load_catalogue(code_path or default_code())
        rulebook = load_rulebook([bundled("rules"), *rules_paths], catalogue) if rules_paths is not None else None
        approvals = load_waivers(waivers_path, catalogue, rulebook, today) if waivers_path and rulebook else None
        register = None
        if register_path:
            progress.step(f"reading {register_path.name}")
            register = load_register(register_path, load_mapping(mapping_path) if mapping_path else None, sheet, skip_bad_rows,
                                     header_row, encoding)
            for warning in register.warnings:
                click.echo(str(warning), err=True)
            for column in register.ignored_columns:
                shown = "a column whose heading looks like personal data" if looks_personal(column) else f"column '{column}'"
                click.echo(f"{register.source}: {shown} is not part of the register contract and was ignored", err=True)
            for line in grouped(in_order(register.skipped)):
                click.echo(f"{line} (left out, with --skip-bad-rows)", err=True)
            _tell_absent(register, rulebook)
            if register.stage2_from_rows and register.unread_at_stage2:
                click.echo(f"{register.source}: the mapping's stage2 names no {', '.join(sorted(register.unread_at_stage2))} "
                           f"column: the {register.stage2_from_rows} stage 2 complaints taken from the rows are unknown to the "
                           "rules that need them (add the export's headings under stage2: to judge them)", err=True)
            as_at = judged_at(period, as_of, today)
            register = received_by(register, as_at)
            if register.rows_after_as_of:
                click.echo(f"{register.source}: {register.rows_after_as_of} row{'s' * (register.rows_after_as_of != 1)} received after "
                           f"the as-of date, {as_at}, {'are' if register.rows_after_as_of != 1 else 'is'} outside the assessment", err=True)
            if register.skipped or register.rows_after_as_of:
                click.echo(f"chc: {register.accounting()}", err=True)
        ombudsman = None
        beside = ombudsman_beside(policy_paths[0]) if rulebook and activity_beside else None  # the reports read their own
        if beside is not None:  # an input like any other: told, and never overwritten by an --output
            _read_from(beside)
            ombudsman = read_ombudsman(beside)
            click.echo(f"chc: read ombudsman from {beside}", err=True)
    return policies, {"register": register, "catalogue": catalogue, "rulebook": rulebook,
                      "period": period or financial_year_of(today), "as_of": as_of, "approvals": approvals, "today": today,
                      "ombudsman": ombudsman}


def _tell_absent(register, rulebook) -> None:
    """One line naming the contract columns the register lacks that leave rules not assessed, as evaluation decides."""
    from checker.rules.evaluate import absent_for

    lacking = {r.id: absent_for(r, register.absent_columns, register.absent_at_stage1) for r in (rulebook.rules if rulebook else [])}
    needed = sorted({c for columns in lacking.values() for c in columns})
    if needed:
        unjudged = [rule_id for rule_id, columns in lacking.items() if columns]
        many = len(needed) != 1
        click.echo(f"{register.source}: the register has no {', '.join(repr(c) for c in needed)} column{'s' * many}: "
                   f"{len(unjudged)} rule{'s' * (len(unjudged) != 1)} needing {'them' if many else 'it'} "
                   f"{'are' if len(unjudged) != 1 else 'is'} not assessed (chc explain PROVISION says which)", err=True)


def _read_from(*paths: Path | None) -> None:
    """Remember the run's input files (those in folders too), so that no --output can overwrite one."""
    files: list[Path] = click.get_current_context().meta.setdefault("chc.inputs", [])
    for path in paths:
        if path is not None:
            files += sorted(path.rglob("*")) if path.is_dir() else [path]


def _judge(loaded: dict[str, Any], policy: Policy):
    """Run the pipeline once for one loaded policy over the loaded register."""
    from checker.verdict.assessment import assess

    _progress().step("assessing")
    with _input_errors():
        return assess(policy, **loaded)


def _pairs(formats: tuple[str, ...], outputs: tuple[Path, ...], default: str) -> list[tuple[str, Path | None]]:
    """Pair each --format with its --output; a format alone goes to standard output; a file alone names its format."""
    if not outputs:
        if len(formats) > 1:
            raise click.UsageError("several --format options need an --output each")
        fmt = formats[0] if formats else default
        if fmt in BINARY:
            raise click.UsageError(f"--format {fmt} writes a binary file: give --output")
        return [(fmt, None)]
    if not formats:
        guessed: list[tuple[str, Path | None]] = []
        for path in outputs:
            named = format_for(path)
            if named is None:
                raise click.UsageError(f"cannot tell the format of {path} from its name: add --format")
            guessed.append((named, path))
        return guessed
    if len(formats) != len(outputs):
        raise click.UsageError(f"{len(formats)} --format and {len(outputs)} --output options: give one --output per --format")
    if len(set(outputs)) != len(outputs):
        raise click.UsageError("two formats cannot be written to the same --output file")
    return list(zip(formats, outputs, strict=True))


def _emit(assessment, pairs: list[tuple[str, Path | None]], context: Context) -> None:
    """Render every format, then write them all or none: a failure leaves no half-set of outputs."""
    _pdf_ready(pairs)
    _progress().step("writing")
    _deliver([(render(fmt, assessment, context), path) for fmt, path in pairs])


def _pdf_ready(pairs: list[tuple[str, Path | None]]) -> None:
    """Before anything is rendered: a PDF needs WeasyPrint and the system's Pango, and the message says which to install."""
    if any(fmt == "pdf" for fmt, _ in pairs):
        from checker.render.pdf import PdfUnavailable, weasyprint

        try:
            weasyprint()
        except PdfUnavailable as err:
            _progress().close()
            _stop(str(err))


def _deliver(rendered: list[tuple[bytes, Path | None]]) -> None:
    """Write every file, all or none, then show what goes to standard output."""
    _progress().close()
    _write_all([(path, data) for data, path in rendered if path is not None])
    for data, path in rendered:
        if path is None:
            _echo(data.decode("utf-8"))


def _emit_text(text: str, output: Path | None) -> None:
    if output:
        _write_all([(output, text.encode("utf-8"))])
    else:
        _echo(text)


def _echo(text: str) -> None:
    """Standard output, flushed here so that a full disk is reported (exit 2), not lost in the interpreter's exit."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        _stop(f"cannot write to standard output: {os_reason(err)}")


def _generated_at() -> dt.datetime:
    """--generated-at, else SOURCE_DATE_EPOCH when set, else now: so that reruns can be byte-identical. The stamp is
    printed as the generation time and nothing else: the as-of date comes from the period and --as-of alone."""
    context = click.get_current_context(silent=True)
    if context is not None and "chc.generated_at" in context.meta:
        return context.meta["chc.generated_at"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        if not epoch.isdigit() or int(epoch) > STAMP_RANGE[1].timestamp():
            raise click.UsageError(f"SOURCE_DATE_EPOCH={epoch[:20]!r} is not a whole number of seconds from 1970 to 9999")
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write whole or not at all (checker/render/writer.py), and never over an input of the run."""
    from checker.render.writer import WriteError, check_targets, write_all

    meta = click.get_current_context().meta
    try:
        check_targets([path for path, _ in files], meta.get("chc.inputs", []))
        write_all(files)
    except WriteError as err:
        _stop(str(err))
    for path, data in files:  # once all are written: a line per file, on stderr so that stdout stays the output
        click.echo(f"chc: wrote {path} ({_size(len(data))})", err=True)


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1024 else f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def _stop(message: str) -> NoReturn:
    """Exit 2, never 1: for `check` and `diff`, 1 means the Code is broken, and a run that could not finish says nothing of that."""
    click.echo(f"chc: {message}", err=True)
    sys.exit(2)


def _report(err: InputError) -> NoReturn:
    lines = grouped(err.listed)
    for line in lines[:MAX_PROBLEMS_SHOWN]:
        click.echo(line, err=True)
    if len(lines) > MAX_PROBLEMS_SHOWN:
        click.echo(f"... and {len(lines) - MAX_PROBLEMS_SHOWN} more kinds of problem", err=True)
    click.echo(f"chc: {err.count} problem{'s' if err.count != 1 else ''} in the input; stopped before producing any result", err=True)
    sys.exit(2)


@main.group()
def mapping() -> None:
    """Column mappings, which read a landlord's own export as it is (--mapping)."""


@mapping.command()
@click.argument("export", type=click.Path(path_type=Path))
@_SHEET
@_HEADER_ROW
@_ENCODING
def suggest(export: Path, sheet: str | None, header_row: int | None, encoding: str | None) -> None:
    """Write a column mapping for EXPORT to standard output, from its headings and the words of its coded columns.

    Each line says how sure the match is; one marked TODO is commented out until you decide it.

    \b
    chc mapping suggest export.xlsx --sheet Complaints > mapping.yaml
    chc assess --policy policy.yaml --register export.xlsx --sheet Complaints --mapping mapping.yaml --period 2024-25
    """
    from checker.load.suggest import suggest as suggest_mapping

    with _input_errors():
        suggestion = suggest_mapping(export, sheet, header_row, encoding)
    for note in suggestion.notes:
        click.echo(note, err=True)
    click.echo(suggestion.text, nl=False)


@main.group()
def rules() -> None:
    """List, show, document and test rules: chc's own and a landlord's (--rules)."""


_rules_options = _apply(_CODE, _RULES)  # as `assess` takes them


def _rules_load(code_path: Path | None, rules_paths: tuple[Path, ...]):
    from checker.load.catalogue import load_catalogue
    from checker.load.resources import bundled, default_code
    from checker.load.rulebook import load_rulebook

    _read_from(code_path, *rules_paths)
    with _input_errors():
        catalogue = load_catalogue(code_path or default_code())
        return catalogue, load_rulebook([bundled("rules"), *rules_paths], catalogue)


@rules.command("list")
@_rules_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules_list(code_path, rules_paths, fmt) -> None:
    """Every rule: id, provisions, scope and title (the JSON adds severity, evidence kind and the file:line)."""
    from checker.rules.describe import list_json, list_table

    _, rulebook = _rules_load(code_path, rules_paths)
    click.echo(list_json(rulebook) if fmt == "json" else list_table(rulebook.rules), nl=False)


@rules.command("show")
@click.argument("rule_id")
@_rules_options
def rules_show(rule_id, code_path, rules_paths) -> None:
    """Everything about one rule (RULE_ID), or the rules of one provision (2.3): provisions, conditions, evidence, remediation."""

    from checker.rules.describe import list_table, show

    catalogue, rulebook = _rules_load(code_path, rules_paths)
    if rule_id in catalogue.provisions:
        mine = rulebook.for_provision(rule_id)
        provision = catalogue.provisions[rule_id]
        click.echo(f"Provision {rule_id}: {provision.title}\n\n" + (list_table(mine) if mine else "No rule evidences this provision.\n"), nl=False)
        return
    rule = rulebook.by_id().get(rule_id)
    if rule is None:
        from difflib import get_close_matches

        close = get_close_matches(rule_id.upper(), list(rulebook.by_id()), n=3)
        _stop(f"unknown rule id {rule_id}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    click.echo(show(rule, catalogue), nl=False)


@rules.command("doc")
@_rules_options
@click.option("--output", type=click.Path(path_type=Path), help="Write the Markdown to this file instead of standard output.")
def rules_doc(code_path, rules_paths, output) -> None:
    """A Markdown reference of every rule, by Code section, with its conditions in words."""
    from checker.rules.describe import reference

    catalogue, rulebook = _rules_load(code_path, rules_paths)
    _emit_text(reference(rulebook, catalogue), output)


@rules.command("test")
@click.argument("target", type=click.Path(path_type=Path))
@_rules_options
@click.option("--require-all", is_flag=True, help="Also fail when a rule from --rules (every rule, without --rules) lacks a fail or a pass case.")
@click.option("--format", "fmt", type=click.Choice(["text", "junit"]), default="text", show_default=True,
              help="text: a line per case and a summary; junit: JUnit XML for CI, a testsuite per test file and a testcase per case.")
@click.option("--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def rules_test(target, code_path, rules_paths, require_all, fmt, output) -> None:
    """Run rule test files (every *.yaml in TARGET, or the file TARGET). Exit 0 all pass, 1 any fails, 2 bad input."""
    from checker.rules import results as shown
    from checker.rules.testing import missing_cases, rule_test_files, run_rule_tests

    catalogue, rulebook = _rules_load(code_path, rules_paths)
    _read_from(target)
    with _input_errors():
        results = run_rule_tests(rule_test_files(target), catalogue, list(rules_paths))
    missing = missing_cases(rulebook, list(rules_paths), results) if require_all else []
    _emit_text(shown.junit(results, missing).decode("utf-8") if fmt == "junit" else shown.text(results, missing), output)
    sys.exit(1 if missing or not all(r.passed for r in results) else 0)


@main.group()
def code() -> None:
    """Code catalogues: the provisions every verdict is given against, and their wording (--code)."""


@code.command("import")
@click.argument("form", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The catalogue folder to write (created if need be), for --code; refused if it holds files, unless --force.")
@click.option("--force", is_flag=True, help="Write into a folder that holds files: its code.yaml and section-*.yaml are replaced.")
@click.option("--code", "code_path", type=click.Path(path_type=Path),
              help="The catalogue whose provisions, titles and parameters are kept (default: the bundled 2024 Code).")
def code_import(form: Path, output: Path, force: bool, code_path: Path | None) -> None:
    """Write a Code catalogue holding the Ombudsman's own wording, read from FORM, the self-assessment form (.docx).

    FORM is the form as a landlord downloads it: a Word table per Code section, headed Code provision, Code
    requirement, Comply, Evidence and Commentary. Each provision's requirement text is taken verbatim and its
    wording marked as the form's; the provision numbers, titles and parameters (5 working days, 12 months) stay
    chc's, and a form text stating another figure is warned of. A form whose provisions are not the catalogue's
    (one extra or one missing) is refused, each named, and nothing is written. The catalogue is a folder, so give
    it with --output.

    \b
    chc code import complaint-handling-code-self-assessment.docx --output code
    chc assess --code code --policy policy.yaml --register register.csv --period 2024-25
    """
    from checker.load.code_import import import_wording
    from checker.load.form import read_form
    from checker.load.resources import default_code

    base = code_path or default_code()
    _read_from(form, base)
    with _input_errors():
        rows = read_form(form)
        imported = import_wording(form, rows, base, _generated_at().date())
    for warning in imported.warnings:
        click.echo(warning, err=True)
    if output.exists() and not output.is_dir():
        _stop(f"--output {output} is a file; a catalogue is a folder")
    if output.is_dir() and any(output.iterdir()) and not force:
        _stop(f"--output {output} already holds files; name a new or empty folder, or add --force to replace its catalogue")
    try:
        output.mkdir(exist_ok=True)
    except OSError as err:
        _stop(f"cannot create the folder {output}: {os_reason(err)}")
    written = {name for name, _ in imported.files}
    _write_all([(output / name, data) for name, data in imported.files])
    for stale in output.glob("section-*.yaml"):  # a section left from before would be read as part of this catalogue
        if stale.name not in written:
            stale.unlink()
    click.echo(f"chc: {output} holds the wording of the {len(rows)} provisions in {form.name}; use it with --code {output}", err=True)


@main.group("history")
def history_group() -> None:
    """The records a history file keeps (--history FILE on assess, check, report and annual-report writes them)."""


_HISTORY_FILE = click.option("--history", "history_path", required=True, type=click.Path(path_type=Path), help="The history file (SQLite).")


@history_group.command("list")
@_HISTORY_FILE
def history_list(history_path: Path) -> None:
    """Every record: period, kind (self-assessment or report figures), rules and Code versions, when, from which register."""
    from checker.history.tables import list_table

    with _history(history_path, create=False) as history:
        _echo(list_table(history))


@history_group.command("show")
@click.argument("period", callback=_period)
@_HISTORY_FILE
def history_show(period, history_path: Path) -> None:
    """A period's latest self-assessment (every verdict and its evidence kinds) and its headline figures.

    \b
    chc history show 2024-25 --history history.sqlite
    """
    from checker.history.tables import show_text

    with _history(history_path, create=False) as history:
        _echo(show_text(history, period.label))


@history_group.command("diff")
@click.argument("first", callback=_period)
@click.argument("second", callback=_period)
@_HISTORY_FILE
def history_diff(first, second, history_path: Path) -> None:
    """The verdicts that changed from FIRST to SECOND (newly met, newly not met), and the headline figures side by side.

    \b
    chc history diff 2023-24 2024-25 --history history.sqlite
    """
    from checker.history.tables import diff_text

    with _history(history_path, create=False) as history:
        _echo(diff_text(history, first.label, second.label))


def run() -> None:
    """The `chc` command (setup.cfg's console script): `main`, run once in a process of its own. Python's cycle
    collector has nothing to give back in it that the exit does not (chc's data lives in polars; its Python objects
    are freed as they go): off for the run, where it walked the imported modules' objects again and again (40-60 ms
    at 10,000 rows), and nothing left for it at the exit, where it would walk them all once more (50 ms)."""
    gc.disable()
    atexit.register(gc.freeze)
    main()


if __name__ == "__main__":
    run()
