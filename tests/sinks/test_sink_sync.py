"""The sync against the fake Graph API over real HTTP, with the ledger in DuckDB files."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sink_fixtures import NOW, event_row, ledger_rows

from sinks.fake_graph_api import DEFAULT_TOKEN, FakeGraphApi
from sinks.meta_capi import (
    ConfigurationError,
    SinkConfig,
    TokenExpiredError,
    send_rows,
    sync_events,
)

MartOf = Callable[[list[Mapping[str, Any]]], Path]


def statuses(path: Path) -> dict[str, int]:
    rows = ledger_rows(path, "select status, count(*) from sync.meta_capi_deliveries group by 1")
    return dict(rows)


def test_happy_path_sends_every_ready_event_once(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # when the sync runs on 25 ready events in batches of 10
    report = sync_events(warehouse_25, live_config, now=NOW)

    # then Meta received each event once, and the ledger says sent
    assert report.sent == 25 and report.requests == 3 and report.mode == "live"
    assert sorted(fake.accepted.values()) == [1] * 25
    assert statuses(warehouse_25) == {"sent": 25}
    requests = ledger_rows(
        warehouse_25, "select batch_size, status_code, events_received from sync.meta_capi_requests"
    )
    assert sorted(requests) == [(5, 200, 5), (10, 200, 10), (10, 200, 10)]
    fbtrace = ledger_rows(
        warehouse_25, "select count(*) from sync.meta_capi_deliveries where fbtrace_id is null"
    )
    assert fbtrace == [(0,)]


def test_second_run_sends_nothing_already_sent(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given a completed run
    sync_events(warehouse_25, live_config, now=NOW)
    requests_before = fake.request_count

    # when the sync runs again
    report = sync_events(warehouse_25, live_config, now=NOW)

    # then nothing goes on the wire
    assert report.skipped_already_sent == 25 and report.sent == 0
    assert fake.request_count == requests_before


@pytest.mark.parametrize(
    "fault",
    [
        "http_429",
        "http_500",
        "http_503",
        "timeout",
        "drop",
        "transient_1",
        "transient_2",
        "transient_17",
        "transient_613",
        "transient_flag",
    ],
)
def test_transient_faults_are_retried_and_logged(
    fault: str,
    fake: FakeGraphApi,
    live_config: SinkConfig,
    warehouse_25: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given Meta fails the first request once
    fake.inject(fault)
    caplog.set_level(logging.WARNING, logger="sinks")

    # when the sync runs
    report = sync_events(warehouse_25, live_config, now=NOW)

    # then the failure was retried, logged with attempt and delay, and all events arrived
    assert report.retries == 1 and report.sent == 25
    assert sorted(fake.accepted.values()) == [1] * 25
    retry_logs = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retry_logs) == 1 and "attempt 1/6" in retry_logs[0] and "sleeping" in retry_logs[0]


def test_exhausted_retries_leave_the_batch_pending_for_the_next_run(
    fake: FakeGraphApi, live_config: SinkConfig, mart_of: MartOf
) -> None:
    # given one batch and a Meta that fails six times in a row
    warehouse = mart_of([event_row(i) for i in range(10)])
    fake.inject(*["http_500"] * 6)

    # when the sync runs, then again
    first = sync_events(warehouse, live_config, now=NOW)
    assert first.pending == 10 and first.sent == 0 and statuses(warehouse) == {"pending": 10}
    # and each pending row says why: the last failed request
    reasons = ledger_rows(
        warehouse, "select distinct error_code, error_message from sync.meta_capi_deliveries"
    )
    assert len(reasons) == 1 and reasons[0][0] == 500
    assert reasons[0][1].startswith("left pending: ")
    second = sync_events(warehouse, live_config, now=NOW)

    # then the second run delivers, with attempts counted in the ledger
    assert second.sent == 10 and statuses(warehouse) == {"sent": 10}
    assert ledger_rows(warehouse, "select distinct attempts from sync.meta_capi_deliveries") == [
        (2,)
    ]


def test_permanent_error_is_bisected_to_the_bad_event(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given Meta refuses one event permanently (code 100)
    fake.reject_event_ids.add("evt-000013")

    # when the sync runs
    report = sync_events(warehouse_25, live_config, now=NOW)

    # then the good ones are delivered and the bad one rejected with Meta's message
    assert report.sent == 24 and report.rejected == 1
    assert "evt-000013" not in fake.accepted and len(fake.accepted) == 24
    rejected = ledger_rows(
        warehouse_25,
        "select event_id, error_code, error_message from sync.meta_capi_deliveries "
        "where status = 'rejected'",
    )
    assert rejected[0][0] == "evt-000013" and rejected[0][1] == 100
    assert "refused" in rejected[0][2]
    # and a rerun does not resend the unchanged rejected event
    again = sync_events(warehouse_25, live_config, now=NOW)
    assert again.skipped_rejected == 1 and again.requests == 0


def test_expired_token_stops_the_run_and_leaves_events_pending(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given Meta says the token expired
    fake.token_revoked = True
    config = live_config.with_options(concurrency=1)

    # when the sync runs, then it stops with a configuration error
    with pytest.raises(TokenExpiredError) as caught:
        sync_events(warehouse_25, config, now=NOW)

    # and nothing is marked sent; the attempted batch stays pending
    assert caught.value.code == 190 and caught.value.report.sent == 0
    assert DEFAULT_TOKEN not in str(caught.value)
    assert statuses(warehouse_25) == {"pending": 10}
    [(reason,)] = ledger_rows(
        warehouse_25, "select distinct error_message from sync.meta_capi_deliveries"
    )
    assert reason.startswith("left pending: ") and DEFAULT_TOKEN not in reason
    # when the token is replaced, a rerun delivers everything
    fake.token_revoked = False
    assert sync_events(warehouse_25, config, now=NOW).sent == 25


def test_missing_permission_stops_the_run_without_touching_the_events(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given Meta answers the first request with a permission error (code 200)
    fake.inject("permission_denied")

    # when the sync runs, then it stops with a configuration error naming the cause
    with pytest.raises(ConfigurationError) as caught:
        sync_events(warehouse_25, live_config.with_options(concurrency=1), now=NOW)
    assert not isinstance(caught.value, TokenExpiredError)
    assert caught.value.code == 200 and "permission" in str(caught.value)

    # and nothing was retried, rejected or marked sent
    assert fake.request_count == 1
    assert statuses(warehouse_25) == {"pending": 10}


def test_wrong_pixel_id_stops_the_run_instead_of_bisecting(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given a pixel id Meta does not know (it answers code 100, subcode 33)
    config = live_config.with_options(pixel_id="999", concurrency=1)

    # when the sync runs, then it stops at once with a hint at META_PIXEL_ID
    with pytest.raises(ConfigurationError) as caught:
        sync_events(warehouse_25, config, now=NOW)
    assert "META_PIXEL_ID" in str(caught.value)

    # and no event was blamed: one request, nothing rejected
    assert fake.request_count == 1
    assert statuses(warehouse_25) == {"pending": 10}


def test_lost_answer_after_meta_accepted_resends_same_ids_and_bytes(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given Meta accepts the first batch but its answer never arrives
    fake.inject("accepted_then_timeout")

    # when the sync runs
    report = sync_events(warehouse_25, live_config.with_options(concurrency=1), now=NOW)

    # then the batch was retried: its ten events reached Meta twice, byte for byte the same
    assert report.sent == 25 and report.retries == 1
    twice = sorted(eid for eid, n in fake.accepted.items() if n == 2)
    assert twice == [f"evt-{i:06d}" for i in range(10)]
    assert all(len(fake.payloads[eid]) == 1 for eid in twice)
    # and the ledger holds each event once, sent
    assert statuses(warehouse_25) == {"sent": 25}


def test_thirty_percent_faults_still_deliver_everything_exactly_once(
    live_config: SinkConfig, mart_of: MartOf
) -> None:
    # given a fake failing 30% of requests at random (seeded)
    warehouse = mart_of([event_row(i) for i in range(300)])
    with FakeGraphApi(clock=lambda: NOW, fault_rate=0.3, seed=3, timeout_sleep=0.4) as faulty:
        config = live_config.with_options(graph_api_url=faulty.url, max_attempts=12)

        # when the sync runs
        report = sync_events(warehouse, config, now=NOW)

        # then every event arrived once (faults here never process the request)
        assert report.sent == 300 and report.retries > 0
        assert len(faulty.accepted) == 300 and set(faulty.accepted.values()) == {1}
    assert statuses(warehouse) == {"sent": 300}


def test_dry_run_validates_records_and_sends_nothing(
    fake: FakeGraphApi, live_config: SinkConfig, mart_of: MartOf, tmp_path: Path
) -> None:
    # given no token, and one invalid row among valid ones
    rows = [event_row(i) for i in range(12)] + [event_row(99, client_user_agent=None)]
    warehouse = mart_of(rows)
    dry_config = live_config.with_options(access_token=None)

    # when the sync runs
    report = sync_events(warehouse, dry_config, now=NOW)

    # then the fake got no request, the ledger holds dry_run rows and a sample body exists
    assert fake.request_count == 0
    assert report.mode == "dry_run" and report.dry_run == 12 and report.rejected == 1
    assert statuses(warehouse) == {"dry_run": 12, "rejected": 1}
    sample = json.loads(Path(report.sample_payload_path or "").read_text())
    assert len(sample["body"]["data"]) == 10
    # and dry-run rows do not block a later real send
    live = sync_events(warehouse, live_config, now=NOW)
    assert live.sent == 12 and statuses(warehouse) == {"sent": 12, "rejected": 1}


def test_test_event_code_routes_events(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    report = sync_events(warehouse_25, live_config.with_options(test_event_code="TEST123"), now=NOW)
    assert report.mode == "test" and fake.test_event_codes == {"TEST123": 25}


def test_max_events_caps_each_run(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    first = sync_events(warehouse_25, live_config, now=NOW, max_events=10)
    second = sync_events(warehouse_25, live_config, now=NOW, max_events=10)
    assert (first.sent, second.sent) == (10, 10)
    assert second.skipped_already_sent == 10 and len(fake.accepted) == 20


def test_resend_sends_chosen_events_again_and_records_it(
    fake: FakeGraphApi, live_config: SinkConfig, warehouse_25: Path
) -> None:
    # given everything was sent
    sync_events(warehouse_25, live_config, now=NOW)

    # when two events are resent explicitly
    report = sync_events(
        warehouse_25, live_config, now=NOW, resend_event_ids=["evt-000001", "evt-000002"]
    )

    # then only those went again, and the ledger counts the resend
    assert report.resent == 2 and report.sent == 2 and report.skipped_already_sent == 23
    assert report.resend_not_found == 0
    assert fake.accepted["evt-000001"] == 2 and fake.accepted["evt-000003"] == 1
    resends = ledger_rows(
        warehouse_25,
        "select event_id, resend_count, attempts from sync.meta_capi_deliveries "
        "where resend_count > 0 order by event_id",
    )
    assert resends == [("evt-000001", 1, 2), ("evt-000002", 1, 2)]
    purposes = ledger_rows(
        warehouse_25, "select count(*) from sync.meta_capi_requests where purpose = 'resend'"
    )
    assert purposes == [(1,)]


def test_resend_of_an_unknown_event_id_is_counted_and_sends_nothing(
    fake: FakeGraphApi,
    live_config: SinkConfig,
    warehouse_25: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given everything was sent
    sync_events(warehouse_25, live_config, now=NOW)
    requests_before = fake.request_count

    # when a resend names an id that is not in the mart
    report = sync_events(warehouse_25, live_config, now=NOW, resend_event_ids=["evt-nope"])

    # then nothing is sent and the miss is reported and logged
    assert report.resend_not_found == 1 and report.sent == 0
    assert fake.request_count == requests_before
    assert "evt-nope" in caplog.text


def test_invalid_and_not_ready_rows_never_poison_a_batch(
    fake: FakeGraphApi, live_config: SinkConfig, mart_of: MartOf
) -> None:
    # given valid rows mixed with an expired, a malformed and a no-consent row
    rows = [event_row(i) for i in range(8)] + [
        event_row(100, event_time=NOW - 9 * 86_400),
        event_row(101, em="not-a-hash"),
        event_row(102, send_status="no_consent"),
    ]
    warehouse = mart_of(rows)

    # when the sync runs
    report = sync_events(warehouse, live_config, now=NOW)

    # then the valid ones are sent in one accepted batch and the others recorded
    assert report.sent == 8 and report.expired == 1 and report.rejected == 1
    assert fake.request_count == 1
    assert statuses(warehouse) == {"sent": 8, "expired": 1, "rejected": 1}


def test_core_accepts_any_iterable_of_rows(fake: FakeGraphApi, live_config: SinkConfig) -> None:
    # given rows from another engine, as a generator, and an in-memory ledger
    rows = (event_row(i) for i in range(15))
    with duckdb.connect() as ledger_con:
        # when the core runs
        report = send_rows(rows, ledger_con, live_config, now=NOW)

        # then it delivers and keeps the ledger on that connection
        assert report.sent == 15
        assert ledger_con.execute("select count(*) from sync.meta_capi_deliveries").fetchone() == (
            15,
        )


def test_no_token_or_plaintext_pii_in_logs_or_ledger(
    fake: FakeGraphApi,
    live_config: SinkConfig,
    warehouse_25: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given debug logging everywhere, faults, one refused event and one row whose email
    # arrived unhashed (an upstream bug)
    caplog.set_level(logging.DEBUG)
    fake.inject("http_500", "drop")
    fake.reject_event_ids.add("evt-000004")
    with duckdb.connect(str(warehouse_25)) as con:
        con.execute(
            "insert into marts.meta_capi__events by name "
            "select * replace ('evt-plain' as event_id, 'jane.doe@example.com' as em) "
            "from marts.meta_capi__events where event_id = 'evt-000000'"
        )

    # when the sync runs and a token error follows
    report = sync_events(warehouse_25, live_config, now=NOW)
    assert report.rejected == 2
    fake.token_revoked = True
    with pytest.raises(TokenExpiredError) as caught:
        sync_events(warehouse_25, live_config, now=NOW, resend_event_ids=["evt-000001"])

    # then neither the token nor plaintext identifiers appear anywhere we write
    ledger_text = json.dumps(
        ledger_rows(warehouse_25, "select * from sync.meta_capi_deliveries")
        + ledger_rows(warehouse_25, "select * from sync.meta_capi_requests"),
        default=str,
    )
    wire_text = json.dumps(sorted(t for texts in fake.payloads.values() for t in texts))
    texts = [caplog.text, ledger_text, str(caught.value), repr(live_config), wire_text]
    for text in texts:
        assert DEFAULT_TOKEN not in text
        assert "@example.com" not in text and "jane.doe" not in text
    assert "retrying" in caplog.text and "evt-plain" in ledger_text


def test_a_retry_after_within_the_backoff_cap_is_waited_for(
    fake: FakeGraphApi,
    live_config: SinkConfig,
    warehouse_25: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given Meta throttles the first request and asks for one second (Retry-After: 1)
    fake.inject("http_429_retry_after")
    caplog.set_level(logging.WARNING, logger="sinks")
    config = live_config.with_options(backoff_cap=2.0, concurrency=1)

    # when the sync runs
    report = sync_events(warehouse_25, config, now=NOW)

    # then the retry waited at least the second Meta asked for, not the jittered backoff
    assert report.retries == 1 and report.sent == 25
    [retry_log] = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert float(retry_log.rsplit("sleeping ", 1)[1].rstrip("s")) >= 1.0


def test_a_throttle_asking_for_minutes_leaves_the_batch_pending_with_the_reason(
    fake: FakeGraphApi, live_config: SinkConfig, mart_of: MartOf
) -> None:
    # given one batch, and Meta's usage header asking to wait five minutes (code 17)
    warehouse = mart_of([event_row(i) for i in range(10)])
    fake.inject("throttled_buc")

    # when the sync runs
    report = sync_events(warehouse, live_config, now=NOW)

    # then nothing is retried in this run: the batch is pending, saying why and for how long
    assert report.sent == 0 and report.pending == 10 and report.retries == 0
    [(reason,)] = ledger_rows(
        warehouse, "select distinct error_message from sync.meta_capi_deliveries"
    )
    assert "throttled, retry after 300s" in reason
    # and the next run delivers it
    assert sync_events(warehouse, live_config, now=NOW).sent == 10
