"""The `jet-match` command line: serve, keys, import/export, validate, solve, fixtures.

Commands parse arguments, call one function of the library and print; they hold no
business logic. Bad input ends with a readable message and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from jet_match.dataset.format import dataset_counts, dataset_to_json
from jet_match.dataset.generator import DEMO_SEED, ScaleName, generate_scale
from jet_match.dataset.schema import render_json_schema
from jet_match.dataset.validation import (
    DEFAULT_MAX_BYTES,
    DatasetInvalid,
    DatasetIssue,
    read_dataset_file,
)

app = typer.Typer(
    name="jet-match",
    help="Placement matching for the JET Programme.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
fixtures_app = typer.Typer(help="Generate realistic datasets.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
app.add_typer(keys_app, name="keys")


# --- dataset: validate, schema, fixtures generate (issue 2) ------------------------------


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
        table.add_row(issue.location().split(" .")[0], issue.field or "", issue.code, issue.message)
    console.print(table)


def _summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['participants']:,} participants ({counts['participants_ALT']:,} ALT, "
        f"{counts['participants_CIR']:,} CIR, {counts['participants_SEA']:,} SEA; "
        f"{counts['alternate']:,} alternates, {counts['withdrawn']:,} withdrawn, "
        f"{counts['couples']:,} couples), {counts['organizations']:,} organizations, "
        f"{counts['openings']:,} openings with {counts['open_slots']:,} open slots, "
        f"{counts['pins']:,} pins, {counts['forbidden']:,} forbidden pairs, "
        f"{counts['previous_plan']:,} previous placements"
    )


def main() -> None:
    """Entry point of the `jet-match` console script."""
    app()
