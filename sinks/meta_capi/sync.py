"""Run one sync: read ready events, validate, batch, send, and keep the ledger.

``send_rows`` is the engine-agnostic core (any iterable of row dicts); ``sync_events`` reads
the rows from a DuckDB table. When the ledger lives in the same DuckDB file (the default) and
the mart has the contract's column types, ``sync_events`` renders plainly valid rows in SQL
(``sinks.meta_capi.fast_path``) in the query that also joins the ledger; every other row goes
through ``payload.prepare_event`` as in ``send_rows``.

Each batch is sent by a worker thread that writes its ``pending`` rows, makes the HTTP call and
writes the outcome; ledger writes are serialised by one lock, so the reading and rendering on
the main thread overlap with them. The ledger protocol is described in
``sinks.meta_capi.ledger``.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from sinks.meta_capi.client import BatchOutcome, MetaCapiClient
from sinks.meta_capi.config import SinkConfig
from sinks.meta_capi.contract import EVENT_COLUMNS
from sinks.meta_capi.errors import ConfigurationError
from sinks.meta_capi.fast_path import (
    ready_events_sql,
    sent_ready_events_sql,
    unsupported_columns,
)
from sinks.meta_capi.ledger import DeliveryState, Ledger
from sinks.meta_capi.payload import PreparedEvent, prepare_event

__all__ = ["SyncReport", "send_rows", "sync_events", "DEFAULT_TABLE"]

logger = logging.getLogger(__name__)

DEFAULT_TABLE = "marts.meta_capi__events"
DEFAULT_CHUNK_ROWS = 5000
DEFAULT_MEMORY_LIMIT: str | None = None
_MEMORY = re.compile(r"\d+(\.\d+)?\s*[KMGT]?i?B", re.IGNORECASE)
SAMPLE_EVENTS = 20
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")


@dataclass
class SyncReport:
    """Counts of one run (all events unless said otherwise).

    Attributes:
        run_id: Id written on the run's request rows.
        mode: ``live``, ``test`` (test_event_code set) or ``dry_run``.
        considered: Ready rows taken into this run (after skips, within ``max_events``).
        sent: Events Meta acknowledged in this run.
        rejected: Events refused, locally (validation) or by Meta.
        expired: Events outside Meta's time window at send time.
        dry_run: Events validated and recorded ``dry_run`` instead of sent.
        pending: Events attempted but left pending (retries exhausted, run stopped).
        skipped_already_sent: Rows whose delivery is already ``sent``.
        skipped_rejected: Rows Meta already refused with the same payload hash.
        skipped_not_ready: Rows whose ``send_status`` is not ``ready``.
        skipped_duplicate: Repeats of an event id within the input.
        resent: Events sent again on explicit request.
        resend_not_found: Event ids asked for resend that were not among the ready rows.
        requests: HTTP attempts.
        retries: Retried HTTP attempts.
        batches: Batches dispatched.
        sample_payload_path: Where the dry-run sample was written.
        stopped_reason: Why the run stopped early, if it did.
    """

    run_id: str
    mode: str
    considered: int = 0
    sent: int = 0
    rejected: int = 0
    expired: int = 0
    dry_run: int = 0
    pending: int = 0
    skipped_already_sent: int = 0
    skipped_rejected: int = 0
    skipped_not_ready: int = 0
    skipped_duplicate: int = 0
    resent: int = 0
    resend_not_found: int = 0
    requests: int = 0
    retries: int = 0
    batches: int = 0
    sample_payload_path: str | None = None
    stopped_reason: str | None = None
    resend_ids: frozenset[str] = field(default_factory=frozenset, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Counts as a plain dict (for asset metadata)."""
        data = asdict(self)
        data.pop("resend_ids")
        return data


