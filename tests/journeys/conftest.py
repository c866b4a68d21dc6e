"""Shared helpers for the journey tests: land raw files, run dbt as a subprocess, query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"


def land(inbox: Path, warehouse: Path) -> None:
    """Land an inbox folder into a warehouse file with the project's landing CLI."""
    subprocess.run(
        [sys.executable, "-m", "orchestration.landing", "--inbox", str(inbox)]
        + ["--warehouse", str(warehouse)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )


def dbt_build(
    warehouse: Path,
    scratch: Path,
    select: str = "+fct_qualified_outcomes +fct_journeys +fct_sessions",
    dbt_vars: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run `dbt build` on `warehouse` in a subprocess, with target and logs under `scratch`."""
    command = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        "build",
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(scratch / "target"),
        "--log-path",
        str(scratch / "logs"),
        "--select",
        *select.split(),
        # tests of upstream layers that also need unselected models (identity's
        # relationships to dim_persons) are left to those layers' own builds
        "--indirect-selection",
        "cautious",
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "JOURNEY_WAREHOUSE": str(warehouse)}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-60:])
        pytest.fail(f"dbt build failed:\n{tail}")
    return result


def query(warehouse: Path, sql: str, params: Sequence | None = None) -> list[tuple]:
    """Rows of one read-only query (the connection is closed before returning)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
