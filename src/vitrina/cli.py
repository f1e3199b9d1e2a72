"""The `vitrina` command line."""

from __future__ import annotations

import asyncio
import getpass
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from sqlalchemy.exc import SQLAlchemyError

from vitrina import __version__
from vitrina.bot import cli as bot_cli
from vitrina.cluster import ClusterError
from vitrina.core.config import ConfigError, Settings, get_settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.core.errors import AppError
from vitrina.core.mailer import latest_in_outbox
from vitrina.insights import cli as insights_cli
from vitrina.ledger.cli import app as ledger_app
from vitrina.migrations import runner
from vitrina.privacy import keys as privacy_keys
from vitrina.privacy.cli import app as privacy_app

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Vitrina: customer service in 3D storefronts."
)
admin_app = typer.Typer(no_args_is_help=True, help="Administration tasks.")
mail_app = typer.Typer(no_args_is_help=True, help="The development outbox.")
app.add_typer(admin_app, name="admin")
app.add_typer(mail_app, name="mail")
app.add_typer(privacy_app, name="privacy")
app.add_typer(bot_cli.app, name="bot")
app.add_typer(ledger_app, name="ledger")
app.add_typer(insights_cli.app, name="insights")
cluster_app = typer.Typer(
    no_args_is_help=True,
    help="A whole deployment on this machine: proxy, nodes, PostgreSQL, Redis.",
)
app.add_typer(cluster_app, name="cluster")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


class CliError(Exception):
    """A failure explained in one line to the operator."""


def _version(value: bool) -> None:
    if value:
        console.print(f"vitrina {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Vitrina command line."""


def _settings() -> Settings:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (needs Redis above 1).", min=1)
    ] = 1,
) -> None:
    """Serve the API, the world WebSocket and the web client."""
    import uvicorn

    settings = _settings()
    if workers > 1 and not settings.redis_url:
        raise CliError("several workers need VITRINA_REDIS_URL so that rooms span processes")
    engine = create_engine(settings.resolved_database_url)

    async def check() -> None:
        try:
            await runner.ensure_migrated(engine)
        finally:
            await engine.dispose()

    asyncio.run(check())
    console.print(f"Vitrina {__version__} on http://{host}:{port}  (API docs: /docs)")
    # Uvicorn shuts down cleanly on Ctrl-C or SIGTERM, then raises the signal again for
    # the previous handler: that handler makes it a clean exit, not a traceback.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _stopped)
    uvicorn.run(
        "vitrina.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # The world server refuses frames above its own limit with a documented close code;
        # the transport limit only stops absurd frames before they are buffered.
        ws_max_size=max(64 * 1024, settings.world_max_frame_bytes),
        # Snapshots are small binary frames sent to many clients: per-client deflate would
        # compress each one again per socket for little gain.
        ws_per_message_deflate=False,
        # uvicorn's websockets protocol plus the world's direct lane (vitrina.world.direct).
        ws="vitrina.world.direct:DirectWebSocketProtocol",
    )


def _stopped(signum: int, frame: object) -> None:
    console.print("Vitrina stopped.")
    raise SystemExit(0)


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to REVISION instead.")] = False,
) -> None:
    """Bring the database schema to the code's revision."""
    settings = _settings()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True
    ) as progress:
        progress.add_task(
            f"{'Downgrading' if down else 'Upgrading'} database to {revision}", total=None
        )
        if down:
            runner.downgrade(settings.resolved_database_url, revision)
        else:
            runner.upgrade(settings.resolved_database_url, revision)
    console.print(f"database at {runner.head_revision() if revision == 'head' else revision}")


