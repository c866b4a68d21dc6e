"""Run the generator: simulate people chunk by chunk, write inbox parts and ground truth."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from data.generator.people import TABLES, ChunkSimulator
from data.generator.writers import GROUND_TRUTH_ROWS_SCHEMA, DefectPlanner, write_part

logger = logging.getLogger(__name__)

PEOPLE_PER_CHUNK = 10_000
PARTS_PER_CHUNK = 3
DEFAULT_END = dt.date(2026, 11, 30)
_GT_ROW_GROUP = 262_144

PERSONS_SCHEMA = pa.schema(
    [
        ("person_key", pa.string()),
        ("acquisition_channel", pa.string()),
        ("devices", pa.int64()),
        ("sessions", pa.int64()),
        ("is_california", pa.bool_()),
        ("consent_ads", pa.bool_()),
        ("has_meta_click", pa.bool_()),
        ("has_gclid", pa.bool_()),
        ("has_login", pa.bool_()),
        ("has_form", pa.bool_()),
        ("has_crm_contact", pa.bool_()),
        ("has_merged_contact", pa.bool_()),
        ("has_booking", pa.bool_()),
        ("has_order", pa.bool_()),
        ("meta_lead_id", pa.string()),
        ("uses_test_email", pa.bool_()),
        ("uses_office_phone", pa.bool_()),
        ("shared_email_group", pa.string()),
        ("email", pa.string()),
        ("phone_e164", pa.string()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("state_code", pa.string()),
        ("country_code", pa.string()),
        ("conversions", pa.int64()),
    ]
)
_PERSON_DEFAULTS = {
    "has_gclid": False,
    "has_login": False,
    "has_form": False,
    "has_crm_contact": False,
    "has_merged_contact": False,
    "has_booking": False,
    "has_order": False,
    "meta_lead_id": None,
}
CONVERSIONS_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("record_id", pa.string()),
        ("kind", pa.string()),
        ("occurred_at", pa.timestamp("s")),
        ("person_key", pa.string()),
        ("meta_credit", pa.bool_()),
        ("credited_fbclid", pa.string()),
        ("meta_click_linkable", pa.bool_()),
        ("defect", pa.string()),
    ]
)


@dataclass(frozen=True)
class GenerationSummary:
    """What one run wrote."""

    people: int
    rows_by_table: dict[str, int]
    files: int
    bytes_written: int


def _chunk_task(args: tuple[int, int, int, int, int, str]) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Simulate and write one chunk; return its ground-truth tables (rows, persons, conversions)."""
    seed, chunk_index, first, count, end_ts, inbox_text = args
    inbox = Path(inbox_text)
    simulator = ChunkSimulator(seed, chunk_index, end_ts)
    for index in range(first, first + count):
        simulator.simulate_person(index)
    chunk = simulator.chunk
    planner = DefectPlanner(
        random.Random(f"journey-memory-defects:{seed}:{chunk_index}"),
        sum(len(rows) for rows in chunk.rows.values()),
    )
    truth_tables = []
    for table in TABLES:
        rows = chunk.rows[table]
        size = -(-len(rows) // PARTS_PER_CHUNK)
        for offset in range(PARTS_PER_CHUNK):
            part_rows = rows[offset * size : (offset + 1) * size]
            if not part_rows:
                continue
            part = chunk_index * PARTS_PER_CHUNK + offset
            truth = write_part(inbox, table, part, part_rows, planner, chunk.conversions)
            truth_tables.append(pa.Table.from_pydict(truth, schema=GROUND_TRUTH_ROWS_SCHEMA))
    persons = pa.Table.from_pylist(
        [{**_PERSON_DEFAULTS, **p} for p in chunk.persons], schema=PERSONS_SCHEMA
    )
    conversions = pa.Table.from_pylist(
        [
            {
                **c,
                "occurred_at": dt.datetime.fromtimestamp(c["occurred_at"], dt.UTC).replace(
                    tzinfo=None
                ),
                "defect": c.get("defect"),
            }
            for c in chunk.conversions
        ],
        schema=CONVERSIONS_SCHEMA,
    )
    return pa.concat_tables(truth_tables), persons, conversions


def _chunks(people: int) -> Iterator[tuple[int, int, int]]:
    for chunk_index, first in enumerate(range(0, people, PEOPLE_PER_CHUNK)):
        yield chunk_index, first, min(PEOPLE_PER_CHUNK, people - first)


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(path, schema, compression="zstd", write_statistics=True)


def generate(
    people: int,
    seed: int,
    out: Path,
    end: dt.date = DEFAULT_END,
    workers: int = 1,
) -> GenerationSummary:
    """Generate a synthetic funnel of `people` people into `out`.

    Args:
        people: how many people to simulate.
        seed: the seed; the same arguments always give byte-identical files.
        out: target folder; `inbox/` and `ground_truth/` are written below it.
        end: activity ends before midnight UTC starting this date (~60 days of history).
        workers: processes simulating chunks in parallel (output does not depend on it).

    Returns:
        Rows per table, file count and bytes written.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    end_ts = calendar.timegm(end.timetuple())
    inbox = out / "inbox"
    truth_dir = out / "ground_truth"
    for folder in (inbox, truth_dir):
        if folder.exists() and any(folder.rglob("*.*")):
            raise FileExistsError(f"{folder} is not empty; choose a fresh --out folder")
        folder.mkdir(parents=True, exist_ok=True)
    tasks = [(seed, i, first, count, end_ts, str(inbox)) for i, first, count in _chunks(people)]
    rows_writer = _writer(truth_dir / "rows.parquet", GROUND_TRUTH_ROWS_SCHEMA)
    persons_writer = _writer(truth_dir / "persons.parquet", PERSONS_SCHEMA)
    conv_writer = _writer(truth_dir / "conversions.parquet", CONVERSIONS_SCHEMA)
    rows_by_table: dict[str, int] = dict.fromkeys(TABLES, 0)
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        results = executor.map(_chunk_task, tasks) if executor else map(_chunk_task, tasks)
        for done, (truth, persons, conversions) in enumerate(results, start=1):
            rows_writer.write_table(truth, row_group_size=_GT_ROW_GROUP)
            persons_writer.write_table(persons, row_group_size=_GT_ROW_GROUP)
            conv_writer.write_table(conversions, row_group_size=_GT_ROW_GROUP)
            for table, count in zip(*_value_counts(truth), strict=True):
                rows_by_table[table] += count
            logger.info(
                "chunk %d/%d written (%d people, %d records)",
                done,
                len(tasks),
                persons.num_rows,
                truth.num_rows,
            )
    finally:
        rows_writer.close()
        persons_writer.close()
        conv_writer.close()
        if executor:
            executor.shutdown()
    files = [p for p in out.rglob("*") if p.is_file()]
    summary = GenerationSummary(
        people=people,
        rows_by_table=rows_by_table,
        files=len(files),
        bytes_written=sum(p.stat().st_size for p in files),
    )
    logger.info("generated %d people: %s", people, rows_by_table)
    return summary


def _value_counts(truth: pa.Table) -> tuple[list[str], list[int]]:
    counts = truth.column("table").value_counts()
    return (
        counts.field("values").to_pylist(),
        counts.field("counts").to_pylist(),
    )
