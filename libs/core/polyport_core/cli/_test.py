"""``polyport test PROVIDER[:MODEL]``: the doctor's live checks as a report card.

Exit code 0 when no check failed, 1 otherwise (2 for a bad command line).
``--write-profile`` writes what was observed into the provider's spec file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from polyport_core.auth import redact_text
from polyport_core.cli._output import console, err_console, fail, fold_keys, print_json, safe
from polyport_core.doctor import (
    CHECKS,
    CheckResult,
    DoctorTarget,
    ProfileWriteError,
    Report,
    Status,
    describe_error,
    run_doctor,
    write_profile,
)
from polyport_core.errors import PolyportError
from polyport_core.registry import get_registry, project_paths, user_dir

__all__ = ["register", "render_report"]

_STYLE = {
    Status.PASS: ("✔ pass", "green"),
    Status.WARN: ("! warn", "yellow"),
    Status.FAIL: ("✘ fail", "red"),
    Status.SKIP: ("– skip", "dim"),
}


class CopyTo(StrEnum):
    """Where ``--write-profile`` puts an editable copy of a read-only preset."""

    user = "user"
    project = "project"


def render_report(report: Report) -> Table:
    """The report card as a rich table."""
    verdict = "[green]healthy[/green]" if report.ok else "[red]failing[/red]"
    title = f"polyport test {safe(report.provider)}:{safe(report.model)} — {verdict}"
    table = Table(title=title, title_justify="left")
    table.add_column("check")
    table.add_column("result", no_wrap=True)
    table.add_column("ms", justify="right")
    table.add_column("detail", overflow="fold")
    fold_keys(table, "check")
    for result in report.results:
        label, style = _STYLE[result.status]
        ms = "" if result.latency_s is None or result.status is Status.SKIP else f"{result.latency_s * 1000:.0f}"
        table.add_row(safe(result.name), Text(label, style=style), ms, Text(redact_text(result.detail)))
    return table


def _progress(result: CheckResult) -> None:
    label, style = _STYLE[result.status]
    err_console.print(f"  [{style}]{label}[/{style}] {safe(result.name)}", highlight=False)


def _copy_dir(choice: CopyTo | None) -> Path:
    """Where a preset's editable copy goes: the user's providers folder unless ``--copy-to project``."""
    return project_paths()[0] if choice is CopyTo.project else user_dir()


def _names(values: list[str] | None) -> list[str] | None:
    """``--only auth,chat --only stream`` → ``["auth", "chat", "stream"]``."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _write(report: Report, target: DoctorTarget, copy_to: CopyTo | None, as_json: bool) -> str:
    observed = report.observed_capabilities()
    if not observed:
        raise ProfileWriteError(
            "no capability was observed (the checks that observe them were skipped or failed); nothing to write",
            provider=target.provider,
        )
    path = write_profile(target.spec, target.model, observed, copy_to=_copy_dir(copy_to))
    if not as_json:
        fields = ", ".join(f"{k}={v}" for k, v in observed.items())
        copied = f" (an editable copy of {target.spec.source})" if target.spec.source.startswith("preset:") else ""
        written = f"[green]profile written[/green] to {safe(path)}{safe(copied)}: {safe(fields)}"
        console.print(written, highlight=False, soft_wrap=True)
    return str(path)


def _run(doctor: DoctorTarget, only: list[str] | None, skip: list[str], as_json: bool) -> Report:
    """The checks, with a spinner naming the one running (a live check can take a minute)."""
    if as_json:
        return run_doctor(doctor, only=only, skip=skip)
    with err_console.status("starting ...", spinner="dots") as status:
        return run_doctor(
            doctor,
            only=only,
            skip=skip,
            on_result=_progress,
            on_start=lambda title: status.update(f"checking {safe(title)} ..."),
        )


def doctor_cmd(
    target: Annotated[str, typer.Argument(help="PROVIDER or PROVIDER:MODEL (default: first declared model).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
    write: Annotated[
        bool, typer.Option("--write-profile", help="Write observed capabilities into the provider's spec file.")
    ] = False,
    copy_to: Annotated[
        CopyTo | None,
        typer.Option("--copy-to", help="For presets: where the editable copy goes (default: the user folder)."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help=f"Run only these checks (comma-separated or repeated): {', '.join(CHECKS)}."),
    ] = None,
    skip: Annotated[list[str] | None, typer.Option("--skip", help="Checks to leave out (comma-separated).")] = None,
    max_tokens: Annotated[int, typer.Option(help="Output cap of every call.")] = 64,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 60.0,
) -> None:
    """Check a provider live: auth, models, chat, streaming, tools, structured output, embeddings, errors."""
    try:
        doctor = DoctorTarget.from_registry(target, get_registry(), max_tokens=max_tokens, timeout=timeout)
        if not as_json:
            where = f"{doctor.provider}:{doctor.model} ({doctor.spec.source})"
            err_console.print(f"checking {safe(where)} ...", highlight=False)
        report = _run(doctor, _names(only), _names(skip) or [], as_json)
    except PolyportError as exc:
        raise fail(describe_error(exc)) from None
    written: str | None = None
    write_error: str | None = None
    if write:
        try:
            written = _write(report, doctor, copy_to, as_json)
        except PolyportError as exc:
            write_error = exc.detail
    if as_json:
        print_json({**report.to_dict(), "profile_written": written, "profile_error": write_error})
    else:
        console.print(render_report(report))
        counts = report.counts()
        console.print(", ".join(f"{n} {s}" for s, n in counts.items() if n), highlight=False)
        if write_error:
            err_console.print(f"[red]profile not written:[/red] {safe(write_error)}", highlight=False, soft_wrap=True)
    if not report.ok or write_error:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``polyport test`` to the CLI."""
    app.command("test")(doctor_cmd)
