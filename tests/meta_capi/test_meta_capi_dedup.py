"""The dedup contract of meta_capi__events (reference/meta-capi.md section 6).

An outcome with a browser Pixel event reuses that event's id and name; every other event_id
is derived from the source system and record, so a full rebuild from the same data in any
order, or any re-stitching of identities, gives the same ids.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
from warehouse_build import SAMPLE_INBOX, build_warehouse, shuffled_copy


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_an_outcome_with_a_pixel_event_reuses_its_id_and_name(sample_warehouse: Path) -> None:
    # given the sample, whose web leads and web purchases fired the browser Pixel
    # when the mart is built
    reused = _rows(
        sample_warehouse,
        """
        select events.event_id, outcomes.pixel_event_id, events.event_name, web.pixel_event_name
        from marts.meta_capi__events as events
        inner join marts.meta_capi__outcomes_mapped as mapped
            on events.event_id = mapped.event_id and mapped.is_candidate
        inner join marts.fct_qualified_outcomes as outcomes
            on mapped.outcome_id = outcomes.outcome_id
        left join (select distinct event_id, pixel_event_name from raw.web_events) as web
            on outcomes.pixel_event_id = web.event_id
        where outcomes.pixel_event_id is not null
        """,
    )
    # then every such event carries the browser's event id and the browser's event name
    assert len(reused) > 10
    assert all(event_id == pixel_id for event_id, pixel_id, _, _ in reused)
    with_browser_name = [(name, pixel_name) for _, _, name, pixel_name in reused if pixel_name]
    assert len(with_browser_name) > 10
    assert all(name == pixel_name for name, pixel_name in with_browser_name)


def test_other_event_ids_derive_from_source_record_not_person(sample_warehouse: Path) -> None:
    # given the sample's events without a Pixel event
    rows = _rows(
        sample_warehouse,
        """
        select mapped.event_id, mapped.source_system, mapped.source_record_id,
            mapped.outcome_type
        from marts.meta_capi__outcomes_mapped as mapped
        where mapped.event_id_source = 'source_record'
        """,
    )
    # then each id is the hash of source system, record and outcome type, and nothing else
    assert len(rows) > 50
    for event_id, system, record_id, outcome_type in rows:
        expected = hashlib.sha256(
            f"journey-memory|{system}|{record_id}|{outcome_type}".encode()
        ).hexdigest()
        assert event_id == expected


def test_a_rebuild_from_shuffled_input_yields_the_same_events(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    # given the same inbox with every file's rows shuffled and the files landed in reverse
    shuffled_inbox = shuffled_copy(SAMPLE_INBOX, tmp_path / "inbox", seed=11)
    # when a fresh warehouse is landed and built from it
    rebuilt = build_warehouse(shuffled_inbox, tmp_path / "rebuilt.duckdb", tmp_path)
    # then it holds exactly the same events, ids and payload columns
    sql = "select * from marts.meta_capi__events order by event_id"
    original_rows = _rows(sample_warehouse, sql)
    rebuilt_rows = _rows(rebuilt, sql)
    assert len(original_rows) > 100
    assert [row[0] for row in rebuilt_rows] == [row[0] for row in original_rows]
    assert rebuilt_rows == original_rows
