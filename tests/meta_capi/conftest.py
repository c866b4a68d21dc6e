"""Fixtures of the Meta mart tests: the committed sample, landed and built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouse_build import SAMPLE_INBOX, build_warehouse


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample landed and built (as of 2026-11-30) into a fresh DuckDB file."""
    scratch = tmp_path_factory.mktemp("sample_build")
    return build_warehouse(SAMPLE_INBOX, scratch / "warehouse.duckdb", scratch)
