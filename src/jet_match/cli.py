"""The `jet-match` command line: serve, keys, import/export, validate, solve, fixtures.

Commands parse arguments, call one function of the library and print; they hold no
business logic. Bad input ends with a readable message and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import typer

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


def main() -> None:
    """Entry point of the `jet-match` console script."""
    app()
