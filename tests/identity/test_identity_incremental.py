"""Incremental identity equals a full refresh (issue 3: an hourly run must not rebuild years).

The committed sample is landed in three batches (part 0, 1 and 2 of every raw table, so each
landing has its own `_loaded_at`), with an incremental `dbt run` after each; the identity
models and dim_persons are then compared row for row with a `--full-refresh` of the same
data. The change markers of int_record_persons (person_assigned_at, previous_person_id) are
run bookkeeping and are compared on their own: they must name exactly the records whose
person a later batch changed.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.landing.contract import RAW_TABLES
from orchestration.landing.loader import land_inbox
from tests.identity.conftest import run_dbt

SAMPLE_INBOX = Path(__file__).resolve().parents[2] / "data" / "sample" / "inbox"
SELECT = ("--select", "+int_record_persons", "+dim_persons", "path:models/intermediate/identity")
COMPARED_MODELS = (
    "intermediate.int_identity_occurrences",
    "intermediate.int_identity_identifiers_excluded",
    "intermediate.int_identity_nodes",
    "intermediate.int_identity_record_nodes",
    "intermediate.int_identity_strong_edges",
    "intermediate.int_identity_weak_edges",
    "intermediate.int_identity_strong_components",
    "intermediate.int_identity_weak_components",
    "intermediate.int_identity_device_links",
    "intermediate.int_identity_person_edges",
    "intermediate.int_identity_person_components",
    "intermediate.int_identity_nodes_resolved",
    "intermediate.int_identity_oversized_identifiers",
    "intermediate.int_identifiers_resolved",
    "intermediate.int_record_persons",
    "marts.dim_persons",
)
BOOKKEEPING_COLUMNS = {"person_assigned_at", "previous_person_id"}


def _batch_inbox(root: Path, part: int) -> Path:
    """An inbox holding part `part` of every raw table of the sample."""
    inbox = root / f"batch-{part}"
    for table_dir in sorted(SAMPLE_INBOX.iterdir()):
        for source in sorted(table_dir.glob(f"part-{part:05d}.*")):
            (inbox / table_dir.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, inbox / table_dir.name / source.name)
    return inbox


def _rows(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        snapshot = {}
        for model in COMPARED_MODELS:
            schema, name = model.split(".")
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by column_name",
                    [schema, name],
                ).fetchall()
                if row[0] not in BOOKKEEPING_COLUMNS
            ]
            listed = ", ".join(f'"{column}"' for column in columns)
            snapshot[model] = con.execute(
                f"select {listed} from {model} order by all"  # noqa: S608  (names from the catalog)
            ).fetchall()
        return snapshot
    finally:
        con.close()


def _record_persons(warehouse: Path) -> dict[tuple[str, str], tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select source_table, record_id, person_id, person_assigned_at, previous_person_id"
            " from intermediate.int_record_persons"
        ).fetchall()
    finally:
        con.close()
    return {(row[0], row[1]): row[2:] for row in rows}


@pytest.fixture(scope="module")
def incremental_and_full(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("identity_incremental")
    warehouse = work / "warehouse.duckdb"
    run_dbt(warehouse, work, "seed")
    after_batch: list[dict[tuple[str, str], tuple]] = []
    for part in range(3):
        report = land_inbox(_batch_inbox(work, part), warehouse)
        assert report.files_unparseable == 0
        assert report.rows_loaded > 0
        run_dbt(warehouse, work, "run", *SELECT)
        after_batch.append(_record_persons(warehouse))
    incremental = _rows(warehouse)
    run_dbt(warehouse, work, "run", "--full-refresh", *SELECT)
    full = _rows(warehouse)
    return incremental, full, after_batch


@pytest.mark.slow
def test_incremental_runs_equal_a_full_refresh(incremental_and_full) -> None:
    # given the sample landed in three batches, with an incremental run after each
    incremental, full, _ = incremental_and_full
    # when the same data is rebuilt from scratch
    # then every identity model and dim_persons holds exactly the same rows
    for model in COMPARED_MODELS:
        assert len(full[model]) > 0, model
        assert incremental[model] == full[model], f"{model} differs from a full refresh"


@pytest.mark.slow
def test_a_later_batch_moves_earlier_records_and_marks_them(incremental_and_full) -> None:
    # given the record persons after each of the three incremental runs
    _, _, after_batch = incremental_and_full
    first, second, third = after_batch
    # when later batches stitch records landed earlier (an old cookie meets a form) to a
    # person
    moved = [key for key, (person_id, _, _) in first.items() if third[key][0] != person_id]
    assert moved, "the sample's later batches should stitch some earlier records"
    for key in moved:
        person_id, assigned_at, previous_person_id = third[key]
        # then the record carries its new person, stamped by a later run than its first,
        assert assigned_at > first[key][1], key
        # and names the person it had until then
        assert previous_person_id in {first[key][0], second[key][0]}, key
        assert previous_person_id != person_id, key
    # and a record no batch moved keeps the stamp of the run that first saw it
    kept = [key for key in first if first[key][0] == second[key][0] == third[key][0]]
    assert kept
    assert all(third[key][1] == first[key][1] for key in kept)


def _write(inbox: Path, table: str, rows: list[dict[str, str]]) -> None:
    path = inbox / table / "part-00000.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = RAW_TABLES[table].column_names
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def test_a_new_form_moves_an_old_cookie_and_its_records_to_the_person(tmp_path: Path) -> None:
    # given a cookie that browsed twice, a stranger's cookie, and a CRM contact with an
    # email, built incrementally
    warehouse = tmp_path / "warehouse.duckdb"
    run_dbt(warehouse, tmp_path, "seed")
    first = tmp_path / "first"
    _write(
        first,
        "web_events",
        [
            {
                "event_type": "page_view",
                "event_id": event_id,
                "occurred_at": at,
                "anonymous_id": anon,
            }
            for event_id, at, anon in [
                ("ev-gina-1", "2026-11-01T09:00:00", "anon-gina"),
                ("ev-gina-2", "2026-11-02T09:00:00", "anon-gina"),
                ("ev-hank-1", "2026-11-02T10:00:00", "anon-hank"),
            ]
        ],
    )
    _write(
        first,
        "crm_contacts",
        [
            {
                "crm_contact_id": "c-gina",
                "created_at": "2026-10-20T08:00:00",
                "email": "gina@example.com",
            }
        ],
    )
    assert land_inbox(first, warehouse).rows_rejected == 0
    run_dbt(warehouse, tmp_path, "run", *SELECT)
    before = _record_persons(warehouse)
    assert before[("web_events", "ev-gina-1")][0] != before[("crm_contacts", "c-gina")][0]

    # when a form arrives that the cookie filled in with the contact's email
    second = tmp_path / "second"
    _write(
        second,
        "form_submissions",
        [
            {
                "submission_id": "sub-gina",
                "submitted_at": "2026-11-05T10:00:00",
                "anonymous_id": "anon-gina",
                "email": "Gina@Example.com",
            }
        ],
    )
    assert land_inbox(second, warehouse).rows_rejected == 0
    run_dbt(warehouse, tmp_path, "run", *SELECT)
    after = _record_persons(warehouse)

    # then the cookie's old page views belong to the contact's person, marked as moved
    person = after[("crm_contacts", "c-gina")][0]
    assert after[("form_submissions", "sub-gina")][0] == person
    for event_id in ("ev-gina-1", "ev-gina-2"):
        person_id, assigned_at, previous_person_id = after[("web_events", event_id)]
        assert person_id == person
        assert previous_person_id == before[("web_events", event_id)][0]
        assert assigned_at > before[("web_events", event_id)][1]
    # and the stranger's page view is untouched
    assert after[("web_events", "ev-hank-1")] == before[("web_events", "ev-hank-1")]
