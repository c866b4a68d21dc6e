"""Split a generated inbox into delivery batches by event time, with deliberately late rows.

The generator writes a whole history at once; a team syncing every hour receives it in
slices. ``split_inbox`` rewrites every inbox file into per-batch inboxes: batch 0 holds the
oldest ``base_share`` of the web hits' time range (by row count), the later batches split the
rest evenly by time. Rows are copied byte for byte (CSV and JSONL lines as written, Parquet
rows with the file's schema), so landing a batch sees exactly what the generator wrote.

Late rows, chosen deterministically by a hash of the record key:

- ``late_hit_share`` of the web hits arrive one batch after their event time (in the test's
  split a batch spans about a day, so these are the "hit that arrives a day late");
- ``late_form_share`` of the form submissions arrive two batches late; a late form that
  carries an email or phone and a cookie seen in earlier batches stitches that old cookie to
  a person after its sessions were already built.

A row whose event time does not parse (a generator defect row) goes to batch 0, where landing
quarantines it as it would without batches.

Used by tests/incremental (the equivalence test) and bench/bench_pipeline.py (the increment).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["EVENT_TIME_COLUMNS", "BatchPlan", "split_inbox"]

#: The column that says when each raw table's record happened.
EVENT_TIME_COLUMNS: dict[str, str] = {
    "web_events": "occurred_at",
    "form_submissions": "submitted_at",
    "crm_contacts": "created_at",
    "crm_stage_changes": "changed_at",
    "bookings": "updated_at",
    "orders": "ordered_at",
}
_KEY_COLUMNS: dict[str, str] = {
    "web_events": "event_id",
    "form_submissions": "submission_id",
    "crm_contacts": "crm_contact_id",
    "crm_stage_changes": "change_id",
    "bookings": "booking_id",
    "orders": "order_id",
}

#: Columns the split looks at (Parquet files read only these).
_SPLIT_COLUMNS = frozenset(
    {*EVENT_TIME_COLUMNS.values(), *_KEY_COLUMNS.values(), "anonymous_id", "email", "phone"}
)


@dataclass
class BatchPlan:
    """What ``split_inbox`` wrote.

    Attributes:
        inboxes: One inbox folder per batch, in delivery order.
        cutoffs: Event-time boundaries between consecutive batches (UTC, naive).
        rows: Rows written per batch and table.
        late_hits: Event ids of web hits delivered one batch after their event time.
        late_forms: Submission ids delivered two batches late.
        stitching_forms: Late forms with an email or phone whose cookie has hits in an
            earlier batch than the one the form arrives in.
    """

    inboxes: list[Path]
    cutoffs: list[datetime]
    rows: list[dict[str, int]]
    late_hits: list[str] = field(default_factory=list)
    late_forms: list[str] = field(default_factory=list)
    stitching_forms: list[str] = field(default_factory=list)


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _picked(key: object, share: float, salt: str) -> bool:
    if share <= 0 or not isinstance(key, str) or not key:
        return False
    digest = hashlib.sha256(f"{salt}|{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") < share * 2**32


def _read_records(path: Path) -> tuple[str, list[dict], object]:
    """Records of one inbox file as dicts, plus what is needed to write them back as is."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            lines = handle.read().splitlines(keepends=True)
        header, body = lines[0], lines[1:]
        names = next(csv.reader([header]))
        records = []
        # a quoted field may hold a newline: parse the body as one stream, keep raw text
        # per record by re-reading record boundaries from the csv reader's line numbers
        reader = csv.reader(body)
        start = 0
        for values in reader:
            end = reader.line_num
            raw = "".join(body[start:end])
            start = end
            records.append({"_values": dict(zip(names, values, strict=False)), "_raw": raw})
        return "csv", records, header
    if path.suffix == ".jsonl":
        records = []
        for raw in path.read_text(encoding="utf-8").splitlines(keepends=True):
            try:
                values = json.loads(raw)
            except ValueError:
                values = {}
            records.append({"_values": values if isinstance(values, dict) else {}, "_raw": raw})
        return "jsonl", records, None
    table = pq.read_table(path)
    wanted = [c for c in table.column_names if c in _SPLIT_COLUMNS]
    rows = table.select(wanted).to_pylist()
    records = [{"_values": row, "_index": index} for index, row in enumerate(rows)]
    return "parquet", records, table


