"""Run the project's own commands on a scratch warehouse, as the test suites need them.

``land`` is the landing CLI on one inbox; ``run_dbt`` is one dbt command as a subprocess on a
DuckDB file, with its target and logs under a scratch folder, so a test never touches the
developer's warehouse or dbt_project/target. A failure raises with the tail of dbt's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DBT_PROJECT", "REPO", "land", "run_dbt"]

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"


def land(inbox: Path, warehouse: Path) -> None:
    """Land every file of ``inbox`` into ``warehouse`` with the project's landing CLI."""
    subprocess.run(
        [sys.executable, "-m", "orchestration.landing", "--inbox", str(inbox)]
        + ["--warehouse", str(warehouse)],
        cwd=REPO,
        env={**os.environ, "JOURNEY_WAREHOUSE": str(warehouse)},
        check=True,
        capture_output=True,
        text=True,
    )


def run_dbt(
    args: Sequence[str],
    warehouse: Path,
    scratch: Path,
    dbt_vars: Mapping[str, Any] | None = None,
    *,
    tail_lines: int = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` on ``warehouse`` (target duckdb); raise with its tail on failure."""
    command = [
        str(Path(sys.executable).parent / "dbt"),
        *args,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(scratch / "target"),
        "--log-path",
        str(scratch / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars))]
    env = {
        **os.environ,
        "JOURNEY_WAREHOUSE": str(warehouse),
        "JOURNEY_DBT_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
    }
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-tail_lines:])
        raise AssertionError(f"dbt {' '.join(args[:1])} failed on {warehouse.name}:\n{tail}")
    return result
