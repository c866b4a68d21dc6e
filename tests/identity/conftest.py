"""Helpers for the identity tests: land an inbox and run dbt on a scratch warehouse."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests import warehouse_runs


def run_dbt(warehouse: Path, work_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``dbt <args>`` as a subprocess on `warehouse`, target and logs under work_dir (so no
    DuckDB handle stays open in the test process afterwards)."""
    return warehouse_runs.run_dbt(args, warehouse, work_dir)
