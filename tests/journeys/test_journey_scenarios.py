"""Designed journeys through the real landing, staging, identity and journey models.

One warehouse is landed and built twice: first with the journeys below, then with a second
delivery of late and corrected CRM rows. Each test names the rule it holds
(fct_qualified_outcomes' YAML lists them).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from orchestration.landing.contract import RAW_TABLES
from tests.journeys.conftest import dbt_build, land, query

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SITE = "https://www.clinic.example"
META_LANDING = SITE + "/offer?utm_source=facebook&utm_medium=paid_social&utm_campaign=winter"


def _hit(event_id: str, at: str, anon: str, url: str, **extra: str) -> dict[str, str]:
    return {
        "event_id": event_id,
        "occurred_at": at,
        "anonymous_id": anon,
        "event_type": "page_view",
        "pixel_event_name": "PageView",
        "page_url": url,
        "client_ip": "81.2.69.160",
        "user_agent": CHROME,
        "consent_ads": "true",
        **extra,
    }


FIRST_DELIVERY: dict[str, list[dict[str, str]]] = {
    "web_events": [
        # Ada: a Meta click with cookies blocked (no _fbc), a quiz, a later second click
        _hit("ada-1", "2026-11-01T10:00:00", "anon-ada", META_LANDING + "&fbclid=FbAda1"),
        _hit("ada-2", "2026-11-01T10:10:00", "anon-ada", SITE + "/quiz", referrer_url=SITE),
        _hit(
            "ada-3",
            "2026-11-01T10:12:00",
            "anon-ada",
            SITE + "/quiz/done",
            event_type="form_submit",
            pixel_event_name="Lead",
        ),
        _hit("ada-4", "2026-11-01T10:50:00", "anon-ada", SITE + "/prices"),
        _hit("ada-5", "2026-11-04T09:00:00", "anon-ada", META_LANDING + "&fbclid=FbAda2"),
        # Ben: a Meta click with an _fbc cookie, then a hit relayed by our own server
        _hit(
            "ben-1",
            "2026-11-02T08:00:00",
            "anon-ben",
            META_LANDING + "&fbclid=FbBen1",
            fbc="fb.1.1793606400000.FbBen1",
            fbp="fb.1.1793606400000.1234567890",
            client_ip="2a02:1810:4d02:8b00::9",
        ),
        _hit(
            "ben-2",
            "2026-11-02T08:05:00",
            "anon-ben",
            SITE + "/quiz/done",
            event_type="form_submit",
            pixel_event_name="Lead",
            fbc="fb.1.1793606400000.FbBen1",
            fbp="fb.1.1793606400000.1234567890",
            client_ip="10.0.0.5",
            user_agent="python-httpx/0.27.0",
        ),
        # Cleo: a Meta click an hour before a CRM stage written with a -05:00 offset
        _hit("cleo-1", "2026-11-03T11:00:00", "anon-cleo", META_LANDING + "&fbclid=FbCleo1"),
        # Dan: organic search, then email
        _hit(
            "dan-1",
            "2026-11-05T12:00:00",
            "anon-dan",
            SITE + "/",
            referrer_url="https://www.google.com/",
        ),
        _hit(
            "dan-2",
            "2026-11-05T12:05:00",
            "anon-dan",
            SITE + "/?utm_source=newsletter&utm_medium=email&utm_campaign=nov",
        ),
    ],
    "form_submissions": [
        {
            "submission_id": "sub-ada",
            "submitted_at": "2026-11-01T10:12:00",
            "anonymous_id": "anon-ada",
            "form_id": "quiz",
            "step": "2",
            "pixel_event_id": "ada-3",
            "email": "ada@example.com",
            "consent_ads": "true",
            "page_url": SITE + "/quiz/done",
            "client_ip": "81.2.69.160",
            "user_agent": CHROME,
        },
        {
            "submission_id": "sub-ben",
            "submitted_at": "2026-11-02T08:05:00",
            "anonymous_id": "anon-ben",
            "form_id": "quiz",
            "step": "2",
            "pixel_event_id": "ben-2",
            "email": "ben@example.com",
            "consent_ads": "true",
            "page_url": SITE + "/quiz/done",
        },
        {
            "submission_id": "sub-ben-step1",
            "submitted_at": "2026-11-02T08:04:00",
            "anonymous_id": "anon-ben",
            "form_id": "quiz",
            "step": "1",
            "page_url": SITE + "/quiz/step-1",
        },
    ],
    "crm_contacts": [
        {
            "crm_contact_id": "c-ada",
            "created_at": "2026-11-01T11:00:00",
            "email": "ada@example.com",
            "submission_id": "sub-ada",
        },
        {
            "crm_contact_id": "c-ben",
            "created_at": "2026-11-02T09:00:00",
            "email": "ben@example.com",
            "submission_id": "sub-ben",
        },
        {
            "crm_contact_id": "c-cleo",
            "created_at": "2026-10-20T09:00:00",
            "email": "cleo@example.com",
            "anonymous_id": "anon-cleo",
        },
        {
            "crm_contact_id": "c-cleo-dup",
            "created_at": "2026-10-21T09:00:00",
            "phone": "+1 415 555 0100",
            "merged_into_crm_contact_id": "c-cleo",
        },
        {
            "crm_contact_id": "c-dan",
            "created_at": "2026-11-05T12:10:00",
            "email": "dan@example.com",
            "anonymous_id": "anon-dan",
        },
    ],
    "crm_stage_changes": [
        {
            "change_id": "ada-lead",
            "crm_contact_id": "c-ada",
            "stage": "lead",
            "changed_at": "2026-11-01T11:00:00",
        },
        {
            "change_id": "ada-mql",
            "crm_contact_id": "c-ada",
            "stage": "MQL",
            "changed_at": "2026-11-03T10:00:00",
        },
        {
            "change_id": "ada-won",
            "crm_contact_id": "c-ada",
            "deal_id": "d-ada",
            "stage": "won",
            "changed_at": "2026-11-06T10:00:00",
            "value": "100",
            "currency": "EUR",
        },
        {
            "change_id": "ada-sql-late",
            "crm_contact_id": "c-ada",
            "deal_id": "d-ada2",
            "stage": "sql",
            "changed_at": "2027-02-05T10:00:00",
        },
        {
            "change_id": "ben-lead",
            "crm_contact_id": "c-ben",
            "stage": "lead",
            "changed_at": "2026-11-02T09:00:00",
        },
        {
            "change_id": "ben-won",
            "crm_contact_id": "c-ben",
            "deal_id": "d-ben",
            "stage": "won",
            "changed_at": "2026-11-03T09:00:00",
            "value": "250",
            "currency": "USD",
        },
        # Cleo: stages on the merged duplicate, a win before any touch, a -05:00 offset
        {
            "change_id": "cleo-lead",
            "crm_contact_id": "c-cleo",
            "stage": "lead",
            "changed_at": "2026-10-20T09:00:00",
        },
        {
            "change_id": "cleo-dup-lead",
            "crm_contact_id": "c-cleo-dup",
            "stage": "lead",
            "changed_at": "2026-10-21T09:00:00",
        },
        {
            "change_id": "cleo-sql",
            "crm_contact_id": "c-cleo",
            "deal_id": "d-cleo",
            "stage": "sql",
            "changed_at": "2026-10-25T09:00:00",
            "currency": "GBP",
        },
        {
            "change_id": "cleo-won",
            "crm_contact_id": "c-cleo-dup",
            "deal_id": "d-cleo",
            "stage": "won",
            "changed_at": "2026-10-30T09:00:00",
            "value": "500",
        },
        {
            "change_id": "cleo-mql",
            "crm_contact_id": "c-cleo",
            "stage": "mql",
            "changed_at": "2026-11-03T07:00:00-05:00",
        },
        {
            "change_id": "dan-lead",
            "crm_contact_id": "c-dan",
            "stage": "lead",
            "changed_at": "2026-11-05T12:10:00",
        },
        {
            "change_id": "dan-won",
            "crm_contact_id": "c-dan",
            "deal_id": "d-dan",
            "stage": "won",
            "changed_at": "2026-11-07T12:10:00",
            "value": "75",
        },
    ],
}

SECOND_DELIVERY: dict[str, list[dict[str, str]]] = {
    "crm_stage_changes": [
        # a stage re-entered, a deal reopened and won again with a corrected value, and a
        # backfilled lead dated before the first one
        {
            "change_id": "ada-lead-again",
            "crm_contact_id": "c-ada",
            "stage": "lead",
            "changed_at": "2026-11-08T10:00:00",
        },
        {
            "change_id": "ada-reopened",
            "crm_contact_id": "c-ada",
            "deal_id": "d-ada",
            "stage": "reopened",
            "changed_at": "2026-11-09T10:00:00",
        },
        {
            "change_id": "ada-won-again",
            "crm_contact_id": "c-ada",
            "deal_id": "d-ada",
            "stage": "won",
            "changed_at": "2026-11-10T10:00:00",
            "value": "120",
            "currency": "EUR",
        },
        {
            "change_id": "ben-lead-backfill",
            "crm_contact_id": "c-ben",
            "stage": "lead",
            "changed_at": "2026-11-02T08:30:00",
        },
    ],
}


def _write_inbox(inbox: Path, delivery: dict[str, list[dict[str, str]]], name: str) -> None:
    for table, rows in delivery.items():
        columns = RAW_TABLES[table].column_names
        path = inbox / table / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                unknown = set(row) - set(columns)
                assert not unknown, f"{table} has no column {unknown}"
                writer.writerow({column: row.get(column, "") for column in columns})


COLUMNS = (
    "source_record_id outcome_id outcome_type fbc fbc_source fbp client_ip_address "
    "client_user_agent record_fbc crm_contact_id value currency value_issue "
    "is_before_first_touch is_stage_skipped superseded_records pixel_event_id"
).split()
OUTCOMES_SQL = (
    f"select {', '.join(COLUMNS)}, cast(occurred_at as varchar) as occurred_at "
    "from marts.fct_qualified_outcomes"
)
COLUMNS.append("occurred_at")


def _outcomes(warehouse: Path) -> dict[str, dict]:
    return {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in query(warehouse, OUTCOMES_SQL)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    scratch = tmp_path_factory.mktemp("journeys")
    warehouse = scratch / "warehouse.duckdb"
    first, second = scratch / "inbox1", scratch / "inbox2"
    _write_inbox(first, FIRST_DELIVERY, "first")
    _write_inbox(second, SECOND_DELIVERY, "second")
    land(first, warehouse)
    dbt_build(warehouse, scratch)
    before = _outcomes(warehouse)
    sessions = query(
        warehouse,
        "select anonymous_id, channel, cast(started_at as varchar) from marts.fct_sessions "
        "order by anonymous_id, started_at",
    )
    land(second, warehouse)
    dbt_build(warehouse, scratch)
    return {"before": before, "after": _outcomes(warehouse), "sessions": sessions}


@pytest.mark.slow
def test_sessions_split_after_30_minutes_and_take_their_channel_from_the_seed(built) -> None:
    # given Ada's click, two pages within 12 minutes, a page 38 minutes later and a new click
    # days later; Dan's search visit and, 5 minutes on, a newsletter click
    # then each device's sessions and channels are:
    sessions = [row for row in built["sessions"] if row[0] in ("anon-ada", "anon-dan")]
    assert sessions == [
        ("anon-ada", "meta_paid", "2026-11-01 10:00:00"),
        ("anon-ada", "direct", "2026-11-01 10:50:00"),
        ("anon-ada", "meta_paid", "2026-11-04 09:00:00"),
        ("anon-dan", "organic_search", "2026-11-05 12:00:00"),
        ("anon-dan", "email", "2026-11-05 12:05:00"),
    ]


@pytest.mark.slow
def test_fbc_is_rebuilt_from_the_stored_fbclid_and_a_later_click_is_not_credited(built):
    outcomes = built["before"]
    # a stage between the two clicks carries the first one, rebuilt (no cookie was stored)
    assert outcomes["ada-mql"]["fbc"] == "fb.1.1793527200000.FbAda1"
    assert outcomes["ada-mql"]["fbc_source"] == "rebuilt"
    # the web lead carries its click too, although its own Pixel hit had no _fbc (baseline)
    assert outcomes["sub-ada"]["fbc"] == "fb.1.1793527200000.FbAda1"
    assert outcomes["sub-ada"]["record_fbc"] is None
    # the win after the second click carries the second click
    assert outcomes["ada-won"]["fbc"] == "fb.1.1793782800000.FbAda2"


@pytest.mark.slow
def test_a_click_older_than_90_days_is_not_sent(built) -> None:
    # given Ada's last click on 2026-11-04, when a stage happens on 2027-02-05 (93 days on)
    # then it carries no fbc
    assert built["before"]["ada-sql-late"]["fbc"] is None


@pytest.mark.slow
def test_the_cookie_fbc_is_kept_and_our_servers_ip_and_agent_are_never_used(built) -> None:
    ben = built["before"]["sub-ben"]
    assert ben["fbc"] == "fb.1.1793606400000.FbBen1"
    assert ben["fbc_source"] == "cookie"
    assert ben["fbp"] == "fb.1.1793606400000.1234567890"
    # the converting hit came through 10.0.0.5 with python-httpx: the browser's are used
    assert ben["client_ip_address"] == "2a02:1810:4d02:8b00::9"
    assert ben["client_user_agent"] == CHROME


@pytest.mark.slow
def test_a_stage_skipped_is_flagged_and_nothing_is_invented(built) -> None:
    outcomes = built["before"]
    ben_types = sorted(o["outcome_type"] for k, o in outcomes.items() if k.startswith("ben-"))
    assert ben_types == ["closed_won", "crm_lead"]
    assert outcomes["ben-won"]["is_stage_skipped"] is True
    assert outcomes["ada-mql"]["is_stage_skipped"] is False


@pytest.mark.slow
def test_a_merged_contacts_stages_are_the_survivors_and_counted_once(built) -> None:
    outcomes = built["before"]
    cleo = {k: o for k, o in outcomes.items() if k.startswith("cleo-")}
    assert sorted(cleo) == ["cleo-lead", "cleo-mql", "cleo-sql", "cleo-won"]
    assert {o["crm_contact_id"] for o in cleo.values()} == {"c-cleo"}


@pytest.mark.slow
def test_a_deal_won_before_the_first_touch_stands_without_journey_context(built) -> None:
    won = built["before"]["cleo-won"]
    assert won["is_before_first_touch"] is True
    assert won["fbc"] is None


@pytest.mark.slow
def test_a_value_without_currency_takes_the_deals_or_is_withheld(built) -> None:
    outcomes = built["before"]
    assert (outcomes["cleo-won"]["value"], outcomes["cleo-won"]["currency"]) == (500.0, "GBP")
    dan = outcomes["dan-won"]
    assert (dan["value"], dan["currency"], dan["value_issue"]) == (None, None, "currency_missing")


@pytest.mark.slow
def test_a_stage_written_with_another_offset_is_compared_in_utc(built) -> None:
    # given Cleo's click at 11:00 UTC and a stage at 07:00-05:00 (12:00 UTC)
    mql = built["before"]["cleo-mql"]
    assert mql["occurred_at"] == "2026-11-03 12:00:00"
    assert mql["fbc"] == "fb.1.1793703600000.FbCleo1"


@pytest.mark.slow
def test_late_and_corrected_crm_rows_never_duplicate_or_move_an_outcome(built) -> None:
    before, after = built["before"], built["after"]
    # every outcome of the first build is still there with the same id and time
    for key, outcome in before.items():
        assert after[key]["outcome_id"] == outcome["outcome_id"]
        assert after[key]["occurred_at"] == outcome["occurred_at"]
    # the re-entered lead, the reopen, the second win and the backfill made no new outcome
    assert set(after) == set(before)
    assert after["ada-won"]["value"] == 100.0
    assert after["ada-won"]["superseded_records"] == 1
    assert after["ada-lead"]["superseded_records"] == 1
    assert after["ben-lead"]["superseded_records"] == 1