def send_rows(
    rows: Iterable[Mapping[str, Any]],
    ledger_con: duckdb.DuckDBPyConnection,
    config: SinkConfig,
    *,
    max_events: int | None = None,
    resend_event_ids: Iterable[str] = (),
    dry_run: bool | None = None,
    now: datetime | int | None = None,
    sample_path: str | Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    client: MetaCapiClient | None = None,
) -> SyncReport:
    """Validate and deliver contract rows, keeping the ledger on ``ledger_con``.

    Args:
        rows: Rows with the columns of ``EVENT_COLUMNS`` (missing keys are nulls).
        ledger_con: Open read-write DuckDB connection holding (or receiving) ``sync.*``.
        config: Sink settings.
        max_events: Cap on events taken into this run (rows already sent do not count).
        resend_event_ids: Event ids to send again even though their delivery is ``sent``.
        dry_run: Force a dry run; ``None`` means dry run when no pixel id or no token.
        now: Send time used for the event-time window (default: the clock).
        sample_path: Where a dry run writes a sample request body (no token).
        chunk_rows: Rows validated and looked up in the ledger at once.
        client: Client to use instead of one built from ``config`` (not closed here).

    Returns:
        The run's counts.

    Raises:
        ConfigurationError: Meta refused the token (``TokenExpiredError``) or permissions;
            unsent events stay pending and ``exc.report`` holds the counts so far.
    """
    return _execute(
        lambda run: run.lookup_chunks(rows, chunk_rows),
        ledger_con,
        config,
        max_events=max_events,
        resend_event_ids=resend_event_ids,
        dry_run=dry_run,
        now=now,
        sample_path=sample_path,
        client=client,
    )


def _execute(
    chunks_of: Callable[[_Run], Iterable[list[_Candidate]]],
    ledger_con: duckdb.DuckDBPyConnection,
    config: SinkConfig,
    *,
    max_events: int | None,
    resend_event_ids: Iterable[str],
    dry_run: bool | None,
    now: datetime | int | None,
    sample_path: str | Path | None,
    client: MetaCapiClient | None = None,
    already_sent: int = 0,
) -> SyncReport:
    is_dry = config.is_dry_run or bool(dry_run)
    mode = "dry_run" if is_dry else ("test" if config.test_event_code else "live")
    resend = frozenset(str(e) for e in resend_event_ids)
    report = SyncReport(
        run_id=uuid.uuid4().hex, mode=mode, resend_ids=resend, skipped_already_sent=already_sent
    )
    now_ts = _unix(now)
    ledger = Ledger(ledger_con, config.pixel_id or "", report.run_id)
    ledger.ensure_schema()
    run = _Run(config, ledger, report, now_ts, is_dry, sample_path, client)
    try:
        run.consume(chunks_of(run), max_events=max_events)
    finally:
        run.close()
    if is_dry and report.sample_payload_path is None and sample_path is not None:
        run.write_sample([])
    missing = resend - run.seen
    report.resend_not_found = len(missing)
    if missing:
        logger.warning(
            "%d event ids asked for resend are not among the ready rows of this run (first: %s)",
            len(missing),
            ", ".join(sorted(missing)[:5]),
        )
    if report.stopped_reason is not None and run.stop_error is not None:
        error = run.stop_error
        raise type(error)(
            f"{error} -- run {report.run_id} stopped after sending {report.sent} events; "
            f"{report.pending} attempted events and every event not reached are left pending "
            "for the next run",
            code=error.code,
            report=report,
        )
    logger.info(
        "meta capi sync %s (%s): sent %d, rejected %d, expired %d, dry_run %d, pending %d, "
        "already sent %d, %d requests, %d retries",
        report.run_id,
        report.mode,
        report.sent,
        report.rejected,
        report.expired,
        report.dry_run,
        report.pending,
        report.skipped_already_sent,
        report.requests,
        report.retries,
    )
    return report


