"""``polyport auth``: sign in (OAuth PKCE or device code, or save an API key), list, status, log out.

Credentials go to the secret store (OS keyring, else the encrypted file); these commands
show who signed in, the profile and the expiry — never a token.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys
import time
from typing import Annotated, Any

import typer
from pydantic import SecretStr
from rich.table import Table

from polyport_core.auth import (
    DEFAULT_PROFILE,
    StoredCredential,
    credential_key,
    default_store,
    load_credential,
    login_device,
    login_pkce,
    open_browser,
    parse_key,
    resolve_secret,
    save_credential,
)
from polyport_core.cli._output import console, fail, fold_keys, print_json, safe
from polyport_core.errors import PolyportError
from polyport_core.registry import get_registry
from polyport_core.spec import ProviderSpec

__all__ = ["auth_app", "register"]

auth_app = typer.Typer(help="Sign in to providers and manage saved credentials (never shows a token).")

ProfileOpt = Annotated[str, typer.Option("--profile", "-p", help="Name of the credential (work, personal, ci…).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def register(app: typer.Typer) -> None:
    """Add the ``auth`` group to the ``polyport`` app."""
    app.add_typer(auth_app, name="auth")


def _spec(provider: str) -> ProviderSpec:
    try:
        return get_registry().get(provider)
    except PolyportError as exc:
        raise fail(str(exc)) from None


def _expiry(expires_at: float | None, now: float) -> str:
    if expires_at is None:
        return "no expiry given"
    when = dt.datetime.fromtimestamp(expires_at, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    left = expires_at - now
    if left <= 0:
        return f"expired {when}"
    return f"{when} (in {int(left // 3600)} h {int(left % 3600 // 60)} min)"


@auth_app.command("login")
def login(
    provider: Annotated[str, typer.Argument(help="Provider id from a provider file.")],
    profile: ProfileOpt = DEFAULT_PROFILE,
    device: Annotated[bool, typer.Option("--device", help="Device code sign-in (headless machines).")] = False,
    api_key: Annotated[
        bool, typer.Option("--api-key", help="Save an API key (read from stdin or a prompt) under the profile.")
    ] = False,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the sign-in address.")] = False,
) -> None:
    """Sign in to PROVIDER and save the credential under --profile."""
    spec = _spec(provider)
    try:
        store = default_store()
        if api_key:
            key = _read_key()
            save_credential(
                store,
                StoredCredential(
                    kind="api_key",
                    provider=provider,
                    profile=profile,
                    grant="api_key",
                    access_token=key,
                    obtained_at=time.time(),
                ),
            )
            console.print(f"saved an API key for {safe(provider)} (profile {safe(profile)}) in the {store.name} store")
            return
        auth = spec.auth
        if auth.type not in ("oauth2_pkce", "oauth2_device"):
            raise fail(
                f"{provider}: auth.type is {auth.type!r}; sign-in needs 'oauth2_pkce' or 'oauth2_device' "
                "(or use --api-key to save a key)"
            )
        secret = _client_secret(spec)
        if device or auth.type == "oauth2_device":
            record = login_device(
                auth,
                provider=provider,
                profile=profile,
                client_secret=secret,
                store=store,
                announce=_say,
                proxy=spec.proxy,
            )
        else:
            record = login_pkce(
                auth,
                provider=provider,
                profile=profile,
                client_secret=secret,
                store=store,
                announce=_say,
                browser=None if no_browser else open_browser,
                proxy=spec.proxy,
            )
    except PolyportError as exc:
        raise fail(str(exc)) from None
    who = f" as {record.identity}" if record.identity else ""
    console.print(
        f"signed in to {safe(provider)}{safe(who)} (profile {safe(profile)}); "
        f"expires {safe(_expiry(record.expires_at, time.time()))}; saved in the {store.name} store"
    )


def _say(text: str) -> None:
    console.print(safe(text), soft_wrap=True, highlight=False)


def _read_key() -> SecretStr:
    text = sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("API key: ")
    key = text.strip()
    if not key:
        raise fail("no API key given (pipe it on stdin or type it at the prompt)")
    return SecretStr(key)


def _client_secret(spec: ProviderSpec) -> SecretStr | None:
    auth = spec.auth
    reference = auth.client_secret or (SecretStr(f"env:{auth.client_secret_env}") if auth.client_secret_env else None)
    return resolve_secret(reference, provider=spec.id, field="auth.client_secret")


def _rows(provider: str | None) -> list[dict[str, Any]]:
    store = default_store()
    now = time.time()
    rows: list[dict[str, Any]] = []
    for key in store.keys():  # noqa: SIM118 - a SecretStore is not a dict
        parsed = parse_key(key)
        if parsed is None or (provider is not None and parsed[0] != provider):
            continue
        record = load_credential(store, *parsed)
        if record is None:
            continue
        row = record.describe()
        row["status"] = "valid" if record.expires_at is None or record.expires_at > now else "expired"
        if row["status"] == "expired" and record.refresh_token is not None:
            row["status"] = "expired (renews on next use)"
        row["store"] = store.name
        rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table("provider", "profile", "kind", "identity", "expires", "status")
    now = time.time()
    for row in rows:
        table.add_row(
            safe(row["provider"]),
            safe(row["profile"]),
            safe(row["grant"] or row["kind"]),
            safe(row["identity"] or "-"),
            safe(_expiry(row["expires_at"], now) if row["kind"] == "oauth" else "-"),
            safe(row["status"]),
        )
    return fold_keys(table)


@auth_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Saved credentials: provider, profile, identity and expiry."""
    try:
        rows = _rows(None)
    except PolyportError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no saved credentials (polyport auth login PROVIDER)")
        return
    console.print(_table(rows))


@auth_app.command("status")
def status(
    provider: Annotated[str, typer.Argument(help="Provider id.")],
    as_json: JsonOpt = False,
) -> None:
    """The credentials saved for PROVIDER and whether they are still valid."""
    try:
        rows = _rows(provider)
    except PolyportError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print_json(rows)
        return
    if not rows:
        raise fail(f"not signed in to {provider}: run `polyport auth login {provider}`")
    console.print(_table(rows))


@auth_app.command("logout")
def logout(
    provider: Annotated[str, typer.Argument(help="Provider id.")], profile: ProfileOpt = DEFAULT_PROFILE
) -> None:
    """Forget the credential saved for PROVIDER under --profile."""
    try:
        removed = default_store().delete(credential_key(provider, profile))
    except PolyportError as exc:
        raise fail(str(exc)) from None
    if not removed:
        raise fail(f"nothing saved for {provider} (profile {profile})")
    console.print(f"logged out of {safe(provider)} (profile {safe(profile)})")
