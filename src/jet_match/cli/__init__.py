"""The `jet-match` command line: serve, worker, migrate, import/export, validate, solve,
fixtures; keys and users are in `accounts.py`.

Commands parse arguments, call one function of the library and print; they hold no
business logic. Bad input ends with a readable message and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from jet_match.cli import accounts
from jet_match.cli.common import engine_from_settings as _engine
from jet_match.cli.common import fail as _fail
from jet_match.dataset.format import dataset_counts, dataset_to_json
from jet_match.dataset.generator import DEMO_SEED, ScaleName, generate_scale
from jet_match.dataset.schema import render_json_schema
from jet_match.dataset.validation import (
    DEFAULT_MAX_BYTES,
    DatasetInvalid,
    DatasetIssue,
    read_dataset_file,
)
from jet_match.errors import DomainError


class _Commands(typer.core.TyperGroup):
    """The commands, with a database that cannot be reached reported as a message."""

    def invoke(self, ctx: Any) -> Any:  # typer's Context class is private
        from sqlalchemy.exc import InterfaceError, OperationalError

        try:
            return super().invoke(ctx)
        except (OperationalError, InterfaceError) as exc:
            # The driver's first line says why (refused, no such file, auth); no statement.
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            typer.echo(
                f"error: cannot use the database ({reason}); check JET_MATCH_DATABASE_URL",
                err=True,
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Commands,
    name="jet-match",
    help="Placement matching for the JET Programme.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
fixtures_app = typer.Typer(help="Generate realistic datasets.", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
app.add_typer(accounts.keys_app, name="keys")
app.add_typer(accounts.users_app, name="users")


# --- dataset: validate, schema, fixtures generate ------------------------------


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="The dataset JSON file to check.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON report for machines instead of a table.")
    ] = False,
    max_mb: Annotated[
        int, typer.Option(min=1, help="Refuse files larger than this many MiB unread.")
    ] = DEFAULT_MAX_BYTES // 1_048_576,
) -> None:
    """Check a dataset and report every problem at once; exit status 1 if there is any."""
    try:
        dataset = read_dataset_file(file, max_bytes=max_mb * 1_048_576)
    except DatasetInvalid as invalid:
        if as_json:
            report = {"file": str(file), "valid": False, "issues": _issue_dicts(invalid.issues)}
            typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        else:
            _print_issue_table(file, invalid.issues)
        raise typer.Exit(1) from None
    counts = dataset_counts(dataset)
    if as_json:
        report = {"file": str(file), "valid": True, "issues": [], "counts": counts}
        typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(f"{file}: valid. {_summary(counts)}")


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file instead.")
    ] = None,
) -> None:
    """Print the JSON Schema of the dataset format (jet-match/dataset@1)."""
    text = render_json_schema()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@fixtures_app.command("generate")
def fixtures_generate(
    out: Annotated[Path, typer.Option("--out", help="Where to write the dataset JSON.")],
    scale: Annotated[ScaleName, typer.Option(help="demo (300 people) or national.")] = (
        ScaleName.DEMO
    ),
    seed: Annotated[int, typer.Option(help="The same seed gives the same dataset.")] = DEMO_SEED,
    pretty: Annotated[
        bool | None,
        typer.Option("--pretty/--compact", help="Indent the JSON (default: demo only)."),
    ] = None,
) -> None:
    """Write a realistic, reproducible dataset (see docs/fixtures.md)."""
    dataset = generate_scale(scale, seed=seed)
    indent = scale is ScaleName.DEMO if pretty is None else pretty
    out.write_bytes(dataset_to_json(dataset, pretty=indent))
    typer.echo(f"wrote {out}: {_summary(dataset_counts(dataset))}")


def _issue_dicts(issues: list[DatasetIssue]) -> list[dict[str, object]]:
    return [issue.to_dict() for issue in issues]


def _print_issue_table(file: Path, issues: list[DatasetIssue]) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a file or a pipe: wide rows rather than crushed ones
    table = Table(title=f"{file}: {len(issues)} problem{'s' * (len(issues) != 1)}")
    for column, share in (("record", 2), ("field", 2), ("code", 2), ("message", 5)):
        table.add_column(column, overflow="fold", ratio=share)
    for issue in issues:
        table.add_row(issue.subject(), issue.field or "", issue.code, issue.message)
    console.print(table)


def _summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['participants']:,} participants ({counts['participants_ALT']:,} ALT, "
        f"{counts['participants_CIR']:,} CIR, {counts['participants_SEA']:,} SEA; "
        f"{counts['alternate']:,} alternates, {counts['withdrawn']:,} withdrawn, "
        f"{counts['couples']:,} couples), {counts['organizations']:,} organizations, "
        f"{counts['openings']:,} openings with {counts['open_slots']:,} open slots, "
        f"{counts['pins']:,} pins, {counts['forbidden']:,} forbidden pairs, "
        f"{counts['previous_plan']:,} previous placements, "
        f"{counts['contracts']:,} contracts in post"
    )


# --- service: serve, migrate, keys, import, export -----------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, envvar="JET_MATCH_PORT", help="TCP port.")
    ] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo dataset if empty; print demo keys.")
    ] = False,
    demo_dataset: Annotated[Path, typer.Option(help="Dataset the demo loads.")] = Path(
        "fixtures/demo.json"
    ),
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run a worker process beside the server to solve runs (--no-worker when "
            "dedicated `jet-match worker` processes do).",
        ),
    ] = True,
) -> None:
    """Create or migrate the configured database, then serve the API (and a worker)."""
    from contextlib import nullcontext

    import uvicorn

    from jet_match.config import get_settings
    from jet_match.db import migrate
    from jet_match.main import create_app
    from jet_match.services import setup
    from jet_match.worker import embedded

    engine = _engine()
    migrate(engine)
    if demo:
        try:
            loaded = setup.load_demo(engine, demo_dataset)
            keys = setup.demo_keys(engine)
            people = setup.demo_users(engine, keys.host_organization)
        except DomainError as error:
            _fail(error)
        if loaded is not None:
            typer.echo(f"loaded the demo dataset: {loaded.model_dump_json(exclude={'skipped'})}")
        base = f"http://{host}:{port}"
        typer.echo(
            f"\njet-match demo on {base}\n"
            f"  API docs:  {base}/docs\n"
            f"  health:    {base}/api/v1/health\n"
            f"  coordinator key: {keys.coordinator}\n"
            + (
                f"  host_org key for {keys.host_organization}: {keys.host_org}\n"
                if keys.host_org
                else ""
            )
            + f"  try: curl -H 'Authorization: Bearer {keys.coordinator}' {base}/api/v1/openings\n"
            f"\n  workspace: {base}/app/  (demo passwords: the demo database only)\n"
            f"  coordinator: {people.coordinator}  password: {people.password}\n"
            + (
                f"  host_org user for {people.host_organization}: {people.host}"
                f"  password: {people.password}\n"
                if people.host
                else ""
            )
        )
    # uvicorn re-raises SIGTERM once it has shut down; make it an exit, so that the
    # embedded worker is stopped (and a run in progress marked interrupted) on the way out.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    with embedded(get_settings()) if worker else nullcontext():
        uvicorn.run(create_app(get_settings(), engine), host=host, port=port, access_log=False)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@app.command("worker")
def worker_command() -> None:
    """Solve queued runs until stopped (SIGTERM/Ctrl-C); run as many as you like."""
    from jet_match.config import get_settings
    from jet_match.db import migrate as run_migrations
    from jet_match.worker import run_worker

    engine = _engine()
    run_migrations(engine)
    engine.dispose()
    run_worker(get_settings())


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the configured database schema (serve does this on start)."""
    from jet_match.db import current_revision
    from jet_match.db import migrate as run_migrations

    engine = _engine()
    run_migrations(engine, revision)
    typer.echo(f"database at revision {current_revision(engine)}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A dataset (.json) or a sheet (.csv, .xlsx).")],
    kind: Annotated[
        str | None,
        typer.Option(help="For a sheet: organizations, openings, participants or contracts."),
    ] = None,
) -> None:
    """Import a dataset or a sheet into the configured database, all-or-nothing."""
    from jet_match.db import migrate as run_migrations
    from jet_match.db import session_scope
    from jet_match.services.kit import spreadsheets
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.records import imports

    try:
        raw = file.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    engine = _engine()
    run_migrations(engine)
    suffix = file.suffix.lower()
    try:
        with session_scope(engine) as session:
            if suffix == ".json":
                result = imports.import_dataset(session=session, caller=COMMAND_LINE, raw=raw)
            elif suffix in (".csv", ".xlsx") and kind in spreadsheets.KIND_RECORDS:
                media_type = (
                    spreadsheets.CSV_MEDIA_TYPE
                    if suffix == ".csv"
                    else spreadsheets.XLSX_MEDIA_TYPE
                )
                result = imports.import_sheet(
                    session=session, caller=COMMAND_LINE, kind=kind, raw=raw, media_type=media_type
                )
            else:
                typer.echo("error: a .json dataset, or a .csv/.xlsx sheet with --kind", err=True)
                raise typer.Exit(2)
    except DomainError as error:
        _fail(error)
    typer.echo(result.resource.model_dump_json(indent=2))


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    kind: Annotated[
        str | None,
        typer.Option(help="organizations, openings, participants or contracts: a sheet instead."),
    ] = None,
) -> None:
    """Export the stored records as a dataset (.json) or one kind as a sheet (.csv, .xlsx)."""
    from jet_match.db import session_scope
    from jet_match.services.kit import spreadsheets
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.records import exports

    if kind is not None and kind not in spreadsheets.KIND_RECORDS:
        typer.echo("error: --kind is organizations, openings, participants or contracts", err=True)
        raise typer.Exit(2)
    with session_scope(_engine()) as session:
        if kind is None:
            dataset = exports.export_dataset(session=session, caller=COMMAND_LINE)
            content = dataset_to_json(dataset, pretty=True)
        else:
            is_xlsx = out.suffix.lower() == ".xlsx"
            sheet_format = exports.SheetFormat.XLSX if is_xlsx else exports.SheetFormat.CSV
            content = exports.export_sheet(
                session=session, caller=COMMAND_LINE, kind=kind, sheet_format=sheet_format
            )
    try:
        out.write_bytes(content)
    except OSError as exc:
        typer.echo(f"error: cannot write {out}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {out}")