def sync_events(
    warehouse_path: str | Path,
    config: SinkConfig | None = None,
    *,
    table: str = DEFAULT_TABLE,
    max_events: int | None = None,
    resend_event_ids: Iterable[str] = (),
    dry_run: bool | None = None,
    now: datetime | int | None = None,
    ledger_path: str | Path | None = None,
    sample_path: str | Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
) -> SyncReport:
    """Send the ``ready`` rows of a DuckDB table to Meta (the Dagster asset's entry point).

    Opens the warehouse, reads ``send_status = 'ready'`` rows ordered by ``event_time,
    event_id`` in chunks of ``chunk_rows``, sends them as ``send_rows`` does and closes every
    connection. With the ledger in the warehouse file and the contract's column types, plainly
    valid rows are rendered in SQL (``fast_path``) and the ledger state comes from the same
    query; otherwise every row goes through Python.

    Args:
        warehouse_path: DuckDB file with the mart (and by default the ledger).
        config: Settings; default ``SinkConfig.from_env()``.
        table: Mart to read, ``[catalog.]schema.table``.
        max_events: See ``send_rows``.
        resend_event_ids: See ``send_rows``.
        dry_run: See ``send_rows``.
        now: See ``send_rows``.
        ledger_path: Separate DuckDB file for the ledger (default: the warehouse).
        sample_path: Dry-run sample body path (default: ``out/meta_capi_dry_run_sample.json``
            beside the warehouse file, i.e. ``data/out/`` for ``data/*.duckdb``).
        chunk_rows: Rows fetched from DuckDB at once.
        memory_limit: DuckDB ``memory_limit`` for this connection (spills the ordered read to
            DuckDB's temp directory beyond it); ``None`` keeps DuckDB's default.
    """
    config = config if config is not None else SinkConfig.from_env()
    if not _TABLE_NAME.fullmatch(table):
        raise ConfigurationError(f"not a table name: {table!r}")
    warehouse = Path(warehouse_path)
    if sample_path is None:
        sample_path = warehouse.parent / "out" / "meta_capi_dry_run_sample.json"
    con = duckdb.connect(str(warehouse))
    ledger_con = con
    try:
        if memory_limit:
            con.execute(f"set memory_limit = '{_memory_setting(memory_limit)}'")
        if ledger_path is not None and Path(ledger_path).resolve() != warehouse.resolve():
            ledger_con = duckdb.connect(str(ledger_path))
        reader = con.cursor()
        try:
            types = _column_types(reader, table)
            unsupported = unsupported_columns(types)
            already_sent = 0
            if ledger_con is con and not unsupported:
                # only rows not yet sent are read and rendered: an hourly run costs what is
                # new, not the whole history (the sent ones are counted, not fetched)
                sql = ready_events_sql(table, types, skip_sent=True)
                Ledger(con, config.pixel_id or "", "").ensure_schema()
                resend = sorted({str(e) for e in resend_event_ids})
                pixel = config.pixel_id or ""
                already_sent = reader.execute(
                    sent_ready_events_sql(table), [pixel, resend]
                ).fetchone()[0]

                def chunks_of(run: _Run) -> Iterator[list[_Candidate]]:
                    params = [run.now_ts, config.future_skew_seconds, pixel, resend]
                    return _rendered_chunks(reader, sql, params, chunk_rows)

            else:
                if unsupported:
                    logger.info(
                        "columns %s do not have the contract's types: every row is prepared "
                        "in Python",
                        unsupported,
                    )
                rows = _read_ready_rows(reader, table, types, chunk_rows)

                def chunks_of(run: _Run) -> Iterator[list[_Candidate]]:
                    return run.lookup_chunks(rows, chunk_rows)

            return _execute(
                chunks_of,
                ledger_con,
                config,
                max_events=max_events,
                resend_event_ids=resend_event_ids,
                dry_run=dry_run,
                now=now,
                sample_path=sample_path,
                already_sent=already_sent,
            )
        finally:
            reader.close()
    finally:
        if ledger_con is not con:
            ledger_con.close()
        con.close()


