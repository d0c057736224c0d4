"""The `haztrak` command: serve, migrate, createuser, seed, and the other processes."""

# Each command imports what it needs when it runs: `haztrak --version` and `--help` load no
# web framework, ORM or driver, and neither do the worker processes `serve --workers N`
# spawns (they import this module again) before they import the app.

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from haztrak import __version__
from haztrak.domain.errors import DomainError
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.logs import configure_logging
from haztrak.entrypoints.settings import Settings, SettingsError, load_settings

T = TypeVar("T")

DEMO_PASSWORD = "haztrak-demo"  # noqa: S105 - the documented password of the dev demo


def _run_with_container(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    """Run `work` with a container, once the database has answered (else one clear line)."""
    import asyncio

    from dishka import make_async_container
    from sqlalchemy.ext.asyncio import AsyncEngine

    from haztrak.adapters.persistence import database
    from haztrak.entrypoints.providers import core_providers

    async def runner() -> T:
        container = make_async_container(*core_providers(), context={Settings: settings})
        try:
            await database.check_connection(await container.get(AsyncEngine))
            return await work(container)
        finally:
            await container.close()

    return asyncio.run(runner())


def migrate(settings: Settings, revision: str = "head", *, down: bool = False) -> None:
    async def work(container: object) -> None:
        from dishka import AsyncContainer
        from sqlalchemy.ext.asyncio import AsyncEngine

        from haztrak.adapters.persistence import database

        assert isinstance(container, AsyncContainer)
        engine = await container.get(AsyncEngine)
        if down:
            await database.downgrade(engine, revision)
        else:
            await database.upgrade(engine, revision)
        print(f"database at revision {await database.current_revision(engine)}")

    _run_with_container(settings, work)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    if args.check:  # an init container waits on this until the migration Job has run
        check_database(settings)
        print("haztrak migrate: the database is at this version's schema")
        return 0
    migrate(settings, args.revision, down=args.down)
    return 0


def cmd_createuser(settings: Settings, args: argparse.Namespace) -> int:
    password = os.environ.get("HT_CREATEUSER_PASSWORD") or getpass.getpass("Password: ")

    async def work(container: object) -> None:
        from dishka import AsyncContainer

        from haztrak.application.identity.profile import CreateUser

        assert isinstance(container, AsyncContainer)
        async with container() as request:
            create = await request.get(CreateUser)
            user = await create(
                args.username, Secret(password), email=args.email or "", is_staff=args.staff
            )
            print(f"created user {user.username}{' (staff)' if user.is_staff else ''}")

    _run_with_container(settings, work)
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    if not args.demo:
        print("nothing to seed: pass --demo", file=sys.stderr)
        return 2
    if settings.is_prod and not args.password:
        print("haztrak seed --demo: HT_ENV=prod needs --password", file=sys.stderr)
        return 2
    password = args.password or DEMO_PASSWORD
    from haztrak.entrypoints.cli.demo import demo_data, sandbox_credentials

    data = demo_data(sandbox_credentials())

    async def work(container: object) -> list[str]:
        from dishka import AsyncContainer

        from haztrak.application.identity.demo import SeedDemoData

        assert isinstance(container, AsyncContainer)
        async with container() as request:
            seed = await request.get(SeedDemoData)
            return await seed(data, Secret(password))

    created = _run_with_container(settings, work)
    print("demo data ready. Logins (username / password):")
    for user in data.users:
        shown = password if user.username in created else "(existed; password unchanged)"
        print(f"  {user.username:<14} {shown}")
    return 0


def check_database(settings: Settings) -> None:
    """The database answers and is at this code's schema (for processes that do not migrate)."""

    async def work(container: object) -> None:
        from dishka import AsyncContainer
        from sqlalchemy.ext.asyncio import AsyncEngine

        from haztrak.adapters.persistence import database

        assert isinstance(container, AsyncContainer)
        await database.check_schema(await container.get(AsyncEngine))

    _run_with_container(settings, work)


# How long uvicorn's supervisor waits for a worker process to answer its health check (its
# default is 5 s). A worker on a slow or busy host that took longer to start was killed and
# replaced again and again ("Child process died").
WORKER_HEALTHCHECK_SECONDS = 60


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from haztrak.entrypoints.cli import preflight

    host = args.host or settings.http.host
    port = args.port or settings.http.port
    if args.workers > 1 and (settings.redis_url is None or settings.database.is_sqlite):
        print(
            "haztrak serve --workers > 1 needs HT_REDIS_URL and a PostgreSQL HT_DATABASE_URL: "
            "sessions and data must be shared between worker processes",
            file=sys.stderr,
        )
        return 2
    if args.workers > 1 and settings.rcrainfo.env == "sandbox":
        print(
            "haztrak serve --workers > 1 cannot share the embedded e-Manifest sandbox: run "
            "`haztrak sandbox --port 8001` and set HT_RCRAINFO_ENV=https://127.0.0.1:8001/rest/api/",
            file=sys.stderr,
        )
        return 2
    # Everything that would stop the server is found out before anything starts: no worker,
    # scheduler or migration runs for a server that cannot bind its port.
    refusal = preflight.sandbox_in_prod(settings) or preflight.port_taken(host, port)
    if refusal:
        print(f"haztrak serve: {refusal}", file=sys.stderr)
        return 2
    if settings.is_prod:
        check_database(settings)
    else:
        migrate(settings)
    preflight.warn_if_redis_down(settings)
    print(f"Haztrak {__version__}: the web UI on http://{host}:{port}/ (API docs at /api/docs)")
    uvicorn.run(
        "haztrak.entrypoints.http.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        log_config=None,
        access_log=False,
        server_header=False,
    )
    return 0


def _refuse_without_services(
    command: str, settings: Settings, *, calls_rcrainfo: bool = True
) -> str | None:
    if settings.redis_url is None:
        return (
            f"haztrak {command} needs HT_REDIS_URL: on embedded defaults `haztrak serve` runs "
            "the worker and the scheduler itself"
        )
    if calls_rcrainfo and settings.rcrainfo.env == "sandbox":
        return (
            f"haztrak {command} cannot share the embedded e-Manifest sandbox of another "
            "process: run `haztrak sandbox --port 8001` and set "
            "HT_RCRAINFO_ENV=https://127.0.0.1:8001/rest/api/"
        )
    return None


def _heartbeat(settings: Settings, args: argparse.Namespace) -> Path:
    from haztrak.entrypoints.heartbeat import default_heartbeat

    path: Path = args.heartbeat or default_heartbeat(settings.var_dir, args.command)
    return path


def _check_heartbeat(settings: Settings, args: argparse.Namespace) -> int:
    """`--check`: 0 when the running process beat recently, else 1 and why (a health check)."""
    from haztrak.entrypoints import heartbeat

    problem = heartbeat.check(_heartbeat(settings, args))
    if problem:
        print(f"haztrak {args.command}: {problem}", file=sys.stderr)
        return 1
    print(f"haztrak {args.command}: alive")
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    if args.check:
        return _check_heartbeat(settings, args)
    from haztrak.entrypoints.cli import preflight
    from haztrak.entrypoints.worker.main import run_worker

    refusal = _refuse_without_services("worker", settings)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    check_database(settings)
    preflight.warn_if_redis_down(settings)
    run_worker(settings, threads=args.threads, heartbeat=_heartbeat(settings, args))
    return 0


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    if args.check:
        return _check_heartbeat(settings, args)
    from haztrak.entrypoints.cli import preflight
    from haztrak.entrypoints.scheduler.main import run_scheduler

    refusal = _refuse_without_services("scheduler", settings, calls_rcrainfo=False)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    check_database(settings)
    preflight.warn_if_redis_down(settings)
    run_scheduler(settings, heartbeat=_heartbeat(settings, args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="haztrak", description=__doc__)
    parser.add_argument("--version", action="version", version=f"haztrak {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", help="address to listen on (default HT_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default HT_PORT, 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP worker processes (default 1); more than one needs PostgreSQL and Redis",
    )
    serve.set_defaults(handler=cmd_serve)

    mig = commands.add_parser("migrate", help="upgrade (or downgrade) the database schema")
    mig.add_argument(
        "revision", nargs="?", default="head", help="the revision to go to (default head)"
    )
    mig.add_argument("--down", action="store_true", help="downgrade to REVISION (base: empty)")
    mig.add_argument(
        "--check",
        action="store_true",
        help="change nothing: exit 0 if the database is at this version's schema, else 1",
    )
    mig.set_defaults(handler=cmd_migrate)

    create = commands.add_parser(
        "createuser", help="create a user (password from HT_CREATEUSER_PASSWORD or a prompt)"
    )
    create.add_argument("username", help="the new user's login name")
    create.add_argument("--email", help="the user's email address")
    create.add_argument("--staff", action="store_true", help="may use the admin site")
    create.set_defaults(handler=cmd_createuser)

    seed = commands.add_parser("seed", help="load demo data (idempotent)")
    seed.add_argument(
        "--demo",
        action="store_true",
        help="the demo orgs, sites (VATESTGEN001, MOCKTRANS001/002, MOCKTSDFS001) and users",
    )
    seed.add_argument("--password", help=f"password of new demo users (dev: {DEMO_PASSWORD})")
    seed.set_defaults(handler=cmd_seed)

    worker = commands.add_parser(
        "worker", help="run task workers against Redis (HT_REDIS_URL); run as many as needed"
    )
    worker.add_argument("--threads", type=int, help="worker threads (default HT_WORKER_THREADS)")
    _add_health_options(worker, "worker")
    worker.set_defaults(handler=cmd_worker)

    scheduler = commands.add_parser(
        "scheduler", help="enqueue periodic work: site syncs, lookup refresh, task pruning"
    )
    _add_health_options(scheduler, "scheduler")
    scheduler.set_defaults(handler=cmd_scheduler)

    _add_optional_commands(commands)
    for choice in commands._choices_actions:  # each command's --help opens with what it does
        command = commands.choices[choice.dest]
        command.description = command.description or choice.help
    return parser


def _add_health_options(parser: argparse.ArgumentParser, process: str) -> None:
    parser.add_argument(
        "--heartbeat",
        type=Path,
        metavar="PATH",
        help=f"the file the running {process} touches every 10 s "
        f"(default HT_VAR_DIR/{process}.heartbeat)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"health check: exit 0 if a {process} beat into --heartbeat within 60 s, else 1",
    )


def _add_optional_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from haztrak.entrypoints.sandbox.cli import add_sandbox_command

    add_sandbox_command(commands)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"haztrak: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log)
    if hasattr(args, "func"):  # commands registered by their own package (the sandbox)
        code: int = args.func(args, settings)
        return code
    handler: Callable[[Settings, argparse.Namespace], int] = args.handler
    try:
        return handler(settings, args)
    except DomainError as exc:
        print(f"haztrak {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
