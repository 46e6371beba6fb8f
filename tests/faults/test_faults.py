"""`make faults` in its short form, as part of the suite: CI proves that a PostgreSQL
restart, a Redis restart, an LMS outage, a killed outbox worker and 50 identical submits
lose nothing, duplicate nothing and answer no 5xx except the translated 503.

The scenarios need the PostgreSQL server binaries and redis-server on this machine; where
they are missing the test is skipped outside CI and fails in CI.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults


def test_faults_short_run_loses_and_duplicates_nothing():
    missing = [name for name, found in (("PostgreSQL server", glob.glob("/usr/lib/postgresql/*/bin/initdb")), ("redis-server", shutil.which("redis-server"))) if not found]
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the fault scenarios, but this machine lacks: {', '.join(missing)}")
        pytest.skip(f"the fault scenarios need {', '.join(missing)}")
    env = {**os.environ, "FAULTS_SHORT": "1"}
    run = subprocess.Popen(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(ROOT / "tests" / "faults" / "run_faults.py")], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = run.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        run.terminate()  # SIGTERM: the script stops the servers it started before it exits
        stdout, stderr = run.communicate(timeout=60)
    table = stdout[stdout.find("Faults —") :]
    artifacts = ROOT / "test-artifacts" / "faults"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "table.txt").write_text(table)
    assert run.returncode == 0, f"{table}\n{stderr[-3000:]}"
    rows = [line for line in table.splitlines() if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert len(rows) == 5 and all(line.rstrip().endswith("ok") for line in rows), table
