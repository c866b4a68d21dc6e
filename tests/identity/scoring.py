"""Pairwise scoring of a warehouse's person_id against the generator's ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

__all__ = ["PairwiseScore", "score_record_persons", "STAGED_RECORD_KEYS"]

# raw table -> (staging model, its key): how int_record_persons' record_id is spelled.
STAGED_RECORD_KEYS: dict[str, tuple[str, str]] = {
    "web_events": ("stg_web__events", "event_id"),
    "form_submissions": ("stg_forms__submissions", "submission_id"),
    "crm_contacts": ("stg_crm__contacts", "crm_contact_id"),
    "crm_stage_changes": ("stg_crm__stage_changes", "change_id"),
    "bookings": ("stg_booking__bookings", "booking_state_id"),
    "orders": ("stg_shop__orders", "order_id"),
}


@dataclass(frozen=True)
class PairwiseScore:
    """Pairs of records put in one person: by us (predicted), by the truth, and by both."""

    records: int
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int
    merged_true_persons: int  # predicted persons holding more than one true person

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def score_record_persons(warehouse: Path, ground_truth_rows: Path) -> PairwiseScore:
    """Score intermediate.int_record_persons against ground_truth/rows.parquet.

    Records are matched on their lineage (_source_file, _source_row); a staged record with no
    ground-truth row is an error, not a silent skip.
    """
    lineage = " union all ".join(
        f"select '{table}' as source_table, cast({key} as varchar) as record_id, "
        f"_source_file, _source_row from staging.{model}"
        for table, (model, key) in STAGED_RECORD_KEYS.items()
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            f"""
            create temp table scored as
            select persons.person_id, truth.person_key
            from intermediate.int_record_persons as persons
            inner join ({lineage}) as lineage
                on persons.source_table = lineage.source_table
                and persons.record_id = lineage.record_id
            left join read_parquet(?) as truth
                on truth."table" = lineage.source_table
                and truth.source_file = lineage._source_file
                and truth.source_row = lineage._source_row
            """,
            [str(ground_truth_rows)],
        )
        unmatched = con.execute("select count(*) from scored where person_key is null").fetchone()
        if unmatched[0]:
            raise AssertionError(f"{unmatched[0]} staged records have no ground-truth row")
        row = con.execute(
            """
            with cells as (
                select person_id, person_key, count(*) as n from scored group by all
            ),
            predicted as (select person_id, sum(n) as n from cells group by all),
            truth as (select person_key, sum(n) as n from cells group by all)
            select
                (select sum(n) from cells),
                (select coalesce(sum(n * (n - 1) // 2), 0) from predicted),
                (select coalesce(sum(n * (n - 1) // 2), 0) from truth),
                (select coalesce(sum(n * (n - 1) // 2), 0) from cells),
                (
                    select count(*) from (
                        select person_id from cells group by person_id having count(*) > 1
                    )
                )
            """
        ).fetchone()
    finally:
        con.close()
    return PairwiseScore(*(int(value) for value in row))
