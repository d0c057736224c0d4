"""docs/guide.md works as written: its `bash` blocks, run in order in one shell against a fresh
`haztrak serve` with the demo data, take docs/demo-manifest.json from draft to Signed and sync."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_serve import _free_port, _wait_until_up

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "guide.md"
DEMO_MANIFEST = ROOT / "docs" / "demo-manifest.json"
HAZTRAK = [sys.executable, "-m", "haztrak.entrypoints.cli.main"]


def guide_script() -> str:
    blocks = re.findall(r"^```bash\n(.*?)^```", GUIDE.read_text(), re.DOTALL | re.MULTILINE)
    assert len(blocks) >= 8
    return "set -euo pipefail\n" + "\n".join(blocks)


def test_the_readme_points_to_the_guide_and_the_demo_manifest() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docs/guide.md" in readme
    assert "docs/demo-manifest.json" in readme
    assert "(demo-manifest.json)" in GUIDE.read_text()


def test_the_guide_runs_as_written_against_the_demo_data(tmp_path: Path) -> None:
    assert shutil.which("jq"), "the guide needs jq (apt-get install jq)"
    assert shutil.which("curl"), "the guide needs curl"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    env |= {"HT_VAR_DIR": str(tmp_path / "var"), "HT_PORT": str(port), "HT_LOG_LEVEL": "INFO"}
    for command in (["migrate"], ["seed", "--demo"]):
        done = subprocess.run(
            [*HAZTRAK, *command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
    # the guide runs from the repository's root: here, a copy of the part it reads
    (tmp_path / "docs").mkdir()
    shutil.copy(DEMO_MANIFEST, tmp_path / "docs" / DEMO_MANIFEST.name)
    server = subprocess.Popen(
        [*HAZTRAK, "serve"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_up(server)
        run = subprocess.run(
            ["bash", "-c", guide_script()],
            cwd=tmp_path,
            env=env | {"HT": f"http://127.0.0.1:{port}"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    # the status after each signature, in EPA's order, then a correction opened and signed
    statuses = ["Scheduled", "InTransit", "ReadyForSignature", "Signed", "UnderCorrection"]
    statuses.append("Corrected")
    assert [line for line in lines if line in statuses] == statuses, run.stdout
    assert re.search(r"^\d{9}ELC is Pending$", run.stdout, re.MULTILINE), run.stdout
    versions = '[{"versionNumber":2,"status":"Corrected","active":true},'
    assert versions + '{"versionNumber":1,"status":"Signed","active":false}]' in lines
    assert '"status":"SUCCESS"' in lines[-2]  # the sync
