"""Write simulated rows as inbox part files (CSV, JSONL, Parquet), injecting defects.

Each part file yields ground-truth rows describing every record in it: where it is (file,
1-based record number), its key, its true person and its defect, if any.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from data.generator.people import Row
from orchestration.landing.contract import RAW_TABLES

FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
DEFECT_KINDS: tuple[str, ...] = (
    "bad_timestamp",
    "missing_required",
    "wrong_type",
    "bad_enum",
    "bad_json",
    "truncated",
    "duplicate",
)
DEFECT_RATE = 0.005
MIN_DEFECTS_PER_CHUNK = 21
PARQUET_ROW_GROUP = 65_536

_TIMESTAMP_COLUMN = {
    "web_events": "occurred_at",
    "form_submissions": "submitted_at",
    "crm_contacts": "created_at",
    "crm_stage_changes": "changed_at",
    "bookings": "updated_at",
    "orders": "ordered_at",
}
_WRONG_TYPE = {
    "web_events": (("consent_ads", "maybe"),),
    "form_submissions": (("step", "two"), ("consent_ads", "maybe")),
    "crm_contacts": (("consent_ads", "maybe"),),
    "crm_stage_changes": (("value", "12,5O"),),
    "orders": (("value", "12,5O"), ("value", "USD 49")),
}
_BAD_ENUM = {
    "web_events": (("event_type", "pageview2"), ("event_type", "PageView ")),
    "bookings": (("status", "confirmed"),),
    "orders": (("channel", "webshop"), ("status", "chargeback")),
}
_BAD_JSON = {
    "web_events": "properties",
    "form_submissions": "answers",
    "orders": "items",
}
_BAD_TIMESTAMPS: tuple[str, ...] = ("yesterday", "2026-13-45T25:61:00", "31/11/2026 10:00", "")
_JSON_KINDS = ("json", "json_list")

GROUND_TRUTH_ROWS_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("record_id", pa.string()),
        ("person_key", pa.string()),
        ("defect", pa.string()),
        ("defect_column", pa.string()),
    ]
)


def part_format(table: str, part: int) -> str:
    """The file format of part number `part` of `table` (rotates so every table mixes)."""
    return FORMATS[(part + list(RAW_TABLES).index(table)) % len(FORMATS)]


class DefectPlanner:
    """Decide which rows get which defect, cycling through the kinds so each one shows up.

    Kinds are dealt from a deck: a row takes the first kind still in the deck that fits its
    table and format, and the deck is refilled when empty, so any 7 consecutive defects in
    tables that allow everything cover every kind. Small runs get a higher rate (at least
    `MIN_DEFECTS_PER_CHUNK` per chunk, at most 5%) so each kind is present at 100 people.
    """

    def __init__(self, rng: random.Random, chunk_rows: int) -> None:
        self.rng = rng
        self.rate = min(0.05, max(DEFECT_RATE, MIN_DEFECTS_PER_CHUNK / max(chunk_rows, 1)))
        self.deck: list[str] = []

    def applicable(self, table: str, kind: str, fmt: str) -> bool:
        """Whether a defect kind can be put into a row of this table and format."""
        if kind == "wrong_type":
            return table in _WRONG_TYPE
        if kind == "bad_enum":
            return table in _BAD_ENUM
        if kind == "bad_json":
            return table in _BAD_JSON
        if kind == "truncated":
            return fmt != "parquet"
        return True

    def next_kind(self, table: str, fmt: str) -> str | None:
        """The next defect kind for a row, or None for a clean row."""
        if self.rng.random() >= self.rate:
            return None
        if not self.deck:
            self.deck = list(DEFECT_KINDS)
        for kind in self.deck:
            if self.applicable(table, kind, fmt):
                self.deck.remove(kind)
                return kind
        # the deck holds only kinds this table cannot take: use a kind every table takes
        return self.rng.choice(("bad_timestamp", "missing_required", "duplicate"))

    def corrupt(self, table: str, values: dict, kind: str) -> tuple[dict, str | None]:
        """Return a corrupted copy of `values` and the defect column, for value-level kinds."""
        rng = self.rng
        spec = RAW_TABLES[table]
        values = dict(values)
        if kind == "bad_timestamp":
            column = _TIMESTAMP_COLUMN[table]
            values[column] = rng.choice(_BAD_TIMESTAMPS[:3])
            return values, column
        if kind == "missing_required":
            required = [c.name for c in spec.columns if c.required]
            column = rng.choice((spec.key, _TIMESTAMP_COLUMN[table], rng.choice(required)))
            values[column] = rng.choice(("", None))
            return values, column
        if kind == "wrong_type":
            column, bad = rng.choice(_WRONG_TYPE[table])
            values[column] = bad
            return values, column
        if kind == "bad_enum":
            column, bad = rng.choice(_BAD_ENUM[table])
            values[column] = bad
            return values, column
        if kind == "bad_json":
            column = _BAD_JSON[table]
            values[column] = rng.choice(("{broken", '[{"sku": "X", "quantity": 1', '{"a":}'))
            return values, column
        return values, None


def _text(value: object) -> str | None:
    """A value as the text a CSV or Parquet file holds (JSON columns as JSON text)."""
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _jsonl_value(value: object, rng: random.Random) -> object:
    if isinstance(value, dict | list) and rng.random() < 0.5:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def write_part(
    inbox: Path,
    table: str,
    part: int,
    rows: list[Row],
    planner: DefectPlanner,
    conversions: list[dict],
) -> dict[str, list]:
    """Write one part file and return its ground-truth rows as column lists."""
    fmt = part_format(table, part)
    spec = RAW_TABLES[table]
    columns = spec.column_names
    relative = f"{table}/part-{part:05d}.{fmt}"
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = planner.rng
    truth: dict[str, list] = {name: [] for name in GROUND_TRUTH_ROWS_SCHEMA.names}
    records: list = []  # per format: CSV line text, JSONL line text, or list of texts

    def add_truth(record_id: object, person: str, defect: str | None, column: str | None):
        truth["table"].append(table)
        truth["source_file"].append(relative)
        truth["source_row"].append(len(truth["table"]))
        truth["record_id"].append(record_id if record_id not in ("", None) else None)
        truth["person_key"].append(person)
        truth["defect"].append(defect)
        truth["defect_column"].append(column)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def encode(values: dict) -> object:
        if fmt == "csv":
            writer.writerow(["" if (v := _text(values[c])) is None else v for c in columns])
            line = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return line
        if fmt == "jsonl":
            obj = {c: _jsonl_value(values[c], rng) for c in columns}
            return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
        return [_text(values[c]) for c in columns]

    for row in rows:
        kind = planner.next_kind(table, fmt)
        values = row.values
        if kind in (None, "duplicate"):
            encoded = encode(values)
            records.append(encoded)
            add_truth(values[spec.key], row.person_key, None, None)
            if kind == "duplicate":
                records.append(encoded)
                add_truth(values[spec.key], row.person_key, "duplicate", None)
            continue
        if row.conversion >= 0:
            conversions[row.conversion]["defect"] = kind
        if kind == "truncated":
            if fmt == "csv":
                keep = rng.randrange(1, len(columns) - 1)
                writer.writerow(
                    ["" if (v := _text(values[c])) is None else v for c in columns[:keep]]
                )
                line = buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            else:
                full = encode(values).rstrip("\n")
                line = full[: rng.randrange(len(full) // 4, 3 * len(full) // 4)] + "\n"
            records.append(line)
            add_truth(values[spec.key], row.person_key, "truncated", None)
            continue
        corrupted, column = planner.corrupt(table, values, kind)
        records.append(encode(corrupted))
        add_truth(corrupted[spec.key], row.person_key, kind, column)

    if fmt == "parquet":
        arrays = [pa.array([r[i] for r in records], pa.string()) for i in range(len(columns))]
        pq.write_table(
            pa.Table.from_arrays(arrays, names=columns),
            path,
            compression="zstd",
            row_group_size=PARQUET_ROW_GROUP,
            write_statistics=False,
        )
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            if fmt == "csv":
                handle.write(",".join(columns) + "\n")
            handle.writelines(records)
    return truth
