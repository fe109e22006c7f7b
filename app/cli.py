"""The command line: ``iovlab validate | trace | compare``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.sim import (
    HopBudgetExceeded,
    ScenarioError,
    Trace,
    compare_levels,
    format_comparison,
    format_text,
    load_scenario_file,
    simulate,
)
from app.sim.compare import comparison_document
from app.sim.export import trace_document
from app.sim.loadcurve import format_load_curve
from app.sim.scenario import Level, Scenario

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="iovlab: I/O virtualization in a virtual machine monitor, step by step.",
    no_args_is_help=True,
    add_completion=False,
)

instructor = typer.Typer(help="Instructor accounts.", no_args_is_help=True)
app.add_typer(instructor, name="instructor")

database = typer.Typer(help="The database's schema (DATABASE_URL).", no_args_is_help=True)
app.add_typer(database, name="db")

ScenarioPath = Annotated[Path, typer.Argument(help="A scenario file (YAML or JSON).")]


class Format(str, Enum):
    text = "text"
    json = "json"


def _load(path: Path) -> Scenario:
    try:
        return load_scenario_file(path)
    except ScenarioError as error:
        for problem in error.problems:
            typer.echo(f"{path}: {problem}", err=True)
        raise typer.Exit(code=2) from None


def _max_hops() -> int:
    """The hop budget of the settings (IOVLAB_MAX_HOPS), as the web app applies it."""
    from pydantic import ValidationError

    from app.settings import Settings

    try:
        return Settings().max_hops
    except ValidationError as error:
        typer.echo(f"iovlab: the settings are not valid: {error}", err=True)
        raise typer.Exit(code=2) from None


@contextmanager
def _within_budget(path: Path) -> Iterator[None]:
    """A run that passes the hop budget is one line naming it, and exit 2."""
    try:
        yield
    except HopBudgetExceeded as error:
        typer.echo(f"{path}: {error.problems[0]}", err=True)
        raise typer.Exit(code=2) from None


@app.command()
def validate(path: ScenarioPath) -> None:
    """Check a scenario file; print one line per problem and exit 2 if there are any.

    The workload is simulated too, so a scenario past the hop budget is refused here
    as the web app would refuse it."""
    scenario = _load(path)
    with _within_budget(path):
        simulate(scenario, max_hops=_max_hops())
    typer.echo(
        f"{path}: ok — {scenario.name!r}: {len(scenario.guests)} guests, "
        f"{len(scenario.devices)} devices, {len(scenario.workload)} workload items"
    )


@app.command()
def trace(
    path: ScenarioPath,
    # the choices are the Level type's own values, as everywhere else that lists levels
    level: Annotated[
        Level | None,
        typer.Option(help="Run every request at this interception level."),
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
) -> None:
    """Simulate the scenario's workload and print every hop of every request."""
    scenario = _load(path)
    with _within_budget(path):
        result = simulate(scenario, level=level, max_hops=_max_hops())
    typer.echo(_render(result, format), nl=False)


@app.command()
def compare(
    path: ScenarioPath,
    format: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    load: Annotated[
        bool,
        typer.Option(
            "--load",
            help="Instead: traps and interrupts per request against offered load "
            "(device-driver level, with virtio batching and without).",
        ),
    ] = False,
) -> None:
    """The same workload at the three interception levels and on the bare machine:
    means over the requests that ended ok, the refused counted apart, and what
    each level adds as a share of the native latency."""
    scenario = _load(path)
    if load:
        with _within_budget(path):
            typer.echo(format_load_curve(scenario), nl=False)
        return
    with _within_budget(path):
        result = compare_levels(scenario, max_hops=_max_hops())
    if format is Format.json:
        document = comparison_document(scenario, result)
        typer.echo(json.dumps(document, indent=1, ensure_ascii=False))
    else:
        typer.echo(format_comparison(scenario, result), nl=False)


KEEP_ALIVE_S = 30


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Start the web application (settings from the environment: see README)."""
    import uvicorn

    _engine().dispose()  # refuse now, with the reason, rather than in every worker
    typer.echo(f"iovlab on http://{host}:{port}/")
    # the application decides whose X-Forwarded-For to believe (IOVLAB_TRUSTED_PROXIES);
    # uvicorn's own default would believe any from loopback
    uvicorn.run(
        "app.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        # a student's next request comes seconds after the last (composing it, watching the
        # player): past uvicorn's 5 s the server closes the idle connection, and a request
        # sent on it as it closes fails in a client that does not retry, as a busy class
        # showed (bench/load.py --think 3: 9 of 500 students lost a request)
        timeout_keep_alive=KEEP_ALIVE_S,
    )


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or used is one clear line, not a traceback."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        typer.echo(f"iovlab: the database (DATABASE_URL) failed: {reason}", err=True)
        raise typer.Exit(code=2) from None


def _engine(*, migrated: bool = True) -> Engine:
    """The database of DATABASE_URL; exit 2 with the reason if it cannot be used."""
    from pydantic import ValidationError

    from app.settings import Settings
    from app.store.db import make_engine
    from app.store.schema import NotMigrated, require_migrated

    try:
        engine = make_engine(Settings().database_url)
    except ValidationError as error:
        typer.echo(f"iovlab cannot start: {error}", err=True)
        raise typer.Exit(code=2) from None
    if migrated:
        try:
            with _database_errors():
                require_migrated(engine)
        except NotMigrated as error:
            engine.dispose()
            typer.echo(f"iovlab cannot start: {error}", err=True)
            raise typer.Exit(code=2) from None
    return engine


@database.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate every table to the schema this iovlab needs (run before serving)."""
    from app.store.schema import upgrade

    engine = _engine(migrated=False)
    with _database_errors():
        before, after = upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    engine.dispose()
    if before == after:
        typer.echo(f"{where}: already at schema {after}")
    else:
        typer.echo(f"{where}: schema {before or 'empty'} → {after}")


@database.command("current")
def db_current() -> None:
    """Print the database's schema revision and the one this iovlab needs."""
    from app.store.schema import current, head

    engine = _engine(migrated=False)
    with _database_errors():
        found = current(engine)
    engine.dispose()
    typer.echo(f"database schema: {found or 'none'}; needed: {head()}")
    if found != head():
        raise typer.Exit(code=1)


@instructor.command("add")
def instructor_add(
    email: Annotated[str, typer.Argument(help="The instructor's e-mail address, used to sign in.")],
) -> None:
    """Create an instructor account; the password is asked on the terminal."""
    from sqlmodel import Session

    from app.store.accounts import add_instructor

    if "@" not in email or len(email) > 254:
        typer.echo(f"{email!r} is not an e-mail address", err=True)
        raise typer.Exit(code=2)
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        typer.echo("the password must have at least 10 characters", err=True)
        raise typer.Exit(code=2)
    engine = _engine()
    try:
        with Session(engine) as db:
            add_instructor(db, email=email, password=password)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    typer.echo(f"instructor {email.strip().lower()} added")


def _render(result: Trace, format: Format) -> str:
    if format is Format.json:
        return json.dumps(trace_document(result), indent=1, ensure_ascii=False) + "\n"
    return format_text(result)


if __name__ == "__main__":
    app()