@app.command()
def demo(
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the storefront in a browser.")
    ] = False,
) -> None:
    """Create or refresh the demo brand, Aurora Motors, and what each domain adds to it."""
    from vitrina.demo import SEEDERS

    settings = _settings()
    if settings.environment == "production":
        raise CliError("the demo seeds published credentials; it is refused in production")
    runner.upgrade(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    sessions = create_sessionmaker(engine, sealer=privacy_keys.sealer(settings))

    async def seed() -> list[str]:
        lines = []
        try:
            with Progress(console=err_console, transient=True) as progress:
                task = progress.add_task("Seeding the demo", total=len(SEEDERS))
                for name, seeder in SEEDERS:
                    progress.update(task, description=f"Seeding {name}")
                    async with transaction(sessions) as db:
                        lines.append(await seeder(db))
                    progress.advance(task)
        finally:
            await engine.dispose()
        return lines

    for line in asyncio.run(seed()):
        console.print(f"  {line}")
    url = f"{settings.public_url}/store/aurora-motors"
    console.print(f"Storefront: {url}")
    if open_browser:
        import webbrowser

        webbrowser.open(url)


@mail_app.command("latest")
def mail_latest(
    to: Annotated[str | None, typer.Option(help="Only mail sent to this address.")] = None,
) -> None:
    """Show the newest email of the development outbox (sign-in codes, replies)."""
    settings = _settings()
    if settings.smtp_host is not None:
        raise CliError("mail goes to the SMTP relay (VITRINA_SMTP_HOST): read it there")
    message = latest_in_outbox(settings.data_dir / "outbox", to=to)
    if message is None:
        raise CliError(f"no mail{' to ' + to if to else ''} in {settings.data_dir / 'outbox'}")
    body = message.get_body(preferencelist=("plain",))
    console.print(f"To: {message['To']}\nSubject: {message['Subject']}\n", markup=False)
    console.print(body.get_content() if body is not None else "", markup=False)


@admin_app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[
        list[str],
        typer.Option(
            help="Role: superadmin (every brand, creates brands), admin, supervisor, agent or "
            "dpo (repeatable)."
        ),
    ],
    brand: Annotated[list[str] | None, typer.Option(help="Brand slug served (repeatable).")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (prompted when omitted; 12+ characters).",
            envvar="VITRINA_NEW_USER_PASSWORD",
        ),
    ] = None,
) -> None:
    """Create a staff account: one that serves the --brand it lists, or a super-admin."""
    from vitrina.brands import service as brands
    from vitrina.core.security import SYSTEM_PRINCIPAL
    from vitrina.identity import service as identity
    from vitrina.identity.schemas import StaffUserCreate

    settings = _settings()
    if password is None:
        if not sys.stdin.isatty():
            raise CliError("no password given: pass --password or set VITRINA_NEW_USER_PASSWORD")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise CliError("the passwords differ")
    data = StaffUserCreate.model_validate(
        {
            "email": email,
            "display_name": name,
            "password": password,
            "roles": role,
            "brand_slugs": brand or [],
        }
    )
    engine = create_engine(settings.resolved_database_url)

    async def create() -> tuple[str, str]:
        try:
            await runner.ensure_migrated(engine)
            async with transaction(create_sessionmaker(engine, sealer=None)) as db:
                await brands.require_existing(db, slugs=data.brand_slugs)
                user = await identity.create_user(
                    db,
                    email=data.email,
                    display_name=data.display_name,
                    password=data.password,
                    roles=list(data.roles),
                    brand_slugs=data.brand_slugs,
                    actor=SYSTEM_PRINCIPAL,
                )
                return user.id, user.email
        finally:
            await engine.dispose()

    user_id, stored_email = asyncio.run(create())
    console.print(f"created {stored_email} ({', '.join(data.roles)}) id={user_id}")


@cluster_app.command("up")
def cluster_up(
    nodes: Annotated[int, typer.Option(help="App nodes.", min=1, max=16)] = 2,
    port: Annotated[int, typer.Option(help="The proxy's port.", min=1, max=65535)] = 8080,
    node_port: Annotated[
        int, typer.Option(help="The first node's port; the others follow.", min=1, max=65535)
    ] = 8101,
    pg_port: Annotated[int, typer.Option(help="PostgreSQL's port.", min=1, max=65535)] = 55490,
    redis_port: Annotated[int, typer.Option(help="Redis's port.", min=1, max=65535)] = 56490,
    root: Annotated[
        Path | None, typer.Option(help="Where its files go (default: <data dir>/cluster).")
    ] = None,
) -> None:
    """Start PostgreSQL, Redis, N app nodes and HAProxy; stop them all on Ctrl-C."""
    from vitrina.cluster import Cluster

    where = root or _settings().data_dir / "cluster"
    cluster = Cluster(
        root=where,
        nodes=nodes,
        proxy_port=port,
        node_base_port=node_port,
        pg_port=pg_port,
        redis_port=redis_port,
    )
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True
        ) as progress:
            task = progress.add_task("Starting the cluster", total=None)
            cluster.start(progress=lambda line: progress.update(task, description=line))
        console.print(f"Vitrina cluster on {cluster.url}/store/aurora-motors")
        for index in range(nodes):
            console.print(f"  node {index + 1}: {cluster.node_url(index)}  (metrics: /metrics)")
        console.print(f"  logs: {cluster.logs}    stop: Ctrl-C or `vitrina cluster down`")
        while True:
            for index, proc in list(cluster.node_procs.items()):
                if proc.poll() is not None:
                    err_console.print(f"node {index + 1} exited ({proc.returncode}); restarting")
                    cluster.node_procs.pop(index)
                    cluster.start_node(index)
            time.sleep(1)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with err_console.status("Stopping the cluster"):
            cluster.stop()
        console.print("Vitrina cluster stopped.")


@cluster_app.command("down")
def cluster_down(
    root: Annotated[
        Path | None, typer.Option(help="The cluster's directory (default: <data dir>/cluster).")
    ] = None,
) -> None:
    """Stop the cluster that `vitrina cluster up` runs."""
    from vitrina.cluster import stop_running

    where = root or _settings().data_dir / "cluster"
    if stop_running(where):
        console.print("Vitrina cluster stopped.")
    else:
        console.print("No cluster runs there.")


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"invalid {where}: {err['msg']}" if where else err["msg"]
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        return f"database error: {str(cause).splitlines()[0]}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def main() -> None:
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # a command's typer.Exit(code), returned by click
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except (
        CliError,
        ClusterError,
        ConfigError,
        runner.NotMigrated,
        AppError,
        ValidationError,
        SQLAlchemyError,
        OSError,
    ) as exc:
        err_console.print(f"[red]error:[/red] {_one_line(exc)}", highlight=False)
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here with their own message
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        err_console.print(
            f"[red]error:[/red] {type(exc).__name__}: {_one_line(exc)}", highlight=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
