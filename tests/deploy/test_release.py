"""One version for everything: the package, `haztrak --version`, GET /api/health, the OpenAPI
document; `just version` makes it from git tags as hatch-vcs does; a CHANGELOG says what each
release brought."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from packaging.version import Version

import haztrak
from haztrak.entrypoints.cli.main import main
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import load_settings

ROOT = Path(__file__).parents[2]


async def test_every_process_and_the_api_report_one_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = haztrak.__version__
    Version(version)  # PEP 440, as hatch-vcs makes it from the tags
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"haztrak {version}"
    settings = load_settings(
        {"HT_VAR_DIR": str(tmp_path), "HT_SECRET_KEY": "release-" + "x" * 40}, dotenv=None
    )
    app = create_app(settings, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://haztrak.test"
    ) as client:
        assert (await client.get("/api/health")).json()["version"] == version
        schema = (await client.get("/api/schema/openapi.json")).json()
    assert schema["info"]["version"] == version


def test_just_version_is_the_version_hatch_vcs_would_make() -> None:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "just"), "version"]
        if (ROOT / ".venv" / "bin" / "just").exists()
        else ["just", "version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    made = Version(done.stdout.strip())  # PEP 440
    tags = subprocess.run(
        ["git", "tag", "--points-at", "HEAD", "--list", "v[0-9]*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if tags:  # a release: exactly its tag
        assert str(made) in {tag.removeprefix("v") for tag in tags}
    else:  # between releases: a development version after the last one
        assert made.is_devrelease
        assert made.local is not None
        assert made.local.startswith("g")


def test_the_changelog_has_a_section_per_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog")
    assert "## Unreleased" in changelog
    tags = subprocess.run(
        ["git", "tag", "--list", "v[0-9]*"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for tag in tags:
        assert f"## {tag.removeprefix('v')}" in changelog, tag