def _write_records(kind: str, path: Path, records: list[dict], extra: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            handle.write(str(extra))
            handle.writelines(record["_raw"] for record in records)
    elif kind == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            handle.writelines(record["_raw"] for record in records)
    else:
        assert isinstance(extra, pa.Table)
        indices = pa.array([record["_index"] for record in records], type=pa.int64())
        pq.write_table(extra.take(indices), path)


def _cutoffs(times: list[datetime], base_share: float, increments: int) -> list[datetime]:
    ordered = sorted(times)
    start = ordered[min(len(ordered) - 1, int(len(ordered) * base_share))]
    end = ordered[-1]
    step = (end - start) / increments
    return [start + step * index for index in range(increments)]


def split_inbox(
    inbox: Path,
    out: Path,
    *,
    base_share: float,
    increments: int,
    late_hit_share: float = 0.0,
    late_form_share: float = 0.0,
) -> BatchPlan:
    """Write ``increments + 1`` batch inboxes under ``out`` (``batch-00/`` ...).

    Args:
        inbox: A generated inbox (``<inbox>/<raw table>/part-*``); only read.
        out: Folder for the batch inboxes (replaced).
        base_share: Share of the web hits (by event time) in batch 0, the full-refresh load.
        increments: Number of later batches; they split the remaining time range evenly.
        late_hit_share: Share of web hits delivered one batch late.
        late_form_share: Share of form submissions delivered two batches late.
    """
    if out.exists():
        shutil.rmtree(out)
    files = sorted(p for p in inbox.glob("*/part-*") if p.parent.name in EVENT_TIME_COLUMNS)
    loaded = [(path, *_read_records(path)) for path in files]
    hit_times = [
        t
        for path, _, records, _ in loaded
        if path.parent.name == "web_events"
        for t in (_parse_time(r["_values"].get("occurred_at")) for r in records)
        if t is not None
    ]
    cutoffs = _cutoffs(hit_times, base_share, increments)
    last = increments
    plan = BatchPlan(
        inboxes=[out / f"batch-{index:02d}" / "inbox" for index in range(last + 1)],
        cutoffs=cutoffs,
        rows=[dict.fromkeys(EVENT_TIME_COLUMNS, 0) for _ in range(last + 1)],
    )
    first_hit_batch: dict[str, int] = {}
    form_cookies: dict[str, tuple[str, int, bool]] = {}
    for path, kind, records, extra in loaded:
        table = path.parent.name
        per_batch: list[list[dict]] = [[] for _ in range(last + 1)]
        for record in records:
            values = record["_values"]
            when = _parse_time(values.get(EVENT_TIME_COLUMNS[table]))
            batch = 0 if when is None else sum(1 for cut in cutoffs if when >= cut)
            key = values.get(_KEY_COLUMNS[table])
            if table == "web_events" and batch < last and _picked(key, late_hit_share, "hit"):
                batch += 1
                plan.late_hits.append(str(key))
            if table == "form_submissions" and batch < last:
                if _picked(key, late_form_share, "form"):
                    batch = min(last, batch + 2)
                    plan.late_forms.append(str(key))
                    has_contact = bool(values.get("email") or values.get("phone"))
                    cookie = str(values.get("anonymous_id") or "")
                    form_cookies[str(key)] = (cookie, batch, has_contact)
            if table == "web_events" and isinstance(values.get("anonymous_id"), str):
                cookie = values["anonymous_id"]
                first_hit_batch[cookie] = min(batch, first_hit_batch.get(cookie, batch))
            per_batch[batch].append(record)
        for batch, chosen in enumerate(per_batch):
            if not chosen:
                continue
            target = plan.inboxes[batch] / table / f"{path.stem}-b{batch:02d}{path.suffix}"
            _write_records(kind, target, chosen, extra)
            plan.rows[batch][table] += len(chosen)
    plan.stitching_forms = sorted(
        key
        for key, (cookie, batch, has_contact) in form_cookies.items()
        if has_contact and cookie in first_hit_batch and first_hit_batch[cookie] < batch
    )
    return plan
