"""Fixtures of the Meta CAPI sink tests: a running fake Graph API and small warehouses."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sink_fixtures import NOW, event_row, write_mart

from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi
from sinks.meta_capi import SinkConfig


@pytest.fixture
def fake() -> Iterator[FakeGraphApi]:
    """A fake Graph API on 127.0.0.1 whose clock is ``NOW``."""
    with FakeGraphApi(clock=lambda: NOW, timeout_sleep=0.6) as server:
        yield server


@pytest.fixture
def live_config(fake: FakeGraphApi) -> SinkConfig:
    """Credentials for the fake, batches of 10, tiny timeouts and backoff."""
    return SinkConfig(
        pixel_id=DEFAULT_PIXEL_ID,
        access_token=DEFAULT_TOKEN,
        graph_api_url=fake.url,
        batch_size=10,
        concurrency=2,
        connect_timeout=1.0,
        read_timeout=0.3,
        write_timeout=1.0,
        max_attempts=6,
        backoff_base=0.001,
        backoff_cap=0.005,
        seed=7,
    )


@pytest.fixture
def mart_of(tmp_path: Path) -> Callable[[list[Mapping[str, Any]]], Path]:
    """Build a warehouse file in tmp_path holding the given mart rows."""

    def build(rows: list[Mapping[str, Any]]) -> Path:
        return write_mart(tmp_path / "warehouse.duckdb", rows)

    return build


@pytest.fixture
def warehouse_25(mart_of: Callable[[list[Mapping[str, Any]]], Path]) -> Path:
    """A warehouse with 25 valid ready events."""
    return mart_of([event_row(i) for i in range(25)])
