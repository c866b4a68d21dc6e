"""The send ledger in DuckDB: ``sync.meta_capi_deliveries`` and ``sync.meta_capi_requests``.

Crash protocol (why a kill -9 between any two statements loses nothing):

1. Before a batch goes on the wire, its events are written ``pending`` (``attempts + 1``,
   ``last_attempt_at``; ``resend_count + 1`` for explicit resends). Events the run found no
   ledger row for are appended in one insert, the others upserted in one statement; either
   statement is atomic, and both commit before step 2 starts. Every row of the batch gets the
   batch's key (``attempt_batch``, growing over time).
2. The HTTP call happens outside any transaction (retries and bisection included).
3. After the call, one transaction marks the acknowledged events ``sent`` (only after a 2xx
   whose ``events_received`` equals the request's size; a batch acknowledged whole is marked
   by its key, which reads one row group instead of joining the table), the isolated bad ones
   ``rejected`` with Meta's message, and appends one ``sync.meta_capi_requests`` row per HTTP
   attempt. Events whose request failed stay ``pending``.
4. A later run sends every event whose delivery is not ``sent`` (``dry_run``, ``pending``,
   ``expired`` and locally ``rejected`` rows do not block; a Meta rejection is skipped until
   the payload hash changes or the event is resent explicitly). The payload is rebuilt from
   the same mart row, so a resent event carries the same event id and the same bytes.

So an event is ``sent`` only after Meta acknowledged it (nothing is lost: a kill before step 3
commits leaves the event ``pending`` or absent, and both are sent again), and the only events
that can reach Meta twice are those of the batches between steps 1 and 3 at the kill: at most
``concurrency`` batches, resent with the same event ids. ``tests/sinks/test_sink_crash.py``
checks this after every one of several random SIGKILLs.

Each step is one statement or transaction per batch, never one per event. Worker threads send
the batches; the caller serialises ledger writes with one lock, since a DuckDB connection is
not for concurrent use. The connection is the caller's: open it, run, close it (DuckDB admits
one writing process).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from sinks.meta_capi.client import BatchOutcome
from sinks.meta_capi.payload import PreparedEvent

__all__ = ["Ledger", "DeliveryState", "DELIVERY_STATUSES"]

DELIVERY_STATUSES: tuple[str, ...] = ("pending", "sent", "rejected", "expired", "dry_run")

_SCHEMA_SQL = """
create schema if not exists sync;
create table if not exists sync.meta_capi_deliveries (
    pixel_id varchar not null,
    event_id varchar not null,
    event_name varchar,
    payload_hash varchar,
    status varchar not null,
    attempts integer not null default 0,
    resend_count integer not null default 0,
    first_attempt_at timestamp,
    last_attempt_at timestamp,
    sent_at timestamp,
    fbtrace_id varchar,
    error_code integer,
    error_message varchar,
    updated_at timestamp,
    attempt_batch bigint,
    primary key (pixel_id, event_id)
);
alter table sync.meta_capi_deliveries add column if not exists attempt_batch bigint;
create table if not exists sync.meta_capi_requests (
    request_id varchar not null,
    run_id varchar,
    pixel_id varchar not null,
    purpose varchar,
    batch_size integer not null,
    status_code integer,
    events_received integer,
    fbtrace_id varchar,
    error varchar,
    duration_ms double,
    started_at timestamp
);
"""


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """The ledger's view of one event before this run touches it."""

    status: str
    payload_hash: str | None
    error_code: int | None


