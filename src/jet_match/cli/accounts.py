"""`jet-match keys` and `jet-match users`: API keys for machines, staff accounts for people."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from jet_match.cli.common import engine_from_settings as _engine
from jet_match.cli.common import fail as _fail
from jet_match.errors import DomainError
from jet_match.statuses import Role

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts of the workspace (/app).", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="coordinator, host_org or career_fair.")],
    organization: Annotated[
        str | None, typer.Option(help="external_id of the organization (host_org keys).")
    ] = None,
    name: Annotated[str, typer.Option(help="Who or what uses the key.")] = "created on the CLI",
    prefecture_scope: Annotated[
        bool,
        typer.Option(
            "--prefecture-scope",
            help="A prefecture's host_org key also reads its prefecture's organizations.",
        ),
    ] = False,
) -> None:
    """Create a key directly in the database; prints the key (shown only this once)."""
    from jet_match.db import migrate as run_migrations
    from jet_match.db import session_scope
    from jet_match.schemas.api_keys import ApiKeyCreate
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.security import api_keys

    engine = _engine()
    run_migrations(engine)
    try:
        key_in = ApiKeyCreate(
            role=role, organization=organization, name=name, prefecture_scope=prefecture_scope
        )
        with session_scope(engine) as session:
            created = api_keys.create_key(session=session, caller=COMMAND_LINE, key_in=key_in)
    except DomainError as error:
        _fail(error)
    except ValidationError as error:
        typer.echo(f"error: {error.errors()[0]['msg']}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"created {created.role.value} key {created.id}; store it now, it is not shown again:",
        err=True,
    )
    typer.echo(created.key)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    from jet_match.db import session_scope
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.kit.pagination import PageRequest
    from jet_match.services.security import api_keys

    table = Table(title="API keys")
    for column in ("id", "role", "organization", "name", "created", "revoked"):
        table.add_column(column)
    cursor = None
    with session_scope(_engine()) as session:
        while True:
            page = api_keys.list_keys(
                session=session, caller=COMMAND_LINE, page=PageRequest(cursor, 500)
            )
            for key in page.items:
                table.add_row(
                    key.id,
                    key.role.value,
                    key.organization or "",
                    key.name,
                    f"{key.created_at:%Y-%m-%d %H:%M}",
                    f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "",
                )
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    Console(width=160).print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (its prefix).")]) -> None:
    """Revoke a key at once."""
    from jet_match.db import session_scope
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.security import api_keys

    try:
        with session_scope(_engine()) as session:
            api_keys.revoke_key(session=session, caller=COMMAND_LINE, key_id=key_id)
    except DomainError as error:
        _fail(error)
    typer.echo(f"revoked {key_id}")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The person's e-mail address (their sign-in).")],
    role: Annotated[Role, typer.Option(help="coordinator or host_org.")],
    organization: Annotated[
        str | None, typer.Option(help="external_id of the organization (host_org users).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: from the e-mail).")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (else one is made)."
        ),
    ] = False,
    prefecture_scope: Annotated[
        bool,
        typer.Option(
            "--prefecture-scope",
            help="A prefecture's host_org user also reads its prefecture's organizations.",
        ),
    ] = False,
) -> None:
    """Create a staff account; prints a one-time password unless --password-stdin."""
    import sys

    from jet_match.db import migrate as run_migrations
    from jet_match.db import session_scope
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.security import accounts

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    engine = _engine()
    run_migrations(engine)
    try:
        with session_scope(engine) as session:
            created = accounts.create_user(
                session=session,
                caller=COMMAND_LINE,
                email=email,
                role=role,
                display_name=name,
                organization=organization,
                password=password,
                prefecture_scope=prefecture_scope,
            )
    except DomainError as error:
        _fail(error)
    typer.echo(f"created {created.user.role.value} user {created.user.email}", err=True)
    if created.one_time_password is not None:
        typer.echo("one-time password (store it now, it is not shown again):", err=True)
        typer.echo(created.one_time_password)


@users_app.command("list")
def users_list() -> None:
    """List staff accounts (never their passwords)."""
    from jet_match.db import session_scope
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.security import accounts

    table = Table(title="Users")
    for column in ("email", "name", "role", "organization", "state", "last sign-in"):
        table.add_column(column)
    with session_scope(_engine()) as session:
        for user in accounts.list_users(session=session, caller=COMMAND_LINE):
            state = "disabled" if user.disabled else ("locked" if user.locked else "active")
            table.add_row(
                user.email,
                user.display_name,
                user.role.value,
                user.organization or "",
                state,
                f"{user.last_sign_in_at:%Y-%m-%d %H:%M}" if user.last_sign_in_at else "",
            )
    Console(width=160).print(table)


@users_app.command("disable")
def users_disable(
    email: Annotated[str, typer.Option(help="The account's e-mail address.")],
) -> None:
    """Disable an account; its sessions end at once."""
    from jet_match.db import session_scope
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.security import accounts

    try:
        with session_scope(_engine()) as session:
            accounts.disable_user(session=session, caller=COMMAND_LINE, email=email)
    except DomainError as error:
        _fail(error)
    typer.echo(f"disabled {email}")