def _column_types(cursor: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    described = cursor.execute(f"describe select * from {table}").fetchall()
    types = {str(row[0]): str(row[1]) for row in described}
    missing = {"event_id", "event_name", "event_time", "send_status"} - set(types)
    if missing:
        raise ConfigurationError(f"{table} lacks contract columns: {sorted(missing)}")
    return types


def _read_ready_rows(
    cursor: duckdb.DuckDBPyConnection, table: str, types: Mapping[str, str], chunk_rows: int
) -> Iterator[dict[str, Any]]:
    columns = [c for c in EVENT_COLUMNS if c in types]
    cursor.execute(
        f"select {', '.join(columns)} from {table} "
        "where send_status = 'ready' order by event_time, event_id"
    )
    while True:
        chunk = cursor.fetchmany(chunk_rows)
        if not chunk:
            return
        for values in chunk:
            yield dict(zip(columns, values, strict=True))


def _rendered_chunks(
    cursor: duckdb.DuckDBPyConnection, sql: str, params: list[Any], chunk_rows: int
) -> Iterator[list[_Candidate]]:
    cursor.execute(sql, params)
    while True:
        chunk = cursor.fetchmany(chunk_rows)
        if not chunk:
            return
        candidates = []
        for event_id, event_name, body, payload_hash, status, old_hash, code, row in chunk:
            state = None if status is None else DeliveryState(status, old_hash, code)
            if body is not None:
                prepared = PreparedEvent(event_id, event_name, "ok", None, body, payload_hash)
                candidates.append(_Candidate(event_id, None, prepared, state))
            else:
                candidates.append(_Candidate(str(event_id or ""), row, None, state))
        yield candidates


@dataclass(slots=True)
class _Candidate:
    """One ready row: already rendered (``prepared``) or still a ``row`` for Python."""

    event_id: str
    row: Mapping[str, Any] | None
    prepared: PreparedEvent | None
    state: DeliveryState | None


class _Run:
    """State of one ``send_rows`` call: batching, in-flight requests and counts."""

    def __init__(
        self,
        config: SinkConfig,
        ledger: Ledger,
        report: SyncReport,
        now_ts: int,
        is_dry: bool,
        sample_path: str | Path | None,
        client: MetaCapiClient | None,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.report = report
        self.now_ts = now_ts
        self.now = datetime.fromtimestamp(now_ts, UTC).replace(tzinfo=None)
        self.is_dry = is_dry
        self.sample_path = sample_path
        self.stop_error: ConfigurationError | None = None
        self._owns_client = client is None and not is_dry
        self.client = client if client is not None or is_dry else MetaCapiClient(config)
        self.pool = (
            None if is_dry else ThreadPoolExecutor(config.concurrency, thread_name_prefix="capi")
        )
        self.inflight: dict[Future[BatchOutcome | None], int] = {}
        self.batch: list[PreparedEvent] = []
        self.batch_new: list[bool] = []
        self.seen: set[str] = set()
        # One writer at a time on the ledger connection (workers and the main thread).
        self.ledger_lock = threading.Lock()
        # Batch keys grow across runs (nanoseconds at start, then +1 per batch).
        self.batch_key = time.time_ns()
        self.stopping = threading.Event()

    def lookup_chunks(
        self, rows: Iterable[Mapping[str, Any]], chunk_rows: int
    ) -> Iterator[list[_Candidate]]:
        """Chunks of Python rows with their ledger state (the engine-agnostic path)."""
        iterator = iter(rows)
        while True:
            chunk = list(itertools.islice(iterator, chunk_rows))
            if not chunk:
                return
            with self.ledger_lock:
                known = self.ledger.lookup([str(r.get("event_id")) for r in chunk])
            yield [
                _Candidate(
                    str(row.get("event_id") or ""),
                    row,
                    None,
                    known.get(str(row.get("event_id") or "")),
                )
                for row in chunk
            ]

    def consume(self, chunks: Iterable[list[_Candidate]], *, max_events: int | None) -> None:
        taken = 0
        report = self.report
        resend_ids = report.resend_ids
        for chunk in chunks:
            if self.stop_error is not None or self.stopping.is_set():
                break
            finals: list[PreparedEvent] = []
            cap_reached = False
            for candidate in chunk:
                row = candidate.row
                if row is not None and row.get("send_status", "ready") != "ready":
                    report.skipped_not_ready += 1
                    continue
                event_id = candidate.event_id
                if event_id in self.seen:
                    report.skipped_duplicate += 1
                    continue
                state = candidate.state
                explicit = event_id in resend_ids
                if state is not None and state.status == "sent" and not explicit:
                    report.skipped_already_sent += 1
                    continue
                if max_events is not None and taken >= max_events:
                    cap_reached = True
                    break
                prepared = candidate.prepared
                if prepared is None:
                    assert row is not None
                    prepared = prepare_event(
                        row, now=self.now_ts, future_skew_seconds=self.config.future_skew_seconds
                    )
                if (
                    state is not None
                    and state.status == "rejected"
                    and state.error_code is not None
                    and state.payload_hash == prepared.payload_hash
                    and not explicit
                ):
                    report.skipped_rejected += 1
                    continue
                if event_id:
                    self.seen.add(event_id)
                taken += 1
                report.considered += 1
                if prepared.status != "ok":
                    finals.append(prepared)
                    if prepared.status == "expired":
                        report.expired += 1
                    else:
                        report.rejected += 1
                    continue
                if explicit:
                    report.resent += 1
                self.batch.append(prepared)
                self.batch_new.append(state is None)
                if len(self.batch) >= self.config.batch_size:
                    self.dispatch()
                    if self.stop_error is not None:
                        break
            if finals:
                with self.ledger_lock:
                    self.ledger.record_final(finals, now=self.now)
            if cap_reached:
                break
        if self.batch and self.stop_error is None and not self.stopping.is_set():
            self.dispatch()
        self.drain()
        # After a stop, a batch never dispatched has no ledger row: it is simply unsent.
        self.batch = []
        self.batch_new = []

    def dispatch(self) -> None:
        batch, self.batch = self.batch, []
        is_new, self.batch_new = self.batch_new, []
        self.report.batches += 1
        if self.is_dry:
            with self.ledger_lock:
                self.ledger.record_final(batch, now=self.now)
            self.report.dry_run += len(batch)
            if self.sample_path is not None and self.report.sample_payload_path is None:
                self.write_sample(batch)
            return
        assert self.pool is not None and self.client is not None
        while len(self.inflight) >= self.config.concurrency:
            self.collect(wait(self.inflight, return_when=FIRST_COMPLETED).done)
        if self.stop_error is not None:
            return
        resend = self.report.resend_ids
        purpose = "resend" if resend and any(e.event_id in resend for e in batch) else "send"
        future = self.pool.submit(self.send_batch, batch, is_new, purpose)
        self.inflight[future] = len(batch)

    def send_batch(
        self, batch: list[PreparedEvent], is_new: list[bool], purpose: str
    ) -> BatchOutcome | None:
        """Worker: record ``pending``, send, record the outcome (protocol steps 1 to 3)."""
        if self.stopping.is_set():
            return None  # another batch hit a stop error: leave this one untouched
        assert self.client is not None
        with self.ledger_lock:
            self.batch_key += 1
            key = self.batch_key
            self.ledger.record_pending(
                batch,
                now=self.now,
                resend_ids=self.report.resend_ids,
                is_new=is_new,
                batch_key=key,
            )
        outcome = self.client.deliver(batch, purpose=purpose)
        if outcome.stop is not None:
            self.stopping.set()
        with self.ledger_lock:
            self.ledger.record_outcome(outcome, now=self.now, batch_key=key, batch_size=len(batch))
        return outcome

    def collect(self, done: Iterable[Future[BatchOutcome | None]]) -> None:
        for future in done:
            size = self.inflight.pop(future)
            outcome = future.result()
            if outcome is None:
                continue
            self.report.sent += len(outcome.sent)
            self.report.rejected += len(outcome.rejected)
            self.report.pending += len(outcome.unsent)
            self.report.requests += len(outcome.requests)
            self.report.retries += outcome.retries
            last = outcome.requests[-1] if outcome.requests else None
            logger.info(
                "batch of %d events: sent %d, rejected %d, pending %d (%d requests, fbtrace_id=%s)",
                size,
                len(outcome.sent),
                len(outcome.rejected),
                len(outcome.unsent),
                len(outcome.requests),
                last.fbtrace_id if last else None,
            )
            if outcome.stop is not None and self.stop_error is None:
                self.stop_error = outcome.stop
                self.report.stopped_reason = str(outcome.stop)
                logger.error("stopping the sync: %s", outcome.stop)

    def drain(self) -> None:
        while self.inflight:
            self.collect(wait(self.inflight, return_when=FIRST_COMPLETED).done)

    def write_sample(self, batch: list[PreparedEvent]) -> None:
        assert self.sample_path is not None
        path = Path(self.sample_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        body: dict[str, Any] = {
            "data": [json.loads(e.body) for e in batch[:SAMPLE_EVENTS] if e.body],
        }
        if self.config.test_event_code:
            body["test_event_code"] = self.config.test_event_code
        sample = {
            "endpoint": self.config.events_url if self.config.pixel_id else None,
            "note": "dry run: nothing was sent; access_token travels in the body when live",
            "body": body,
        }
        path.write_text(json.dumps(sample, indent=2, ensure_ascii=False) + "\n")
        self.report.sample_payload_path = str(path)

    def close(self) -> None:
        try:
            self.drain()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
            if self._owns_client and self.client is not None:
                self.client.close()


def _memory_setting(value: str) -> str:
    if not _MEMORY.fullmatch(value.strip()):
        raise ConfigurationError(f"not a memory size: {value!r}")
    return value.strip()


def _unix(now: datetime | int | None) -> int:
    if now is None:
        return int(time.time())
    if isinstance(now, datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return int(now.timestamp())
    return int(now)
