"""Migrations go forward without downtime: expand, then contract (CONTRIBUTING.md).

During a rolling upgrade the new release migrates first while processes of the previous
release still serve. So a migration only adds (tables, nullable columns or columns with a
server default, indexes) unless it declares itself a contract step, and then says which
release stopped reading what it removes. These tests check that rule on every migration's
operations and on the schema before and after the newest one, that an older process accepts a
newer schema (and a newer process refuses an older one), and they run the previous release's
own code against a database upgraded under it.
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, text

from haztrak.adapters.persistence import database
from haztrak.application.errors import ServiceUnavailable
from tests.conftest import PostgresDatabases
from tests.e2e.test_serve import _free_port, _wait_until_up

ROOT = Path(__file__).parents[3]
VERSIONS = database.MIGRATIONS / "versions"
DEMO_MANIFEST = ROOT / "docs" / "demo-manifest.json"

# What would break a process of the previous release that still runs on the new schema.
FORBIDDEN = {
    "drop_table": "drops a table",
    "drop_column": "drops a column",
    "alter_column": "alters (renames, retypes or tightens) a column",
    "rename_table": "renames a table",
    "drop_constraint": "drops a constraint",
    "create_unique_constraint": "adds a unique constraint older code may violate",
    "create_check_constraint": "adds a check constraint older code may violate",
}
DDL_WORDS = ("DROP ", "RENAME ", "ALTER COLUMN", "SET NOT NULL")


def _migrations() -> list[Path]:
    return sorted(VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _non_additive(path: Path) -> list[str]:
    """What upgrade() does that an older process could not live with."""
    tree = ast.parse(path.read_text())
    upgrade = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
    )
    found = []
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name in FORBIDDEN:
            found.append(f"{path.stem}: line {node.lineno} {FORBIDDEN[name]}")
        if name == "add_column":
            column = next((a for a in node.args if isinstance(a, ast.Call)), None)
            column = column or _keyword(node, "column")  # type: ignore[assignment]
            if isinstance(column, ast.Call):
                nullable = _keyword(column, "nullable")
                required = isinstance(nullable, ast.Constant) and nullable.value is False
                if required and _keyword(column, "server_default") is None:
                    found.append(
                        f"{path.stem}: line {node.lineno} adds a NOT NULL column without a "
                        "server default (older code's INSERTs would fail)"
                    )
        if name == "execute" and node.args and isinstance(node.args[0], ast.Constant):
            sql = str(node.args[0].value).upper()
            found += [
                f"{path.stem}: line {node.lineno} runs SQL with {word.strip()}"
                for word in DDL_WORDS
                if word in sql
            ]
    return found


def test_every_migration_only_adds_unless_it_declares_a_contract_step() -> None:
    problems = []
    for path in _migrations():
        contract = getattr(_load(path), "CONTRACT", None)
        if contract is not None:
            # e.g. CONTRACT = "0.4 stopped reading manifests.legacy_status"
            assert isinstance(contract, str)
            assert "stopped reading" in contract, path.stem
            continue
        problems += _non_additive(path)
    assert problems == []


def test_the_rule_finds_what_would_break_an_older_process(tmp_path: Path) -> None:
    migration = tmp_path / "9999_contract.py"
    migration.write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        "def upgrade():\n"
        "    op.drop_column('manifests', 'status')\n"
        "    op.add_column('manifests', sa.Column('x', sa.Integer(), nullable=False))\n"
        "    op.add_column('manifests', sa.Column('y', sa.Integer(), nullable=True))\n"
        "    op.add_column('manifests', sa.Column('z', sa.Integer(), nullable=False,"
        " server_default='0'))\n"
        "    with op.batch_alter_table('tasks') as batch:\n"
        "        batch.alter_column('name', new_column_name='task_name')\n"
        "    op.execute('ALTER TABLE sites RENAME COLUMN name TO site_name')\n"
        "def downgrade():\n"
        "    op.drop_table('whatever')\n"
    )
    found = _non_additive(migration)
    assert sorted(line.split(" ", 3)[-1] for line in found) == sorted(
        [
            "drops a column",
            "adds a NOT NULL column without a server default (older code's INSERTs would fail)",
            "alters (renames, retypes or tightens) a column",
            "runs SQL with RENAME",
        ]
    )


def _schema(connection: Any) -> dict[str, dict[str, tuple[str, bool, bool]]]:
    inspector = inspect(connection)
    return {
        table: {
            column["name"]: (
                type(column["type"]).__name__,
                bool(column["nullable"]),
                column.get("default") is not None,
            )
            for column in inspector.get_columns(table)
        }
        for table in inspector.get_table_names()
    }


async def test_the_newest_migration_keeps_every_column_the_previous_release_reads(
    database_url: str,
) -> None:
    previous = _load(_migrations()[-1]).down_revision
    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine, previous)
        async with engine.connect() as conn:
            before = await conn.run_sync(_schema)
        await database.upgrade(engine)
        async with engine.connect() as conn:
            after = await conn.run_sync(_schema)
    finally:
        await engine.dispose()
    for table, columns in before.items():
        assert table in after, f"table {table} is gone"
        for name, (kind, nullable, _) in columns.items():
            assert name in after[table], f"{table}.{name} is gone"
            assert after[table][name][0] == kind, f"{table}.{name} changed type"
            assert after[table][name][1] or not nullable, f"{table}.{name} became NOT NULL"
        for name, (_, nullable, has_default) in after[table].items():
            if name not in columns:
                assert nullable or has_default, f"new {table}.{name} is required: old INSERTs fail"


async def test_an_older_process_accepts_a_newer_schema_and_a_newer_one_refuses_an_older(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    previous = _load(_migrations()[-1]).down_revision
    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine, previous)
        with pytest.raises(ServiceUnavailable, match="run `haztrak migrate`"):
            await database.check_schema(engine)
        await database.upgrade(engine)
        await database.check_schema(engine)
        # the next release's migration, which this code has never seen, has run
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with caplog.at_level("WARNING", logger="haztrak.database"):
            await database.check_schema(engine)
        assert "newer than this version's" in caplog.text
    finally:
        await engine.dispose()


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def _previous_release_source(into: Path) -> Path:
    """The code just before the newest migration landed (HEAD while it is not committed)."""
    newest = _migrations()[-1].relative_to(ROOT)
    added = _git("log", "--diff-filter=A", "--format=%H", "-1", "--", str(newest))
    commit = f"{added}^" if added else "HEAD"
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "src"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=True,
    )
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True, timeout=60)
    return into / "src"


def _upgrade(url: str, revision: str = "head") -> str | None:
    """Migrate with this code (the new release), from a sync test; the revision reached."""

    async def run() -> str | None:
        engine = database.create_engine(url)
        try:
            await database.upgrade(engine, revision)
            return await database.current_revision(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.mark.postgres
def test_the_previous_release_keeps_serving_while_the_new_schema_is_applied(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    """The previous release's own `haztrak serve`, on PostgreSQL at its schema, goes on
    logging in, drafting, listing, reading and changing manifests once the newest migration has
    run under it."""
    old_source = _previous_release_source(tmp_path / "previous")
    url = postgres_databases.create()
    previous = _load(_migrations()[-1]).down_revision
    assert _upgrade(url, previous) == previous
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    env |= {
        "PYTHONPATH": str(old_source),
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_DATABASE_URL": url,
        "HT_PORT": str(port),
        "HT_LOG_LEVEL": "INFO",
    }
    old = [sys.executable, "-m", "haztrak.entrypoints.cli.main"]
    where = subprocess.run(
        [sys.executable, "-c", "import haztrak; print(haztrak.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert where.stdout.startswith(str(old_source)), where.stdout  # the old code runs
    seeded = subprocess.run(
        [*old, "seed", "--demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr.decode()
    server = subprocess.Popen(
        [*old, "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_up(server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            client.get("/api/browser/v1/auth/session")
            login = client.post(
                "/api/browser/v1/auth/login",
                json={"username": "testuser1", "password": "haztrak-demo"},
                headers={"X-CSRFToken": client.cookies["csrftoken"]},
            )
            assert login.status_code == 200, login.text
            csrf = {"X-CSRFToken": client.cookies["csrftoken"]}
            body = DEMO_MANIFEST.read_bytes()
            json_body = {"Content-Type": "application/json"}
            first = client.post("/api/manifest", content=body, headers=csrf | json_body)
            assert first.status_code == 201, first.text

            # the new release migrates under the old process
            assert _upgrade(url) == database.head_revision()

            second = client.post("/api/manifest", content=body, headers=csrf | json_body)
            assert second.status_code == 201, second.text
            listed = client.get("/api/manifest", params={"site": "VATESTGEN001"})
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] >= 2
            mtn = first.json()["manifestTrackingNumber"]
            read = client.get(f"/api/manifest/{mtn}")
            assert read.status_code == 200, read.text
            changed = client.put(
                f"/api/manifest/{mtn}",
                content=read.content,
                headers=csrf | json_body | {"If-Match": read.headers["etag"]},
            )
            assert changed.status_code == 200, changed.text
            assert client.get("/api/health/ready").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert "Traceback" not in output, output