class Ledger:
    """Reads and writes the send ledger for one pixel on an open DuckDB connection.

    Args:
        con: Open read-write connection (closed by the caller).
        pixel_id: Pixel id the rows belong to (``""`` for a dry run without a pixel).
        run_id: Id written on request rows.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, pixel_id: str, run_id: str) -> None:
        self._con = con
        self._pixel_id = pixel_id
        self._run_id = run_id

    def ensure_schema(self) -> None:
        """Create the ``sync`` schema and both tables when missing."""
        self._con.execute(_SCHEMA_SQL)

    def lookup(self, event_ids: Sequence[str]) -> dict[str, DeliveryState]:
        """Return the current state of the given events (absent ids were never recorded)."""
        if not event_ids:
            return {}
        rows = self._con.execute(
            """
            select deliveries.event_id, deliveries.status, deliveries.payload_hash,
                deliveries.error_code
            from sync.meta_capi_deliveries as deliveries
            semi join (select unnest(?::varchar[]) as event_id) as wanted
                on deliveries.event_id = wanted.event_id
            where deliveries.pixel_id = ?
            """,
            [list(event_ids), self._pixel_id],
        ).fetchall()
        return {row[0]: DeliveryState(row[1], row[2], row[3]) for row in rows}

    def record_pending(
        self,
        batch: Sequence[PreparedEvent],
        *,
        now: datetime,
        resend_ids: Iterable[str] = (),
        is_new: Sequence[bool] | None = None,
        batch_key: int | None = None,
    ) -> None:
        """Step 1: mark a batch ``pending`` before it is sent.

        Args:
            batch: The events about to be sent.
            now: Attempt time.
            resend_ids: Ids sent again on explicit request (their ``resend_count`` grows).
            is_new: Per event, whether the caller saw no ledger row for it. Those rows are
                appended with a plain insert (about half the cost of an upsert); should one
                exist after all, the whole batch falls back to the upsert.
            batch_key: Written on every row of the batch (``attempt_batch``) so that step 3
                can mark the whole batch by this key. Keys grow over time, which keeps
                DuckDB's zone maps tight: the update reads one row group, not the table.
        """
        if is_new is not None and any(is_new):
            fresh = [e for e, new in zip(batch, is_new, strict=True) if new]
            known = [e for e, new in zip(batch, is_new, strict=True) if not new]
            try:
                self._insert_pending(fresh, now, batch_key)
            except duckdb.ConstraintException:
                known = list(batch)
            if known:
                self._upsert_pending(known, now, resend_ids, batch_key)
            return
        self._upsert_pending(batch, now, resend_ids, batch_key)

    def _insert_pending(
        self, batch: Sequence[PreparedEvent], now: datetime, batch_key: int | None
    ) -> None:
        self._con.execute(
            """
            insert into sync.meta_capi_deliveries (
                pixel_id, event_id, event_name, payload_hash, status, attempts, resend_count,
                first_attempt_at, last_attempt_at, updated_at, attempt_batch
            )
            select ?, unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[]),
                'pending', 1, 0, ?, ?, ?, ?
            """,
            [
                self._pixel_id,
                [e.event_id for e in batch],
                [e.event_name for e in batch],
                [e.payload_hash for e in batch],
                now,
                now,
                now,
                batch_key,
            ],
        )

    def _upsert_pending(
        self,
        batch: Sequence[PreparedEvent],
        now: datetime,
        resend_ids: Iterable[str],
        batch_key: int | None,
    ) -> None:
        resend = set(resend_ids)
        self._con.execute(
            """
            insert into sync.meta_capi_deliveries as d (
                pixel_id, event_id, event_name, payload_hash, status, attempts, resend_count,
                first_attempt_at, last_attempt_at, updated_at, attempt_batch
            )
            select ?, unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[]),
                'pending', 1, unnest(?::integer[]), ?, ?, ?, ?
            on conflict (pixel_id, event_id) do update set
                event_name = excluded.event_name,
                payload_hash = excluded.payload_hash,
                status = 'pending',
                attempts = d.attempts + 1,
                resend_count = d.resend_count + excluded.resend_count,
                first_attempt_at = coalesce(d.first_attempt_at, excluded.first_attempt_at),
                last_attempt_at = excluded.last_attempt_at,
                error_code = null,
                error_message = null,
                updated_at = excluded.updated_at,
                attempt_batch = excluded.attempt_batch
            """,
            [
                self._pixel_id,
                [e.event_id for e in batch],
                [e.event_name for e in batch],
                [e.payload_hash for e in batch],
                [1 if e.event_id in resend else 0 for e in batch],
                now,
                now,
                now,
                batch_key,
            ],
        )

    def record_outcome(
        self,
        outcome: BatchOutcome,
        *,
        now: datetime,
        batch_key: int | None = None,
        batch_size: int | None = None,
    ) -> None:
        """Step 3: write what Meta answered for one batch (one transaction).

        Args:
            outcome: The client's account of the batch.
            now: Time of the answer.
            batch_key: The key given to ``record_pending``; with ``batch_size``, lets a batch
                that was acknowledged whole, under one fbtrace_id, be marked by its key.
            batch_size: Events in the batch.
        """
        con = self._con
        traces = {s[1] for s in outcome.sent}
        whole = (
            batch_key is not None
            and batch_size == len(outcome.sent)
            and not outcome.rejected
            and len(traces) == 1
        )
        con.begin()
        try:
            if whole:
                con.execute(
                    """
                    update sync.meta_capi_deliveries
                    set status = 'sent', sent_at = ?, fbtrace_id = ?,
                        error_code = null, error_message = null, updated_at = ?
                    where pixel_id = ? and attempt_batch = ?
                    """,
                    [now, traces.pop(), now, self._pixel_id, batch_key],
                )
            elif outcome.sent:
                con.execute(
                    """
                    update sync.meta_capi_deliveries as d
                    set status = 'sent', sent_at = ?, fbtrace_id = acked.fbtrace_id,
                        error_code = null, error_message = null, updated_at = ?
                    from (
                        select unnest(?::varchar[]) as event_id,
                            unnest(?::varchar[]) as fbtrace_id
                    ) as acked
                    where d.pixel_id = ? and d.event_id = acked.event_id
                    """,
                    [
                        now,
                        now,
                        [s[0] for s in outcome.sent],
                        [s[1] for s in outcome.sent],
                        self._pixel_id,
                    ],
                )
            if outcome.rejected:
                con.execute(
                    """
                    update sync.meta_capi_deliveries as d
                    set status = 'rejected', fbtrace_id = refused.fbtrace_id,
                        error_code = refused.error_code, error_message = refused.message,
                        updated_at = ?
                    from (
                        select unnest(?::varchar[]) as event_id,
                            unnest(?::integer[]) as error_code,
                            unnest(?::varchar[]) as message,
                            unnest(?::varchar[]) as fbtrace_id
                    ) as refused
                    where d.pixel_id = ? and d.event_id = refused.event_id
                    """,
                    [
                        now,
                        [r[0] for r in outcome.rejected],
                        [r[1] for r in outcome.rejected],
                        [r[2] for r in outcome.rejected],
                        [r[3] for r in outcome.rejected],
                        self._pixel_id,
                    ],
                )
            if outcome.unsent:
                code, reason = _pending_reason(outcome)
                con.execute(
                    """
                    update sync.meta_capi_deliveries as d
                    set error_code = ?, error_message = ?, updated_at = ?
                    from (select unnest(?::varchar[]) as event_id) as left_pending
                    where d.pixel_id = ? and d.event_id = left_pending.event_id
                        and d.status = 'pending'
                    """,
                    [code, reason, now, outcome.unsent, self._pixel_id],
                )
            if outcome.requests:
                requests = outcome.requests
                con.execute(
                    """
                    insert into sync.meta_capi_requests
                    select unnest(?::varchar[]), ?, ?, unnest(?::varchar[]),
                        unnest(?::integer[]), unnest(?::integer[]), unnest(?::integer[]),
                        unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::double[]),
                        unnest(?::timestamp[])
                    """,
                    [
                        [r.request_id for r in requests],
                        self._run_id,
                        self._pixel_id,
                        [r.purpose for r in requests],
                        [r.batch_size for r in requests],
                        [r.status_code for r in requests],
                        [r.events_received for r in requests],
                        [r.fbtrace_id for r in requests],
                        [r.error for r in requests],
                        [r.duration_ms for r in requests],
                        [r.started_at.replace(tzinfo=None) for r in requests],
                    ],
                )
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def record_final(self, events: Sequence[PreparedEvent], *, now: datetime) -> None:
        """Record events that will not be sent: ``rejected``/``expired`` locally, or ``dry_run``.

        A row already ``sent`` is left as it is.
        """
        if not events:
            return
        self._con.execute(
            """
            insert into sync.meta_capi_deliveries as d (
                pixel_id, event_id, event_name, payload_hash, status, error_message, updated_at
            )
            select ?, unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[]),
                unnest(?::varchar[]), unnest(?::varchar[]), ?
            on conflict (pixel_id, event_id) do update set
                event_name = excluded.event_name,
                payload_hash = excluded.payload_hash,
                status = excluded.status,
                error_code = null,
                error_message = excluded.error_message,
                updated_at = excluded.updated_at
            where d.status <> 'sent'
            """,
            [
                self._pixel_id,
                [e.event_id for e in events],
                [e.event_name for e in events],
                [e.payload_hash or None for e in events],
                ["dry_run" if e.status == "ok" else e.status for e in events],
                [e.reason for e in events],
                now,
            ],
        )

    def status_counts(self) -> dict[str, int]:
        """Number of deliveries per status for this pixel."""
        rows = self._con.execute(
            "select status, count(*) from sync.meta_capi_deliveries where pixel_id = ? "
            "group by status",
            [self._pixel_id],
        ).fetchall()
        return {row[0]: row[1] for row in rows}


def _pending_reason(outcome: BatchOutcome) -> tuple[int | None, str]:
    """Why a batch's events were left ``pending``: the last failed request's status and error
    (already free of tokens and PII), or the stop that ended the run."""
    failed = [
        r
        for r in outcome.requests
        if r.error or r.status_code is None or r.status_code >= 300 or r.events_received is None
    ]
    if failed:
        last = failed[-1]
        return last.status_code, f"left pending: {last.error or f'HTTP {last.status_code}'}"
    if outcome.stop is not None:
        return None, f"left pending: run stopped ({type(outcome.stop).__name__})"
    return None, "left pending: not attempted (the run stopped first)"
