"""The ``lienmach api-key`` and ``lienmach user`` commands: who may use the API and the back
office (registered by lienmach.cli)."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from lienmach.settings import Settings

console = Console()

api_key_app = typer.Typer(help="API keys for the REST API.")


def _cli_actor() -> str:
    """Who the audit trail names for a command typed at the console."""
    return f"cli:{getpass.getuser()}"


@api_key_app.command("create")
def api_key_create(
    name: Annotated[str, typer.Option(help="who uses the key; the actor of what it does")],
    scopes: Annotated[str, typer.Option(help="comma-separated, e.g. orders:read,warehouse or *")],
) -> None:
    """Create an API key with scopes; the key is printed once and never stored."""
    from lienmach.access.services import create_api_key
    from lienmach.bootstrap import build_runtime
    from lienmach.kernel.errors import InvalidInput

    runtime = build_runtime()
    try:
        key_id, key = runtime.run_as(
            _cli_actor(), create_api_key, name=name, scopes=scopes.split(",")
        )
    except InvalidInput as refused:
        _say_refused(refused.errors)
    console.print(
        f"[green]API key {key_id} created[/green] for {escape(name)!r}."
        " Keep it now; it is not shown again:"
    )
    typer.echo(key)


@api_key_app.command("list")
def api_key_list() -> None:
    """Every API key (revoked ones too): its scopes, when it was made and last used."""
    from rich.table import Table

    from lienmach.access.queries import list_api_keys
    from lienmach.bootstrap import build_runtime

    table = Table("id", "name", "key", "scopes", "created", "last used", "revoked")
    for key in build_runtime().read(list_api_keys):
        table.add_row(
            key.id,
            escape(key.name),
            f"{key.key_prefix}…",
            ", ".join(key.scopes),
            _moment(key.created_at),
            _moment(key.last_used_at) or "never",
            _moment(key.revoked_at),
        )
    console.print(table)


def _say_refused(errors: Mapping[str, str]) -> NoReturn:
    """Each refused field with what to do about it, then exit with status 2."""
    for field, message in errors.items():
        console.print(f"[red]{field}[/red]: {escape(message)}")
    raise typer.Exit(2) from None


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


@api_key_app.command("revoke")
def api_key_revoke(key_id: Annotated[str, typer.Argument(help="the key's id, key_…")]) -> None:
    """Revoke an API key: every request with it is refused from now on."""
    from lienmach.access.services import revoke_api_key
    from lienmach.bootstrap import build_runtime
    from lienmach.kernel.errors import NotFound

    try:
        build_runtime().run_as(_cli_actor(), revoke_api_key, key_id=key_id)
    except NotFound as missing:
        console.print(f"[red]{escape(str(missing))}[/red]")
        raise typer.Exit(2) from None
    console.print(f"API key {key_id} revoked.")


user_app = typer.Typer(help="Back-office accounts / Tài khoản trang quản trị.")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="the e-mail the person logs in with")],
    name: Annotated[str, typer.Option(help="the name colleagues know the person by")],
    role: Annotated[str, typer.Option(help="owner, sales, warehouse, support or accountant")],
    password: Annotated[
        str | None,
        typer.Option(help="for scripts; without it the password is asked for, hidden"),
    ] = None,
    locale: Annotated[str, typer.Option(help="the pages' language: vi or en")] = "vi",
) -> None:
    """Open a back-office account; its role decides what the person may see and do."""
    from lienmach.access.services import create_user
    from lienmach.bootstrap import build_runtime
    from lienmach.kernel.errors import InvalidInput

    if password is None:
        password = typer.prompt(
            "Password / Mật khẩu (≥ 10 characters / ký tự)",
            hide_input=True,
            confirmation_prompt=True,
        )
    runtime = build_runtime()
    try:
        user_id = runtime.run(
            create_user,
            email=email,
            display_name=name,
            password=password,
            role=role,
            locale=locale,
        )
    except InvalidInput as refused:
        _say_refused(refused.errors)
    console.print(
        f"[green]User {user_id} created[/green] / Đã tạo tài khoản: {escape(email.strip().lower())}"
        f" ({escape(role)}). Log in at / Đăng nhập tại {Settings().public_base_url}/app"
    )
