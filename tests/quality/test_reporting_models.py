"""The reporting models on generated events whose key availability is known."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from quality_fixtures import (
    DAY,
    GeneratedEvent,
    build_reporting,
    generate_events,
    write_fixture,
)

from sinks.meta_capi import Ledger

# Lead: the converting form holds email half the time, IP and user agent always; journey
# memory adds email, phone, external_id and fbc. Purchase (dry run): fbp on the record only.
LEAD_CONVERTING = {"em": 0.5, "client_ip_address": 1.0, "client_user_agent": 1.0, "fbp": 0.8}
LEAD_MEMORY = {"em": 0.6, "ph": 0.5, "external_id": 0.7, "fbc": 0.4}
PURCHASE_CONVERTING = {"fbp": 1.0, "em": 0.3}


def _special(event_id: str, **changes: object) -> GeneratedEvent:
    base = GeneratedEvent(
        event_id=event_id,
        event_name="Schedule",
        event_at=DAY + timedelta(hours=2),
        action_source="website",
        send_status="ready",
        status_reason=None,
        event_id_source="pixel",
        keys={"em": "converting_record"},
        ledger_status="sent",
        sent_after=timedelta(minutes=10),
    )
    return dataclasses.replace(base, **changes)


SCHEDULE_EVENTS = [
    _special("s-sent"),
    _special("s-rejected", ledger_status="rejected", error_code=100),
    _special("s-pending", ledger_status="pending"),
    _special("s-awaiting", ledger_status=None),
    _special(
        "s-consent", send_status="no_consent", status_reason="no ad consent", ledger_status=None
    ),
    _special(
        "s-expired", send_status="expired", status_reason="older than 7 days", ledger_status=None
    ),
]


@pytest.fixture(scope="module")
def events() -> list[GeneratedEvent]:
    leads = generate_events(400, LEAD_CONVERTING, LEAD_MEMORY, event_name="Lead", seed=11)
    purchases = generate_events(
        100, PURCHASE_CONVERTING, {}, event_name="Purchase", seed=12, ledger_status="dry_run"
    )
    return leads + purchases + SCHEDULE_EVENTS


@pytest.fixture(scope="module")
def warehouse(events: list[GeneratedEvent], tmp_path_factory: pytest.TempPathFactory) -> Path:
    scratch = tmp_path_factory.mktemp("reporting")
    path = scratch / "warehouse.duckdb"
    write_fixture(path, events)
    build_reporting(path, scratch)
    return path


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _coverage(warehouse: Path, event_name: str) -> dict[str, tuple[float, float, float]]:
    rows = _query(
        warehouse,
        "select key_group, key_share, pixel_mirror_key_share, uplift_points "
        f"from marts.reporting__match_key_coverage where event_name = '{event_name}'",
    )
    return {row[0]: row[1:] for row in rows}


def test_key_shares_count_journey_memory_and_the_mirror_counts_only_the_record(
    warehouse: Path, events: list[GeneratedEvent]
) -> None:
    # given: the generated Lead events and where each key came from
    leads = [e for e in events if e.event_name == "Lead"]

    # when
    coverage = _coverage(warehouse, "Lead")

    # then: each share is exactly what the generated rows hold
    for group, keys in {"em": ["em"], "ph": ["ph"], "external_id": ["external_id"]}.items():
        carried = sum(1 for e in leads if any(k in e.keys for k in keys))
        on_record = sum(1 for e in leads if any(e.keys.get(k) == "converting_record" for k in keys))
        share, mirror, uplift = coverage[group]
        assert share == pytest.approx(carried / len(leads))
        assert mirror == pytest.approx(on_record / len(leads))
        assert uplift == pytest.approx(100 * (carried - on_record) / len(leads))
    # and the known availability shows: email on half the forms, 0.5 + 0.5 * 0.6 with memory
    assert coverage["em"][1] == pytest.approx(0.5, abs=0.07)
    assert coverage["em"][0] == pytest.approx(0.8, abs=0.07)
    # keys only journey memory knows are absent from the mirror; record-only keys gain nothing
    assert coverage["external_id"][1] == 0 and coverage["external_id"][0] > 0.6
    assert coverage["client_ip_address"] == (1.0, 1.0, 0.0)
    assert coverage["lead_id"] == (0.0, 0.0, 0.0)


def test_dry_run_events_count_as_delivered_and_undelivered_ones_do_not(warehouse: Path) -> None:
    # given: 100 dry-run Purchase events, 6 Schedule events of which 1 was sent

    # when
    delivered = dict(
        _query(
            warehouse,
            "select event_name, max(delivered_events) "
            "from marts.reporting__match_key_coverage group by event_name",
        )
    )

    # then
    assert delivered == {"Lead": 400, "Purchase": 100, "Schedule": 1}
    assert _coverage(warehouse, "Purchase")["fbp"] == (1.0, 1.0, 0.0)


def test_delivery_health_counts_every_state_with_its_reason(warehouse: Path) -> None:
    # given: one Schedule event in each state

    # when
    health = {
        (state, reason): count
        for state, reason, count in _query(
            warehouse,
            "select delivery_state, state_reason, events from marts.reporting__delivery_health "
            "where event_name = 'Schedule'",
        )
    }

    # then
    assert health == {
        ("sent", ""): 1,
        ("rejected", "graph_error_100"): 1,
        ("pending", ""): 1,
        ("awaiting_sync", ""): 1,
        ("no_consent", "no ad consent"): 1,
        ("expired", "older than 7 days"): 1,
    }


def test_predicted_score_is_the_capped_weight_sum_of_keys_sent(
    warehouse: Path, events: list[GeneratedEvent]
) -> None:
    # given: the seed's weights
    weights = dict(
        _query(warehouse, "select key_name, match_weight from seeds.reporting_match_key_weights")
    )
    leads = {e.event_id: e for e in events if e.event_name == "Lead"}

    # when
    scores = _query(
        warehouse,
        "select event_id, predicted_match_score, pixel_mirror_predicted_match_score "
        "from marts.reporting__event_match_scores where event_name = 'Lead'",
    )

    # then
    assert len(scores) == len(leads)
    for event_id, predicted, mirror in scores:
        keys = leads[event_id].keys
        assert predicted == pytest.approx(min(10.0, sum(weights[k] for k in keys)))
        assert mirror == pytest.approx(
            min(10.0, sum(weights[k] for k, s in keys.items() if s == "converting_record"))
        )
    (mean_predicted, mean_mirror) = _query(
        warehouse,
        "select mean_predicted_match_score, mean_pixel_mirror_predicted_match_score "
        "from marts.reporting__match_scores_daily where event_name = 'Lead'",
    )[0]
    assert mean_predicted > mean_mirror


def _percentile_cont(values: list[float], p: float) -> float:
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def test_freshness_percentiles_measure_outcome_to_send(
    warehouse: Path, events: list[GeneratedEvent]
) -> None:
    # given: Lead events sent 5 to 64 minutes after the outcome
    delays = [e.sent_after.total_seconds() for e in events if e.event_name == "Lead"]

    # when
    p50, p90, within_hour = _query(
        warehouse,
        "select freshness_p50_seconds, freshness_p90_seconds, share_within_1_hour "
        "from marts.reporting__freshness where event_name = 'Lead'",
    )[0]

    # then
    assert p50 == pytest.approx(_percentile_cont(delays, 0.5))
    assert p90 == pytest.approx(_percentile_cont(delays, 0.9))
    assert 5 * 60 < p50 < p90 < 64 * 60
    assert within_hour == pytest.approx(sum(d <= 3600 for d in delays) / len(delays))


def test_dedup_coverage_is_the_share_of_website_events_with_the_pixels_id(
    warehouse: Path,
) -> None:
    # given: every fourth generated event has a source-derived id, the rest the Pixel's

    # when
    coverage = dict(
        _query(
            warehouse,
            "select event_name, dedup_coverage from marts.reporting__dedup_coverage",
        )
    )

    # then
    assert coverage == {"Lead": 0.75, "Purchase": 0.75, "Schedule": 1.0}


def test_a_fresh_warehouse_gets_an_empty_ledger_with_the_sinks_ddl(tmp_path: Path) -> None:
    # given: mart rows but no sync yet (no ledger tables)
    warehouse = tmp_path / "fresh.duckdb"
    write_fixture(warehouse, SCHEDULE_EVENTS[:1], with_ledger=False)

    # when
    build_reporting(warehouse, tmp_path)

    # then: the ledger exists, empty, with the columns the sink's Ledger creates
    sink = duckdb.connect(str(tmp_path / "sink.duckdb"))
    Ledger(sink, "", "run").ensure_schema()
    con = duckdb.connect(str(warehouse), read_only=True)
    for table in ("meta_capi_deliveries", "meta_capi_requests"):
        describe = f"describe sync.{table}"
        assert con.execute(describe).fetchall() == sink.execute(describe).fetchall()
        assert con.execute(f"select count(*) from sync.{table}").fetchone() == (0,)
    assert _query_state(con) == [("awaiting_sync", 1)]
    con.close()
    sink.close()


def _query_state(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select delivery_state, events from marts.reporting__delivery_health"
    ).fetchall()
