"""Helpers for the identity tests: land an inbox and run dbt on a scratch warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def run_dbt(warehouse: Path, work_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the dbt CLI as a subprocess on `warehouse`, with target and logs under work_dir.

    A subprocess, so no DuckDB handle stays open in the test process afterwards.
    """
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "JOURNEY_WAREHOUSE": str(warehouse)}
    result = subprocess.run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
    return result
