"""The `chc` command line. Exit status: 0 done, 2 bad input or usage (every problem printed as file:row:field: message)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from checker import __version__
from checker.engine import EngineError
from checker.errors import InputError

MAX_PROBLEMS_SHOWN = 200


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    from checker.dates import parse_date

    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    return day


def _period(ctx: click.Context, param: click.Parameter, value: str):
    from checker.period import parse_period

    try:
        return parse_period(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chc")
def main() -> None:
    """Check a landlord's complaint handling against the Housing Ombudsman's Complaint Handling Code."""


@main.command()
@click.option("--policy", "policy_path", required=True, type=click.Path(path_type=Path), help="Policy metadata (YAML).")
@click.option("--register", "register_path", required=True, type=click.Path(path_type=Path), help="Complaints register: .csv, .xlsx or .json.")
@click.option("--period", required=True, callback=_period, help="2024-25 (financial year), 2024-25-Q2 (quarter) or FROM:TO dates.")
@click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), help="Column mapping (YAML) for a landlord's own export.")
@click.option("--sheet", help="XLSX sheet name (default: the first sheet).")
@click.option("--code", "code_path", type=click.Path(path_type=Path), help="A Code catalogue folder (default: the bundled 2024 Code).")
@click.option("--rules", "rules_paths", multiple=True, type=click.Path(path_type=Path), help="A folder of the landlord's own rules, added to chc's (repeatable).")
@click.option("--as-of", callback=_date, help="Judge open cases as at this date (default: the period's end, or today if sooner).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def assess(policy_path, register_path, period, mapping_path, sheet, code_path, rules_paths, as_of, fmt, output) -> None:
    """Self-assess against every provision of the Code: verdict, evidence and remediation for each."""
    from checker.assessment import assess as run_assessment
    from checker.catalogue import load_catalogue
    from checker.mapping import load_mapping
    from checker.policy import load_policy
    from checker.register import load_register
    from checker.resources import bundled, default_code
    from checker.rulebook import load_rulebook

    try:
        catalogue = load_catalogue(code_path or default_code())
        rulebook = load_rulebook([bundled("rules"), *rules_paths], catalogue)
        policy = load_policy(policy_path)
        mapping = load_mapping(mapping_path) if mapping_path else None
        register = load_register(register_path, mapping, sheet)
        result = run_assessment(policy, register, catalogue, rulebook, period, as_of)
    except InputError as err:
        _report(err)
    except EngineError as err:
        raise click.ClickException(f"the rules engine failed, so no verdict can be trusted: {err}") from None
    for column in register.ignored_columns:
        click.echo(f"{register.source}: column '{column}' is not part of the register contract and was ignored", err=True)
    if fmt == "json":
        from checker.render_json import render_json

        text = render_json(result, _generated_at())
    else:
        from checker.render_terminal import render_terminal

        text = render_terminal(result)
    if output:
        _write(output, text)
    else:
        click.echo(text, nl=False)


def _generated_at() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so that builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary file beside the target, then an atomic rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {err.strerror}") from None


def _report(err: InputError) -> None:
    for problem in err.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(str(problem), err=True)
    if len(err.problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"... and {len(err.problems) - MAX_PROBLEMS_SHOWN} more problems", err=True)
    click.echo(f"chc: {len(err.problems)} problem{'s' if len(err.problems) != 1 else ''} in the input; nothing was assessed", err=True)
    sys.exit(2)


if __name__ == "__main__":
    main()
