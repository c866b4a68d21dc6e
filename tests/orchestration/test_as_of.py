"""A pinned clock (JOURNEY_AS_OF): replays, backfills and the demo on the committed sample
measure Meta's windows against the data's own end, not against today."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from pipeline_fixtures import contract_row, seed_mart

from orchestration.demo import SAMPLE_INBOX, demo_as_of
from orchestration.meta_capi.assets import DELIVERIES_KEY, UNSENT_CHECK, meta_capi_deliveries
from orchestration.resources import MetaCapiResource, WarehouseResource
from orchestration.settings import Settings, parse_as_of

DAY = 86_400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30", datetime(2026, 11, 30)),
        ("2026-11-30T00:00:00", datetime(2026, 11, 30)),
        ("2026-11-30T02:00:00+02:00", datetime(2026, 11, 30)),
        ("2026-11-30T00:00:00Z", datetime(2026, 11, 30)),
        ("", None),
        (" now ", None),
    ],
)
def test_as_of_is_read_as_naive_utc(text: str, expected: datetime | None) -> None:
    assert parse_as_of(text) == expected


def test_a_malformed_as_of_names_the_setting_and_the_value() -> None:
    with pytest.raises(ValueError, match=r"JOURNEY_AS_OF must be ISO 8601.*'30/11/2026'"):
        parse_as_of("30/11/2026")


def test_a_pinned_clock_becomes_the_dbt_var_of_the_mart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_AS_OF", "2026-11-30")
    assert Settings.from_env().dbt_vars() == {"meta_as_of": "2026-11-30T00:00:00"}
    monkeypatch.delenv("JOURNEY_AS_OF")
    assert Settings.from_env().dbt_vars() == {}


def test_the_demo_pins_the_clock_to_the_sample_end_only_for_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOURNEY_AS_OF", raising=False)
    assert demo_as_of(None, SAMPLE_INBOX) == "2026-11-30T00:00:00"
    assert demo_as_of(None, tmp_path) is None
    assert demo_as_of("now", SAMPLE_INBOX) == "now"
    monkeypatch.setenv("JOURNEY_AS_OF", "2026-10-01")
    assert demo_as_of(None, SAMPLE_INBOX) is None  # the operator's own setting stands
    with pytest.raises(ValueError, match="JOURNEY_AS_OF"):
        demo_as_of("yesterday", SAMPLE_INBOX)


def _sync(warehouse: Path, inbox: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [meta_capi_deliveries],
        resources={
            "warehouse": WarehouseResource(warehouse_path=str(warehouse), inbox_path=str(inbox)),
            "meta_capi": MetaCapiResource(pixel_id="", access_token=""),
        },
        selection=[DELIVERIES_KEY],
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict:
    [event] = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_a_dry_run_measures_the_send_window_against_the_pinned_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a ready event of ten days ago, and a clock pinned to eight days ago
    warehouse = tmp_path / "warehouse.duckdb"
    ten_days_ago = int(time.time()) - 10 * DAY
    seed_mart(warehouse, [contract_row(0, event_time=ten_days_ago)])
    pinned = datetime.fromtimestamp(ten_days_ago + 2 * DAY, UTC).replace(tzinfo=None)
    monkeypatch.setenv("JOURNEY_AS_OF", pinned.isoformat())
    # when the sink runs without credentials (a dry run)
    result = _sync(warehouse, tmp_path)
    # then the event is inside Meta's 7 days as of the pinned clock: validated, not expired
    metadata = _metadata(result)
    assert (metadata["dry_run"], metadata["expired"]) == (1, 0)
    # and it is not yet an event "older than 6 days left unsent"
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == UNSENT_CHECK]
    assert check.passed


def test_without_a_pinned_clock_the_same_event_has_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOURNEY_AS_OF", raising=False)
    warehouse = tmp_path / "warehouse.duckdb"
    seed_mart(warehouse, [contract_row(0, event_time=int(time.time()) - 10 * DAY)])
    metadata = _metadata(_sync(warehouse, tmp_path))
    assert (metadata["dry_run"], metadata["expired"]) == (0, 1)
