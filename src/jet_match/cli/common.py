"""What every command of the command line shares: the database from the settings, and a
refusal printed as a message with a non-zero exit status (never a traceback)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer

from jet_match.errors import DomainError

if TYPE_CHECKING:
    from sqlalchemy import Engine


def engine_from_settings() -> Engine:
    """The database engine of the settings; a readable message and exit 2 if refused."""
    from sqlalchemy.exc import ArgumentError

    from jet_match.config import get_settings
    from jet_match.db import make_engine

    try:
        return make_engine(get_settings())
    except ValueError as exc:  # settings refused (docs/operations.md)
        typer.echo(f"error: {exc}", err=True)
    except ArgumentError:  # not a URL, or an unknown database kind
        typer.echo("error: JET_MATCH_DATABASE_URL is not a database URL", err=True)
    except OSError as exc:  # the SQLite file's directory cannot be made
        typer.echo(f"error: cannot create {exc.filename}: {exc.strerror}", err=True)
    raise typer.Exit(2)


def fail(error: DomainError) -> NoReturn:
    """Print a refusal, its problems one per line, and exit 1."""
    typer.echo(f"error: {error.detail}", err=True)
    for problem in error.problems:
        where = " ".join(p for p in (problem.record, problem.external_id or "") if p)
        row = f" (row {problem.row})" if problem.row else ""
        field = f" .{problem.field}" if problem.field else ""
        typer.echo(f"  {where}{field}{row}: {problem.message}", err=True)
    raise typer.Exit(1)
