"""Jobs, schedules and the inbox sensor.

Meta wants server events within an hour of the conversion and accepts them up to 7 days
late (CRM outcomes arrive days after the click), so the full path runs every hour and as soon
as new inbox files arrive; once a day everything is rebuilt from scratch.

The DuckDB file admits one writer: every op that opens it runs in the pool
`journey_warehouse`, limited to one op at a time by the instance (dagster.yaml), so
overlapping runs queue instead of failing on the file lock. The sensor never opens the file.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from orchestration.landing.contract import RAW_TABLES
from orchestration.landing.loader import SUPPORTED_SUFFIXES
from orchestration.settings import Settings
from orchestration.transform.assets import journey_dbt_assets

__all__ = [
    "full_path_job",
    "daily_refresh_job",
    "hourly_full_path",
    "daily_refresh",
    "inbox_files_sensor",
    "RUN_TAGS",
]

#: Run retries (instance setting run_retries) also recover a crashed run worker; the ledger
#: makes a retried sync safe (sent events are never sent again).
RUN_TAGS = {"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}

full_path_job = dg.define_asset_job(
    "full_path_job",
    selection=dg.AssetSelection.all(),
    description="Inbox files -> raw -> dbt models and tests -> Meta (the ledger sends only "
    "what is new).",
    run_tags=RUN_TAGS,
)


def _full_refresh_config() -> dict:
    # A dbt project without models yet has no dbt op to configure.
    if not journey_dbt_assets.keys:
        return {}
    return {"ops": {journey_dbt_assets.op.name: {"config": {"full_refresh": True}}}}


daily_refresh_job = dg.define_asset_job(
    "daily_refresh_job",
    selection=dg.AssetSelection.all(),
    description="Everything, with dbt --full-refresh: incremental models rebuilt from raw.",
    config=_full_refresh_config(),
    run_tags=RUN_TAGS,
)

hourly_full_path = dg.ScheduleDefinition(
    name="hourly_full_path",
    job=full_path_job,
    cron_schedule="7 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour: land, build, send (Meta wants events within an hour).",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=daily_refresh_job,
    cron_schedule="40 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 03:40 UTC: rebuild everything from raw.",
)


def inbox_listing() -> dict[str, list[int]]:
    """Every landable inbox file as `<table>/<name>` -> [size, mtime_ns] (no file is read)."""
    inbox = Settings.from_env().inbox
    listing: dict[str, list[int]] = {}
    for table in RAW_TABLES:
        folder = inbox / table
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                stat = path.stat()
                listing[f"{table}/{path.name}"] = [stat.st_size, stat.st_mtime_ns]
    return listing


@dg.sensor(
    name="inbox_files_sensor",
    job=full_path_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the full path when a file appears (or changes) under the inbox.",
)
def inbox_files_sensor(context: dg.SensorEvaluationContext):
    """Compare the inbox listing with the cursor; one run per batch of new files."""
    seen: dict[str, list[int]] = json.loads(context.cursor) if context.cursor else {}
    listing = inbox_listing()
    new = sorted(name for name, stamp in listing.items() if seen.get(name) != stamp)
    if not new:
        return dg.SkipReason(f"no new files among {len(listing)} in the inbox")
    digest = hashlib.sha256(
        json.dumps({name: listing[name] for name in new}, sort_keys=True).encode()
    ).hexdigest()[:16]
    context.update_cursor(json.dumps(listing, sort_keys=True))
    context.log.info(f"{len(new)} new inbox files, e.g. {', '.join(new[:5])}")
    return dg.RunRequest(
        run_key=f"inbox-{digest}",
        tags={**RUN_TAGS, "journey/new_inbox_files": str(len(new))},
    )