@app.command()
def backup(
    out: Annotated[Path, typer.Option("--out", help="The new file the copy is written to.")],
) -> None:
    """Copy the SQLite database while the service runs (PostgreSQL: pg_dump, docs/operations.md)."""
    from jet_match.db import backup_sqlite

    try:
        pages = backup_sqlite(_engine(), out)
    except (ValueError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"backed up {pages} pages to {out}")


# --- solver: solve --------------------------------------------------------------


@app.command()
def solve(
    dataset: Annotated[Path, typer.Argument(help="The dataset JSON file to solve.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the result JSON.")],
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="Seconds allowed for the whole run: reading, eligibility, search, metrics.",
        ),
    ] = 60.0,
    seed: Annotated[int, typer.Option(help="Seed of the solver's randomness.")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary for scripts instead of text.")
    ] = False,
) -> None:
    """Place the participants of a dataset; write a jet-match/result@1 document."""
    from jet_match.solver.deadline import Deadline

    # The limit is the command's, from the moment it starts; the interpreter's start-up
    # (about half a second) falls within the promised margin (limit x 1.1 + 2 s). Not the
    # process's age: a process that runs commands in turn (a test, a shell) is older.
    deadline = Deadline(time_limit)
    from jet_match.config import get_settings
    from jet_match.process_memory import keep_freed_memory
    from jet_match.services.bridge.solving import solve_dataset_file
    from jet_match.solver.result import Progress

    if get_settings().keep_freed_memory:
        keep_freed_memory()  # as a worker's solver process: 9-19 % faster at national scale

    errors = Console(stderr=True)
    status = errors.status("solving...") if errors.is_terminal and not as_json else None

    def show(progress: Progress) -> None:
        if status is not None and progress.gap is not None:
            status.update(
                f"solving... {progress.elapsed_s:.0f}s, placed {progress.placed}, "
                f"gap {100 * progress.gap:.3f}%"
            )

    try:
        if status is not None:
            status.start()
        try:
            outcome = solve_dataset_file(
                dataset, out, time_limit_s=time_limit, seed=seed, progress=show, deadline=deadline
            )
        finally:
            if status is not None:
                status.stop()
    except DatasetInvalid as invalid:
        if as_json:
            report = {"file": str(dataset), "valid": False, "issues": _issue_dicts(invalid.issues)}
            typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        else:
            _print_issue_table(dataset, invalid.issues)
        raise typer.Exit(1) from None
    except OSError as exc:  # the result cannot be written (the dataset was read already)
        typer.echo(f"error: cannot write {out}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    document = outcome.document
    summary = {
        key: document[key] for key in ("status", "engine", "objective", "bound", "gap", "timings")
    }
    summary["rank_profile"] = document["metrics"]["rank_profile"]
    summary["unplaced"] = len(document["unplaced"])
    summary["conflicts"] = document["conflicts"]
    if as_json:
        typer.echo(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
    else:
        objective, ranks = document["objective"], summary["rank_profile"]
        gap = "" if document["gap"] is None else f", gap {100 * document['gap']:.3f}%"
        typer.echo(
            f"{document['status']} ({document['engine']}{gap}): placed {objective['placed']:,}, "
            f"unplaced {summary['unplaced']:,}, score {objective['score']:,}, "
            f"moved {objective['moved']:,}"
        )
        typer.echo(
            f"rank profile: 1st {ranks['first']:,}, 2nd {ranks['second']:,}, "
            f"3rd {ranks['third']:,}, same region {ranks['same_region']:,}, "
            f"elsewhere {ranks['elsewhere']:,}"
        )
        for conflict in document["conflicts"]:
            who = ", ".join([*conflict["participants"], *conflict["openings"]])
            typer.echo(f"conflict {conflict['code']}: {conflict['message']} ({who})", err=True)
        typer.echo(f"time {document['timings']['total_s']:.2f}s; wrote {out}")
    if document["status"] in ("infeasible", "timeout"):
        raise typer.Exit(3)


def main() -> None:
    """Entry point of the `jet-match` console script."""
    app()
