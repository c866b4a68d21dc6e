"""Checks of the send ledger an operator acts on, evaluated right after each sync.

All three read `marts.meta_capi__events` against `sync.meta_capi_deliveries` (and
`sync.meta_capi_requests`) for one pixel, on a connection the caller opens read-only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb

__all__ = [
    "UNSENT_CHECK",
    "REJECTED_SHARE_CHECK",
    "RECONCILE_CHECK",
    "UNSENT_AFTER",
    "REJECTED_SHARE_LIMIT",
    "REJECTED_SHARE_WINDOW",
    "CHECK_DESCRIPTIONS",
    "unsent_result",
    "rejected_share_result",
    "reconcile_result",
]

#: Meta refuses events older than 7 days; a ready event still unsent at 6 days leaves one day
#: to fix the cause (token, pixel, payload) before the conversion is lost for good.
UNSENT_AFTER = timedelta(days=6)
#: A rejected share above this means a payload or mapping bug, not bad luck.
REJECTED_SHARE_LIMIT = 0.05
#: The share is computed over deliveries touched within this window.
REJECTED_SHARE_WINDOW = timedelta(days=7)

UNSENT_CHECK = "no_ready_event_older_than_6_days_unsent"
REJECTED_SHARE_CHECK = "rejected_share_under_5_percent"
RECONCILE_CHECK = "ledger_reconciles_with_mart"

CHECK_DESCRIPTIONS = {
    UNSENT_CHECK: "Every ready event older than 6 days has been sent (Meta refuses events "
    "older than 7 days). ERROR when live; WARN in a dry run, where nothing is ever sent.",
    REJECTED_SHARE_CHECK: "Of the deliveries of the last 7 days, at most 5% are rejected "
    "(by local validation or by Meta). ERROR: a payload or mapping bug loses conversions.",
    RECONCILE_CHECK: "Every ready event of the mart is in the ledger: sent, pending with a "
    "recorded reason (the failed request), rejected/expired with a message, or dry_run. "
    "ERROR when an event is missing (silent loss); WARN when max_events held a backlog back "
    "on purpose.",
}

_MART = "marts.meta_capi__events"


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)


def unsent_result(
    con: duckdb.DuckDBPyConnection,
    key: dg.AssetKey,
    pixel_id: str,
    *,
    dry_run: bool,
    now: datetime | None = None,
) -> dg.AssetCheckResult:
    """Ready events whose event_time is older than UNSENT_AFTER and whose delivery is not sent."""
    cutoff = int((_now(now) - UNSENT_AFTER).replace(tzinfo=UTC).timestamp())
    count, oldest = con.execute(
        f"""
        select count(*), min(events.event_time)
        from {_MART} as events
        left join sync.meta_capi_deliveries as deliveries
            on deliveries.pixel_id = ? and deliveries.event_id = events.event_id
        where events.send_status = 'ready'
            and events.event_time < ?
            and coalesce(deliveries.status, 'none') <> 'sent'
        """,
        [pixel_id, cutoff],
    ).fetchone()
    oldest_at = datetime.fromtimestamp(oldest, UTC).isoformat() if oldest is not None else None
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=UNSENT_CHECK,
        passed=count == 0,
        severity=dg.AssetCheckSeverity.WARN if dry_run else dg.AssetCheckSeverity.ERROR,
        description=(
            f"{count} ready events older than 6 days are not sent"
            + (" (dry run: configure META_PIXEL_ID and META_ACCESS_TOKEN)" if dry_run else "")
            if count
            else "no ready event older than 6 days is left unsent"
        ),
        metadata={
            "unsent_older_than_6_days": dg.MetadataValue.int(int(count)),
            "oldest_unsent_event_time": dg.MetadataValue.text(oldest_at or "none"),
        },
    )


def rejected_share_result(
    con: duckdb.DuckDBPyConnection,
    key: dg.AssetKey,
    pixel_id: str,
    *,
    now: datetime | None = None,
) -> dg.AssetCheckResult:
    """Rejected deliveries among those sent, rejected or dry-run in the recent window."""
    since = _now(now) - REJECTED_SHARE_WINDOW
    rejected, delivered = con.execute(
        """
        select
            count(*) filter (where status = 'rejected'),
            count(*) filter (where status in ('sent', 'dry_run', 'rejected'))
        from sync.meta_capi_deliveries
        where pixel_id = ? and updated_at >= ?
        """,
        [pixel_id, since],
    ).fetchone()
    share = rejected / delivered if delivered else 0.0
    top = con.execute(
        """
        select coalesce(error_message, 'no message'), count(*)
        from sync.meta_capi_deliveries
        where pixel_id = ? and updated_at >= ? and status = 'rejected'
        group by 1 order by 2 desc limit 3
        """,
        [pixel_id, since],
    ).fetchall()
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=REJECTED_SHARE_CHECK,
        passed=share <= REJECTED_SHARE_LIMIT,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{rejected} of {delivered} deliveries of the last 7 days rejected "
        f"({share:.1%})",
        metadata={
            "rejected": dg.MetadataValue.int(int(rejected)),
            "deliveries": dg.MetadataValue.int(int(delivered)),
            "rejected_share": dg.MetadataValue.float(round(share, 4)),
            "limit": dg.MetadataValue.float(REJECTED_SHARE_LIMIT),
            "top_reasons": dg.MetadataValue.md(
                "\n".join(f"- {count} x {message}" for message, count in top) or "none"
            ),
        },
    )


def reconcile_result(
    con: duckdb.DuckDBPyConnection,
    key: dg.AssetKey,
    pixel_id: str,
    *,
    backlog_held_back: bool,
) -> dg.AssetCheckResult:
    """Eligible minus recorded: every ready event must have a ledger row that explains it.

    A pending delivery counts as explained when the sink recorded why it was left pending
    (``error_message``: the failed request's error, or the stop that ended the run). One
    without a reason was left by a run that died between its two ledger writes.
    """
    row = con.execute(
        f"""
        select
            count(*),
            count(*) filter (where deliveries.event_id is null),
            count(*) filter (where deliveries.status = 'sent'),
            count(*) filter (where deliveries.status in ('rejected', 'expired')),
            count(*) filter (where deliveries.status = 'dry_run'),
            count(*) filter (where deliveries.status = 'pending'),
            count(*) filter (
                where deliveries.status = 'pending' and deliveries.error_message is null
            )
        from {_MART} as events
        left join sync.meta_capi_deliveries as deliveries
            on deliveries.pixel_id = ? and deliveries.event_id = events.event_id
        where events.send_status = 'ready'
        """,
        [pixel_id],
    ).fetchone()
    ready, missing, sent, refused, dry, pending, unexplained = (int(v) for v in row)
    passed = missing == 0 and unexplained == 0
    only_backlog = unexplained == 0 and backlog_held_back
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=RECONCILE_CHECK,
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN if only_backlog else dg.AssetCheckSeverity.ERROR,
        description=(
            f"{ready} ready events: {sent} sent, {refused} rejected or expired, {dry} dry run, "
            f"{pending} pending ({unexplained} without a recorded reason), {missing} not in "
            "the ledger" + (" (held back by max_events)" if only_backlog and missing else "")
        ),
        metadata={
            "ready_events": dg.MetadataValue.int(ready),
            "sent": dg.MetadataValue.int(sent),
            "rejected_or_expired": dg.MetadataValue.int(refused),
            "dry_run": dg.MetadataValue.int(dry),
            "pending": dg.MetadataValue.int(pending),
            "pending_without_reason": dg.MetadataValue.int(unexplained),
            "not_in_ledger": dg.MetadataValue.int(missing),
        },
    )
