"""Payload building and validation: rows become Meta events or a reason why not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from sink_fixtures import NOW, event_row, sha

from sinks.meta_capi import build_event, prepare_event
from sinks.meta_capi.retry import (
    backoff_delay,
    classify,
    full_jitter,
    requested_wait,
    should_retry,
)


def test_valid_row_becomes_compact_event_without_nulls() -> None:
    # given a valid website row with custom data and a lead id
    row = event_row(
        1,
        value=12.5,
        currency="EUR",
        content_ids='["sku-1"]',
        contents='[{"id": "sku-1", "quantity": 2, "item_price": 6.25}]',
        custom_properties='{"plan": "pro"}',
        lead_id="1234567890123456",
    )

    # when it is prepared
    prepared = prepare_event(row, now=NOW)

    # then it is ok, hashed keys are strings, lead_id an int, nulls are gone
    assert prepared.status == "ok", prepared.reason
    event = json.loads(prepared.body or "")
    assert event["user_data"]["em"] == row["em"]
    assert event["user_data"]["lead_id"] == 1234567890123456
    assert "fn" not in event["user_data"] and "referrer_url" not in event
    assert event["custom_data"] == {
        "value": 12.5,
        "currency": "eur",
        "content_ids": ["sku-1"],
        "contents": [{"id": "sku-1", "quantity": 2, "item_price": 6.25}],
        "plan": "pro",
    }
    assert event["data_processing_options"] == []
    assert len(prepared.payload_hash) == 64


def test_same_row_gives_same_payload_hash_and_changed_row_a_new_one() -> None:
    # given one row and a corrected copy
    first = prepare_event(event_row(1), now=NOW)
    again = prepare_event(event_row(1), now=NOW)
    changed = prepare_event(event_row(1, value=3.0, currency="USD"), now=NOW)

    # then the hash is stable and follows the content
    assert first.payload_hash == again.payload_hash != changed.payload_hash


def test_ldu_options_are_sent_with_country_and_state() -> None:
    row = event_row(
        1,
        data_processing_options='["LDU"]',
        data_processing_options_country=1,
        data_processing_options_state=1000,
    )
    event = build_event(row)
    assert event["data_processing_options"] == ["LDU"]
    assert event["data_processing_options_country"] == 1
    assert event["data_processing_options_state"] == 1000


@pytest.mark.parametrize(
    ("overrides", "status", "reason_part"),
    [
        ({"event_source_url": None}, "rejected", "event_source_url"),
        ({"client_user_agent": None}, "rejected", "client_user_agent"),
        ({"em": sha("x").upper()}, "rejected", "user_data.em"),
        ({"ph": "16505551212"}, "rejected", "user_data.ph"),
        ({"fbc": "fb.1.abc.IwAR"}, "rejected", "fbc"),
        ({"fbp": "fb.1.1779990000000.abc"}, "rejected", "fbp"),
        ({"event_time": NOW - 8 * 86_400}, "expired", "7 days"),
        ({"event_time": NOW + 3600}, "rejected", "future"),
        ({"event_time": "yesterday"}, "rejected", "event_time"),
        ({"action_source": "web"}, "rejected", "action_source"),
        ({"event_name": "Purchase"}, "rejected", "Purchase"),
        ({"event_name": "Purchase", "value": 10.0}, "rejected", "Purchase"),
        ({"lead_id": "12345678901234"}, "rejected", "lead_id"),
        ({"client_ip_address": "999.1.1.1"}, "rejected", "client_ip_address"),
        ({"event_id": None}, "rejected", "event_id"),
        ({"currency": "euro", "value": 1.0}, "rejected", "currency"),
        ({"custom_properties": '{"value": 3}'}, "rejected", "standard keys"),
        ({"content_ids": "not json"}, "rejected", "JSON"),
        ({"num_items": "three"}, "rejected", "num_items"),
        ({"data_processing_options": '["LDU"]'}, "rejected", "LDU"),
        ({"data_processing_options": '["XYZ"]'}, "rejected", "data_processing_options"),
        (
            {"data_processing_options": '["LDU"]', "data_processing_options_country": 1},
            "rejected",
            "state",
        ),
        ({"event_source": "crm", "lead_event_source": "Hubspot"}, "rejected", "system_generated"),
        (
            {"event_source": "crm", "action_source": "system_generated"},
            "rejected",
            "lead_event_source",
        ),
    ],
)
def test_invalid_rows_are_refused_with_a_reason(
    overrides: dict[str, object], status: str, reason_part: str
) -> None:
    # given a valid row with one defect
    row = event_row(1, **overrides)

    # when it is prepared
    prepared = prepare_event(row, now=NOW)

    # then it is not sent, and the reason names the field
    assert prepared.status == status
    assert reason_part in (prepared.reason or "")
    assert prepared.body is None


def test_reasons_never_quote_the_offending_value() -> None:
    # given rows whose bad values would be revealing if echoed
    rows = [
        event_row(1, em="jane.doe@example.com"),
        event_row(2, num_items="jane.doe@example.com"),
        event_row(3, custom_properties="{jane.doe@example.com"),
        event_row(4, data_processing_options_country="jane", data_processing_options='["LDU"]'),
    ]

    # when they are prepared, then each is refused and no reason carries the value
    for row in rows:
        prepared = prepare_event(row, now=NOW)
        assert prepared.status == "rejected"
        assert "jane" not in (prepared.reason or "")


def test_parameter_builder_appendix_is_accepted_on_hashes_and_fbp() -> None:
    # given values as Meta's Parameter Builder writes them (".{8-char appendix}")
    row = event_row(1, em=sha("a@b.co") + ".AQIAAQEC", fbp="fb.1.1779990000000.123.AQICAQEC")

    # then they are valid as they are
    assert prepare_event(row, now=NOW).status == "ok"


def test_conversion_leads_event_with_lead_id_and_crm_keys_is_valid() -> None:
    row = event_row(
        1,
        action_source="system_generated",
        event_source_url=None,
        event_name="Qualified",
        lead_id="123456789012345",
        event_source="crm",
        lead_event_source="Hubspot",
    )
    prepared = prepare_event(row, now=NOW)
    assert prepared.status == "ok", prepared.reason
    custom = json.loads(prepared.body or "")["custom_data"]
    assert custom == {"event_source": "crm", "lead_event_source": "Hubspot"}


def test_physical_store_events_may_be_62_days_old() -> None:
    row = event_row(
        1,
        action_source="physical_store",
        event_source_url=None,
        event_time=NOW - 30 * 86_400,
    )
    assert prepare_event(row, now=NOW).status == "ok"
    row["event_time"] = NOW - 63 * 86_400
    assert prepare_event(row, now=NOW).status == "expired"


def test_event_needs_user_data_above_matching_baseline() -> None:
    # given non-web rows with no identifiers, or only first name and gender
    empty = dict.fromkeys(("em", "ph", "external_id", "fbc", "fbp", "client_ip_address"))
    base = event_row(1, action_source="system_generated", event_source_url=None, **empty)
    no_keys = dict(base, client_user_agent=None)
    weak = dict(no_keys, fn=sha("mary"), ge=sha("f"))

    # then both are refused
    assert prepare_event(no_keys, now=NOW).reason == "no user_data key"
    assert "baseline" in (prepare_event(weak, now=NOW).reason or "")
    # and a CRM lead with only a lead id is fine
    crm = dict(no_keys, lead_id="123456789012345", event_source="crm", lead_event_source="X")
    assert prepare_event(crm, now=NOW).status == "ok"


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (None, None, "retry"),
        (200, None, "ok"),
        (429, None, "retry"),
        (500, None, "retry"),
        (503, {"code": 2}, "retry"),
        (400, {"code": 17, "error_subcode": 2446079}, "retry"),
        (400, {"code": 613}, "retry"),
        (400, {"code": 80003}, "retry"),
        (400, {"code": 9999, "is_transient": True}, "retry"),
        (400, {"code": 100, "error_subcode": 2804003}, "bisect"),
        (400, {"code": 100, "error_subcode": 33}, "stop"),
        (413, None, "bisect"),
        (400, {"code": 104}, "stop"),
        (400, {"code": 100, "is_transient": True}, "retry"),
        (400, {"code": 190}, "stop"),
        (403, {"code": 10}, "stop"),
        (403, {"code": 200}, "stop"),
        (400, {"code": 3}, "stop"),
        (404, None, "reject"),
    ],
)
def test_retry_policy_classifies_graph_outcomes(
    status: int | None, error: dict[str, object] | None, expected: str
) -> None:
    assert classify(status, error) == expected
    assert should_retry(status, error) is (expected == "retry")


def test_backoff_doubles_up_to_the_cap_and_jitter_stays_below() -> None:
    import random

    delays = [backoff_delay(n, base=0.5, cap=4.0) for n in range(1, 7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    rng = random.Random(1)
    assert all(0.0 <= full_jitter(2.0, rng) <= 2.0 for _ in range(100))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "Fri, 04 Dec 2026 06:00:30 GMT"}, 30.0),
        (
            {
                "X-Business-Use-Case-Usage": '{"1": [{"type": "ads_management", '
                '"estimated_time_to_regain_access": 0}, {"estimated_time_to_regain_access": 2}]}'
            },
            120.0,
        ),
        ({"Retry-After": "3", "X-Business-Use-Case-Usage": "not json"}, 3.0),
        ({"Retry-After": "soon"}, None),
        ({"X-Business-Use-Case-Usage": '{"1": [{"estimated_time_to_regain_access": 0}]}'}, None),
        ({}, None),
    ],
)
def test_the_wait_a_throttled_response_asks_for(headers: dict[str, str], expected) -> None:
    now = datetime(2026, 12, 4, 6, 0, tzinfo=UTC).timestamp()
    assert requested_wait(httpx.Headers(headers), now=now) == expected
