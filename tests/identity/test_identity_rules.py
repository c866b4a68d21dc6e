"""Identity rules on a hand-made inbox: who is stitched, who is kept apart, and what is reported.

One inbox holds several small stories with distinct ids; one dbt run resolves them all.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.landing.contract import RAW_TABLES
from orchestration.landing.loader import land_inbox
from tests.identity.conftest import run_dbt

WEB_EVENTS = [
    # retroactive: a cookie browses days before its owner fills a form
    {"event_id": "ev-alice-1", "occurred_at": "2026-11-01T09:00:00", "anonymous_id": "anon-alice"},
    # a kiosk cookie used by two people who each leave their email on it
    {"event_id": "ev-kiosk-1", "occurred_at": "2026-11-02T09:00:00", "anonymous_id": "anon-kiosk"},
]
FORMS = [
    {
        "submission_id": "sub-alice",
        "submitted_at": "2026-11-05T10:00:00",
        "anonymous_id": "anon-alice",
        "email": " Alice.Smith@Example.com ",
        "first_name": "Alice",
    },
    # test@test.com typed by two strangers on their own devices
    {
        "submission_id": "sub-tester-1",
        "submitted_at": "2026-11-05T11:00:00",
        "anonymous_id": "anon-tester-1",
        "email": "test@test.com",
    },
    {
        "submission_id": "sub-tester-2",
        "submitted_at": "2026-11-05T12:00:00",
        "anonymous_id": "anon-tester-2",
        "email": "TEST@test.com",
    },
    {
        "submission_id": "sub-kiosk-carol",
        "submitted_at": "2026-11-06T10:00:00",
        "anonymous_id": "anon-kiosk",
        "email": "carol@example.com",
    },
    {
        "submission_id": "sub-kiosk-dave",
        "submitted_at": "2026-11-06T11:00:00",
        "anonymous_id": "anon-kiosk",
        "email": "dave@example.com",
    },
]
CONTACTS = [
    {
        "crm_contact_id": "c-alice",
        "created_at": "2026-11-07T08:00:00",
        "email": "alice.smith@example.com",
    },
    # a duplicate created from a phone call, merged into the original by the CRM
    {"crm_contact_id": "c-bob", "created_at": "2026-11-03T08:00:00", "email": "bob@example.com"},
    {
        "crm_contact_id": "c-bob-dup",
        "created_at": "2026-11-04T08:00:00",
        "phone": "+1 415 555 0142",
        "merged_into_crm_contact_id": "c-bob",
    },
    # two family members sharing one mailbox, each with their own phone
    {
        "crm_contact_id": "c-family-1",
        "created_at": "2026-11-03T09:00:00",
        "email": "family@example.com",
        "phone": "+1 415 555 0150",
        "first_name": "Erin",
    },
    {
        "crm_contact_id": "c-family-2",
        "created_at": "2026-11-03T10:00:00",
        "email": "family@example.com",
        "phone": "+1 415 555 0151",
        "first_name": "Frank",
    },
]
STAGE_CHANGES = [
    {
        "change_id": "chg-bob-dup",
        "crm_contact_id": "c-bob-dup",
        "stage": "lead",
        "changed_at": "2026-11-04T09:00:00",
    },
]


def _write(inbox: Path, table: str, rows: list[dict[str, str]]) -> None:
    path = inbox / table / "part-00000.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = RAW_TABLES[table].column_names
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("identity_rules")
    inbox = work / "inbox"
    _write(inbox, "web_events", [{"event_type": "page_view", **row} for row in WEB_EVENTS])
    _write(inbox, "form_submissions", FORMS)
    _write(inbox, "crm_contacts", CONTACTS)
    _write(inbox, "crm_stage_changes", STAGE_CHANGES)
    warehouse = work / "warehouse.duckdb"
    report = land_inbox(inbox, warehouse)
    assert report.rows_rejected == 0
    run_dbt(warehouse, work, "seed")
    run_dbt(
        warehouse, work, "run", "--select", "+dim_persons", "+int_identity_oversized_identifiers"
    )
    return warehouse


def _person(warehouse: Path, source_table: str, record_id: str) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "select person_id from intermediate.int_record_persons "
            "where source_table = ? and record_id = ?",
            [source_table, record_id],
        ).fetchone()
    finally:
        con.close()
    assert row is not None, f"{source_table}/{record_id} has no person"
    return row[0]


def _oversized(warehouse: Path) -> dict[tuple[str, str], str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select identifier_type, identifier_value, reason "
            "from intermediate.int_identity_oversized_identifiers"
        ).fetchall()
    finally:
        con.close()
    return {(kind, value): reason for kind, value, reason in rows}


def test_a_cookie_seen_before_the_form_belongs_to_the_person(warehouse: Path) -> None:
    # given a cookie that browsed, then filled a form, and a CRM contact with the same email
    # when persons are resolved
    # then the earlier page view, the form and the contact are one person
    person = _person(warehouse, "web_events", "ev-alice-1")
    assert _person(warehouse, "form_submissions", "sub-alice") == person
    assert _person(warehouse, "crm_contacts", "c-alice") == person


def test_a_blocklisted_email_does_not_glue_strangers(warehouse: Path) -> None:
    # given two strangers who both typed test@test.com (in the seed identity_blocklist)
    # when persons are resolved
    # then they stay two persons and the value is reported as blocked
    assert _person(warehouse, "form_submissions", "sub-tester-1") != _person(
        warehouse, "form_submissions", "sub-tester-2"
    )
    assert "blocklist" in _oversized(warehouse).values()


def test_a_crm_merge_joins_the_two_contacts(warehouse: Path) -> None:
    # given a duplicate contact merged into the original (they share no email or phone)
    # when persons are resolved
    # then both contacts and the duplicate's stage change are one person
    person = _person(warehouse, "crm_contacts", "c-bob")
    assert _person(warehouse, "crm_contacts", "c-bob-dup") == person
    assert _person(warehouse, "crm_stage_changes", "chg-bob-dup") == person


def test_a_shared_cookie_does_not_bridge_two_people(warehouse: Path) -> None:
    # given one kiosk cookie on which two people left two different emails
    # when persons are resolved
    carol = _person(warehouse, "form_submissions", "sub-kiosk-carol")
    dave = _person(warehouse, "form_submissions", "sub-kiosk-dave")
    kiosk_hit = _person(warehouse, "web_events", "ev-kiosk-1")
    # then the two stay apart, the cookie's own hits belong to neither, and it is reported
    assert carol != dave
    assert kiosk_hit not in (carol, dave)
    reasons = _oversized(warehouse)
    assert reasons[("anonymous_id", "anon-kiosk")] == "weak_identifier_seen_with_several_persons"


def test_a_family_mailbox_does_not_merge_two_contacts(warehouse: Path) -> None:
    # given two CRM contacts with their own phones sharing one email address
    # when persons are resolved
    # then they stay two persons and the email is reported as shared
    assert _person(warehouse, "crm_contacts", "c-family-1") != _person(
        warehouse, "crm_contacts", "c-family-2"
    )
    assert any(reason.startswith("shared_by_several_") for reason in _oversized(warehouse).values())


def test_every_person_has_one_dim_persons_row(warehouse: Path) -> None:
    # given the resolved records
    # when dim_persons is built
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        missing, persons, with_email = con.execute(
            """
            select
                (select count(distinct person_id) from intermediate.int_record_persons
                 where person_id not in (select person_id from marts.dim_persons)),
                (select count(*) from marts.dim_persons),
                (select count(*) from marts.dim_persons where em is not null)
            """
        ).fetchone()
    finally:
        con.close()
    # then no person is missing, and contact keys are there as hashes
    assert missing == 0
    assert persons > 0
    assert with_email > 0
