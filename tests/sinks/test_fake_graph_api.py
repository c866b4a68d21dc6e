"""The fake Graph API refuses what Meta refuses, in Meta's shapes, over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sink_fixtures import NOW, event_row, sha

from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi
from sinks.meta_capi import prepare_event


def meta_event(index: int, **overrides: Any) -> dict[str, Any]:
    """A valid server event as our sink would send it."""
    prepared = prepare_event(event_row(index), now=NOW)
    event = json.loads(prepared.body or "")
    event.update(overrides)
    return event


def post(
    fake: FakeGraphApi,
    events: list[Any],
    *,
    token: str | None = DEFAULT_TOKEN,
    pixel_id: str = DEFAULT_PIXEL_ID,
) -> httpx.Response:
    body: dict[str, Any] = {"data": events}
    if token is not None:
        body["access_token"] = token
    return httpx.post(f"{fake.url}/v25.0/{pixel_id}/events", json=body, timeout=5)


def graph_error(response: httpx.Response) -> dict[str, Any]:
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code", "error_subcode", "fbtrace_id"}
    return error


def test_valid_batch_is_accepted_with_metas_success_shape(fake: FakeGraphApi) -> None:
    response = post(fake, [meta_event(1), meta_event(2)])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"events_received", "messages", "fbtrace_id"}
    assert body["events_received"] == 2 and fake.accepted == {"evt-000001": 1, "evt-000002": 1}


def test_sdk_form_encoding_with_json_string_events_is_understood(fake: FakeGraphApi) -> None:
    # given the official SDK's encoding: form fields, data a JSON list of JSON strings
    data = json.dumps([json.dumps(meta_event(1))])
    response = httpx.post(
        f"{fake.url}/v25.0/{DEFAULT_PIXEL_ID}/events",
        data={"data": data, "access_token": DEFAULT_TOKEN},
        timeout=5,
    )
    assert response.status_code == 200 and fake.accepted == {"evt-000001": 1}


@pytest.mark.parametrize(
    ("token", "pixel_id", "code", "subcode"),
    [
        (None, DEFAULT_PIXEL_ID, 104, None),
        ("wrong-token", DEFAULT_PIXEL_ID, 190, 463),
        (DEFAULT_TOKEN, "999", 100, 33),
    ],
)
def test_credentials_and_pixel_are_checked_first(
    fake: FakeGraphApi, token: str | None, pixel_id: str, code: int, subcode: int | None
) -> None:
    response = post(fake, [meta_event(1)], token=token, pixel_id=pixel_id)
    assert response.status_code == 400
    error = graph_error(response)
    assert (error["code"], error["error_subcode"]) == (code, subcode)
    assert not fake.accepted


def test_more_than_1000_events_are_refused(fake: FakeGraphApi) -> None:
    response = post(fake, [meta_event(i) for i in range(1001)])
    assert response.status_code == 400 and graph_error(response)["code"] == 100
    assert not fake.accepted


@pytest.mark.parametrize(
    ("overrides", "message_part"),
    [
        ({"event_name": ""}, "event_name"),
        ({"action_source": "web"}, "action_source"),
        ({"event_time": "2026-05-28"}, "integer"),
        ({"event_source_url": None}, "event_source_url"),
        ({"action_source": "other", "user_data": {"em": "jane.doe@example.com"}}, "not hashed"),
        ({"user_data": {"em": sha("x").upper(), "client_user_agent": "UA"}}, "not hashed"),
        ({"user_data": {"fbc": "fb.1.x.y", "client_user_agent": "UA"}}, "fbc"),
        ({"user_data": {"fbp": "fb.1.1.abc", "client_user_agent": "UA"}}, "fbp"),
        ({"action_source": "other", "user_data": {"fn": sha("mary"), "ge": sha("f")}}, "baseline"),
        ({"event_name": "Purchase"}, "Purchase"),
    ],
)
def test_one_bad_event_rejects_the_whole_batch(
    fake: FakeGraphApi, overrides: dict[str, Any], message_part: str
) -> None:
    # given a batch of valid events and one with a defect Meta refuses
    bad = meta_event(3, **overrides)
    bad = {k: v for k, v in bad.items() if v is not None}

    # when it is posted
    response = post(fake, [meta_event(1), bad, meta_event(2)])

    # then the whole request fails with code 100 and nothing of it was recorded
    assert response.status_code == 400
    error = graph_error(response)
    assert error["code"] == 100 and error["is_transient"] is False
    assert message_part in error["error_user_msg"]
    assert not fake.accepted


def test_an_event_older_than_seven_days_rejects_the_batch_with_subcode_2804003(
    fake: FakeGraphApi,
) -> None:
    old = meta_event(3, event_time=NOW - 7 * 86_400 - 60)
    response = post(fake, [meta_event(1), old])
    error = graph_error(response)
    assert (error["code"], error["error_subcode"]) == (100, 2804003)
    assert error["error_user_title"] == "Event Timestamp Too Old"
    assert not fake.accepted


def test_clear_text_external_id_and_builder_appendix_are_accepted(fake: FakeGraphApi) -> None:
    # Meta recommends, but does not require, hashing external_id
    event = meta_event(1)
    event["user_data"].update(external_id="crm-42", em=sha("a@b.co") + ".AQIAAQEC")
    assert post(fake, [event]).status_code == 200


def test_injected_faults_answer_in_metas_shapes(fake: FakeGraphApi) -> None:
    # given a queue of faults
    fake.inject("http_429", "transient_17", "token_expired", "permission_denied")

    # when four requests arrive, then each gets the matching Graph error
    answers = [post(fake, [meta_event(1)]) for _ in range(4)]
    codes = [(a.status_code, graph_error(a)["code"]) for a in answers]
    assert codes == [(429, 80003), (400, 17), (400, 190), (403, 200)]
    assert graph_error(answers[1])["is_transient"] is True
    # and the queue is spent: the next request succeeds
    assert post(fake, [meta_event(1)]).status_code == 200
