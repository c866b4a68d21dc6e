"""The Dataset Quality client against the Graph API fake, over loopback."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest

from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi
from sinks.meta_capi import ConfigurationError, SinkConfig, TokenExpiredError
from sinks.meta_capi.dataset_quality import fetch_dataset_quality, pull_dataset_quality

PULLED_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeGraphApi]:
    with FakeGraphApi() as server:
        yield server


def _config(fake: FakeGraphApi, **changes: str) -> SinkConfig:
    values = {
        "pixel_id": DEFAULT_PIXEL_ID,
        "access_token": DEFAULT_TOKEN,
        "graph_api_url": fake.url,
        **changes,
    }
    return SinkConfig(**values)


def _send_leads(fake: FakeGraphApi, with_email: int, without_email: int) -> None:
    """POST Lead events to the fake's events edge; ``with_email`` of them carry em."""
    now = int(time.time())
    events = []
    for number in range(with_email + without_email):
        user_data = {"client_ip_address": "203.0.113.9", "client_user_agent": "Mozilla/5.0"}
        if number < with_email:
            user_data["em"] = hashlib.sha256(f"p{number}@example.com".encode()).hexdigest()
        events.append(
            {
                "event_name": "Lead",
                "event_time": now,
                "event_id": f"lead-{number}",
                "action_source": "website",
                "event_source_url": "https://example.com/form",
                "user_data": user_data,
            }
        )
    response = httpx.post(
        f"{fake.url}/v25.0/{DEFAULT_PIXEL_ID}/events",
        json={"data": events, "access_token": DEFAULT_TOKEN},
    )
    assert response.status_code == 200, response.text


def test_pull_writes_metas_numbers_per_event_name_beside_the_ledger(
    fake: FakeGraphApi, tmp_path: Path
) -> None:
    # given: the fake accepted 3 Lead events, 2 of them with a hashed email
    _send_leads(fake, with_email=2, without_email=1)
    warehouse = tmp_path / "warehouse.duckdb"

    # when
    report = pull_dataset_quality(str(warehouse), _config(fake), now=PULLED_AT)

    # then: one row for Lead, and the email coverage Meta (the fake) reports
    assert not report.skipped and report.event_names == 1
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "select event_name, composite_score, event_coverage_percentage, pulled_at "
        "from sync.meta_dataset_quality"
    ).fetchall()
    keys = dict(
        con.execute(
            "select identifier, coverage_percentage from sync.meta_dataset_quality_match_keys"
        ).fetchall()
    )
    con.close()
    assert [(r[0], r[2], r[3]) for r in rows] == [("Lead", 100.0, datetime(2026, 11, 30, 12))]
    assert 0 < rows[0][1] <= 10
    assert keys["email"] == pytest.approx(66.67)
    assert keys["ip_address"] == 100.0


def test_second_pull_appends_history_for_comparison_over_time(
    fake: FakeGraphApi, tmp_path: Path
) -> None:
    # given: one earlier pull
    _send_leads(fake, with_email=1, without_email=1)
    warehouse = str(tmp_path / "warehouse.duckdb")
    pull_dataset_quality(warehouse, _config(fake), now=PULLED_AT)

    # when: a later pull
    pull_dataset_quality(warehouse, _config(fake), now=PULLED_AT.replace(hour=13))

    # then: both pulls are kept
    con = duckdb.connect(warehouse, read_only=True)
    assert (
        con.execute("select count(distinct pulled_at) from sync.meta_dataset_quality").fetchone()[0]
        == 2
    )
    con.close()


def test_metas_documented_shape_is_parsed_including_acr_uplift(fake: FakeGraphApi) -> None:
    # given: an answer shaped like the reference's Purchase example
    fake.dataset_quality_override = [
        {
            "event_name": "Purchase",
            "event_match_quality": {
                "composite_score": 6.3,
                "match_key_feedback": [
                    {
                        "identifier": "email",
                        "coverage": {"percentage": 71.2},
                        "potential_aly_acr_increase": {
                            "percentage": 58.96,
                            "description": "similar advertisers saw a median increase",
                        },
                    },
                    {"identifier": "ip_address", "coverage": {"percentage": 99.0}},
                ],
                "diagnostics": [{"title": "send IPv6 instead of IPv4"}],
            },
            "event_coverage": {"percentage": 64.0, "goal_percentage": 75},
            "data_freshness": {"upload_frequency": "hourly"},
        }
    ]

    # when
    (purchase,) = fetch_dataset_quality(_config(fake))

    # then
    assert purchase.composite_score == 6.3
    assert purchase.event_coverage_percentage == 64.0
    assert purchase.event_coverage_goal_percentage == 75.0
    assert purchase.upload_frequency == "hourly"
    assert purchase.match_keys[0].potential_acr_increase_percentage == 58.96
    assert purchase.match_keys[1].potential_acr_increase_percentage is None


def test_without_credentials_the_pull_is_skipped_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # given: no pixel id and no token
    warehouse = tmp_path / "warehouse.duckdb"

    # when
    with caplog.at_level(logging.INFO, logger="sinks.meta_capi.dataset_quality"):
        report = pull_dataset_quality(str(warehouse), SinkConfig())

    # then: nothing raised, nothing written, a log line says why
    assert report.skipped and report.event_names == 0
    assert not warehouse.exists()
    assert "skipped" in caplog.text


def test_a_wrong_token_raises_token_expired_without_showing_the_token(
    fake: FakeGraphApi,
) -> None:
    # given
    config = _config(fake, access_token="wrong-secret-token-42")

    # when / then
    with pytest.raises(TokenExpiredError) as caught:
        fetch_dataset_quality(config)
    assert caught.value.code == 190
    assert "wrong-secret-token-42" not in str(caught.value)


def test_a_dataset_the_token_cannot_see_is_a_configuration_error(fake: FakeGraphApi) -> None:
    # given
    config = _config(fake, pixel_id="999999999999999")

    # when / then
    with pytest.raises(ConfigurationError, match="does not exist"):
        fetch_dataset_quality(config)
