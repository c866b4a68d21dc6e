"""Incremental identity equals a full refresh (issue 3: an hourly run must not rebuild years).

The committed sample is landed in three batches (part 0, 1 and 2 of every raw table, so each
landing has its own `_loaded_at`), with an incremental `dbt run` after each; the identity
models and dim_persons are then compared row for row with a `--full-refresh` of the same
data. The change markers of int_record_persons (person_assigned_at, previous_person_id) are
run bookkeeping and are compared on their own: they must name exactly the records whose
person a later batch changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

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
