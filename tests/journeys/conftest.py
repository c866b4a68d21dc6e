"""Shared helpers for the journey tests: land raw files, run dbt as a subprocess, query."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from tests.warehouse_runs import REPO, land, run_dbt

__all__ = ["REPO", "dbt_build", "land", "query"]


def dbt_build(
    warehouse: Path,
    scratch: Path,
    select: str = "+fct_qualified_outcomes +fct_journeys +fct_sessions",
    dbt_vars: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run `dbt build` on `warehouse` in a subprocess, with target and logs under `scratch`."""
    args = [
        "build",
        "--select",
        *select.split(),
        # tests of upstream layers that also need unselected models (identity's
        # relationships to dim_persons) are left to those layers' own builds
        "--indirect-selection",
        "cautious",
    ]
    try:
        return run_dbt(args, warehouse, scratch, dbt_vars)
    except AssertionError as failed:
        pytest.fail(str(failed))


def query(warehouse: Path, sql: str, params: Sequence | None = None) -> list[tuple]:
    """Rows of one read-only query (the connection is closed before returning)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
