"""End to end: the whole asset graph materialised on a temporary warehouse, the sink pointed
at the local Graph API fake over loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pipeline_fixtures import (
    MART,
    ready_event_ids,
)

from data.generator.core import generate
from orchestration.definitions import defs
from orchestration.meta_capi.assets import DELIVERIES_KEY
from orchestration.meta_capi.checks import reconcile_result, unsent_result
from orchestration.resources import MetaCapiResource, WarehouseResource
from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi


@pytest.fixture
def fake() -> Iterator[FakeGraphApi]:
    with FakeGraphApi() as server:
        yield server


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """300 synthetic people whose activity ends today, so their conversions are recent."""
    out = tmp_path / "generated"
    generate(300, 11, out, datetime.now(UTC).date(), 1)
    return out / "inbox"


def _materialise(warehouse: Path, inbox: Path, fake: FakeGraphApi) -> dg.ExecuteInProcessResult:
    resources = {
        **defs.resources,
        "warehouse": WarehouseResource(warehouse_path=str(warehouse), inbox_path=str(inbox)),
        "meta_capi": MetaCapiResource(
            pixel_id=DEFAULT_PIXEL_ID, access_token=DEFAULT_TOKEN, graph_api_url=fake.url
        ),
    }
    result = dg.materialize(list(defs.assets), resources=resources, selection="*")
    assert result.success
    return result


def _deliveries(result: dg.ExecuteInProcessResult) -> dict:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key == DELIVERIES_KEY
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }


def _move_parts(source: Path, inbox: Path, part: str) -> None:
    for table in source.iterdir():
        for path in table.glob(f"{part}.*"):
            (inbox / table.name).mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), inbox / table.name / path.name)


@pytest.mark.slow  # three dbt builds of the whole project
def test_the_graph_sends_exactly_the_ready_events_then_only_new_conversions(
    tmp_path: Path, generated: Path, fake: FakeGraphApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("JOURNEY_WAREHOUSE", str(warehouse))
    inbox = tmp_path / "inbox"
    # given an inbox holding two of the three parts of every table
    _move_parts(generated, inbox, "part-00000")
    _move_parts(generated, inbox, "part-00001")
    # when the whole graph is materialised
    first = _materialise(warehouse, inbox, fake)
    ready = ready_event_ids(warehouse)
    # then Meta received every ready event of the mart exactly once, and nothing else
    assert ready
    assert set(fake.accepted) == ready
    assert set(fake.accepted.values()) == {1}
    assert _deliveries(first)["sent"] == len(ready)
    # and the ledger, delivery and landing checks pass on a clean run
    checks = _checks(first)
    assert checks["sync/meta_capi_deliveries:ledger_reconciles_with_mart"]
    assert checks["sync/meta_capi_deliveries:rejected_share_under_5_percent"]
    assert checks["raw/web_events:rejected_rows_under_2_percent"]
    assert checks["raw/web_events:source_is_fresh"]
    # when it is materialised again with nothing new
    requests = fake.request_count
    second = _materialise(warehouse, inbox, fake)
    # then nothing is sent
    assert fake.request_count == requests
    assert _deliveries(second)["sent"] == 0
    # when the last part of every table arrives
    _move_parts(generated, inbox, "part-00002")
    _materialise(warehouse, inbox, fake)
    # then only the conversions that became ready are sent, each once
    now_ready = ready_event_ids(warehouse)
    assert now_ready - ready, "the last parts hold new conversions"
    assert set(fake.accepted) == ready | now_ready
    assert set(fake.accepted.values()) == {1}


def test_ledger_checks_flag_a_lost_event_and_an_old_unsent_one(
    tmp_path: Path, sample_inbox: Path, fake: FakeGraphApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a graph materialised once, every ready event sent
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("JOURNEY_WAREHOUSE", str(warehouse))
    _materialise(warehouse, sample_inbox, fake)
    with duckdb.connect(str(warehouse)) as con:
        [(lost,), (stuck,)] = con.execute(
            "select event_id from sync.meta_capi_deliveries where status = 'sent' "
            "order by event_id limit 2"
        ).fetchall()
        # when one delivery row disappears, and another event, 6.5 days old, is only pending
        con.execute("delete from sync.meta_capi_deliveries where event_id = ?", [lost])
        con.execute(
            "update sync.meta_capi_deliveries set status = 'pending' where event_id = ?", [stuck]
        )
        con.execute(
            f"update {MART} set event_time = cast(epoch(now()) as bigint) - 561600 "
            "where event_id = ?",
            [stuck],
        )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reconcile = reconcile_result(con, DELIVERIES_KEY, DEFAULT_PIXEL_ID, backlog_held_back=False)
        unsent = unsent_result(con, DELIVERIES_KEY, DEFAULT_PIXEL_ID, dry_run=False)
    # then reconciliation fails as an ERROR naming the missing and the unexplained pending event
    assert not reconcile.passed and reconcile.severity == dg.AssetCheckSeverity.ERROR
    assert reconcile.metadata["not_in_ledger"].value == 1
    assert reconcile.metadata["pending_without_reason"].value == 1
    # and the old unsent event fails the 6-day check as an ERROR (the lost one is recent)
    assert not unsent.passed and unsent.severity == dg.AssetCheckSeverity.ERROR
    assert unsent.metadata["unsent_older_than_6_days"].value == 1
