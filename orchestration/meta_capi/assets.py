"""The deliveries asset: runs the Meta CAPI sink on marts.meta_capi__events."""

import dagster as dg
import duckdb
from pydantic import Field

from orchestration.meta_capi.checks import (
    CHECK_DESCRIPTIONS,
    RECONCILE_CHECK,
    REJECTED_SHARE_CHECK,
    UNSENT_CHECK,
    reconcile_result,
    rejected_share_result,
    unsent_result,
)
from orchestration.resources import WAREHOUSE_POOL, MetaCapiResource, WarehouseResource
from orchestration.settings import Settings
from sinks.meta_capi import ConfigurationError, SyncReport, sync_events

__all__ = ["MART_KEY", "DELIVERIES_KEY", "MetaCapiRunConfig", "meta_capi_deliveries"]

#: The dbt model meta_capi__events (schema marts), as JourneyDbtTranslator names it.
MART_KEY = dg.AssetKey(["marts", "meta_capi__events"])
DELIVERIES_KEY = dg.AssetKey(["sync", "meta_capi_deliveries"])
MART_TABLE = "marts.meta_capi__events"


class MetaCapiRunConfig(dg.Config):
    """Run options of one sync (the launchpad shows them as a typed form)."""

    dry_run: bool = Field(
        default=False,
        description="Validate and record `dry_run` without sending, even with credentials.",
    )
    max_events: int | None = Field(
        default=None, ge=1, description="Send at most this many events in this run."
    )
    test_event_code: str | None = Field(
        default=None, description="Route this run's events to Events Manager's Test Events."
    )
    resend_event_ids: list[str] = Field(
        default_factory=list,
        description="Event ids to send again although the ledger says `sent` (Meta dedups "
        "by event id within 48 hours only: check the ledger first).",
    )


def _mart_statuses(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        f"select send_status, count(*) from {MART_TABLE} group by send_status"
    ).fetchall()
    return {str(status): int(count) for status, count in rows}


def _sync_metadata(report: SyncReport, statuses: dict[str, int]) -> dict[str, dg.MetadataValue]:
    metadata: dict[str, dg.MetadataValue] = {
        "mode": dg.MetadataValue.text(report.mode),
        "sent": dg.MetadataValue.int(report.sent),
        "rejected": dg.MetadataValue.int(report.rejected),
        "expired": dg.MetadataValue.int(report.expired + statuses.get("expired", 0)),
        "skipped_no_consent": dg.MetadataValue.int(statuses.get("no_consent", 0)),
        "dry_run": dg.MetadataValue.int(report.dry_run),
        "pending": dg.MetadataValue.int(report.pending),
        "already_sent": dg.MetadataValue.int(report.skipped_already_sent),
        "skipped_rejected_unchanged": dg.MetadataValue.int(report.skipped_rejected),
        "resent": dg.MetadataValue.int(report.resent),
        "resend_not_found": dg.MetadataValue.int(report.resend_not_found),
        "requests": dg.MetadataValue.int(report.requests),
        "retries": dg.MetadataValue.int(report.retries),
        "mart_events_by_status": dg.MetadataValue.json(statuses),
        "sync_run_id": dg.MetadataValue.text(report.run_id),
    }
    if report.sample_payload_path:
        metadata["dry_run_sample"] = dg.MetadataValue.path(report.sample_payload_path)
    if report.stopped_reason:
        metadata["stopped_reason"] = dg.MetadataValue.text(report.stopped_reason)
    return metadata


@dg.asset(
    key=DELIVERIES_KEY,
    deps=[MART_KEY],
    group_name="meta_capi",
    kinds={"python", "duckdb", "meta"},
    tags={"journey/writes_warehouse": "true"},
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(name, asset=DELIVERIES_KEY, description=text)
        for name, text in CHECK_DESCRIPTIONS.items()
    ],
)
def meta_capi_deliveries(
    context: dg.AssetExecutionContext,
    config: MetaCapiRunConfig,
    warehouse: WarehouseResource,
    meta_capi: MetaCapiResource,
):
    """Send the new `ready` events of marts.meta_capi__events to Meta; keep the send ledger.

    sync.meta_capi_deliveries holds one row per (pixel, event): an event already `sent` is
    never sent again, so repeated runs send only what is new. Without META_PIXEL_ID and
    META_ACCESS_TOKEN the run is a validated dry run.
    """
    path = warehouse.warehouse()
    sink_config = meta_capi.sink_config(test_event_code=config.test_event_code)
    dry_run = sink_config.is_dry_run or config.dry_run
    context.log.info(
        f"syncing {MART_TABLE} to Meta ({'dry run' if dry_run else sink_config.events_url}, "
        f"max_events={config.max_events}, resend={len(config.resend_event_ids)})"
    )
    as_of = Settings.from_env().as_of
    if as_of is not None and not dry_run:
        # Meta measures its 7-day window against its own clock: a pinned past clock would
        # only turn events Meta rejects into `ready` ones here.
        context.log.warning(f"JOURNEY_AS_OF={as_of:%Y-%m-%dT%H:%M:%S} ignored by a live send")
        as_of = None
    try:
        report = sync_events(
            path,
            sink_config,
            table=MART_TABLE,
            max_events=config.max_events,
            resend_event_ids=config.resend_event_ids,
            dry_run=True if config.dry_run else None,
            now=as_of,
        )
    except duckdb.CatalogException as exc:
        raise dg.Failure(
            description=f"{MART_TABLE} is not in {path}: build the dbt model first ({exc})"
        ) from exc
    except ConfigurationError as exc:
        partial = getattr(exc, "report", None)
        raise dg.Failure(
            description=f"Meta refused the configuration, the sync stopped: {exc}",
            metadata=_sync_metadata(partial, {}) if partial is not None else None,
        ) from exc

    con = duckdb.connect(str(path), read_only=True)
    try:
        statuses = _mart_statuses(con)
        context.log.info(
            f"meta capi sync {report.run_id} ({report.mode}): sent {report.sent}, rejected "
            f"{report.rejected}, expired {report.expired}, dry_run {report.dry_run}, pending "
            f"{report.pending}, already sent {report.skipped_already_sent}"
        )
        yield dg.MaterializeResult(metadata=_sync_metadata(report, statuses))
        pixel_id = sink_config.pixel_id or ""
        selected = context.selected_asset_check_keys
        if dg.AssetCheckKey(DELIVERIES_KEY, UNSENT_CHECK) in selected:
            yield unsent_result(con, DELIVERIES_KEY, pixel_id, dry_run=dry_run, now=as_of)
        if dg.AssetCheckKey(DELIVERIES_KEY, REJECTED_SHARE_CHECK) in selected:
            yield rejected_share_result(con, DELIVERIES_KEY, pixel_id)
        if dg.AssetCheckKey(DELIVERIES_KEY, RECONCILE_CHECK) in selected:
            held_back = config.max_events is not None and report.considered >= config.max_events
            yield reconcile_result(con, DELIVERIES_KEY, pixel_id, backlog_held_back=held_back)
    finally:
        con.close()
