"""The single entry point: `dagster dev -m orchestration.definitions`.

One module or folder per domain: landing (inbox -> raw), transform (dbt), meta_capi (the
sink and its ledger checks), quality (Meta's Dataset Quality pull, the signal report and its
checks), automation (jobs, schedules, sensor).
"""

from __future__ import annotations

import dagster as dg

from orchestration.automation import (
    daily_refresh,
    daily_refresh_job,
    full_path_job,
    hourly_full_path,
    inbox_files_sensor,
)
from orchestration.landing.assets import raw_tables
from orchestration.meta_capi.assets import meta_capi_deliveries
from orchestration.quality.assets import meta_dataset_quality, signal_quality_report
from orchestration.resources import MetaCapiResource, WarehouseResource
from orchestration.transform.assets import dbt_resource, journey_dbt_assets

defs = dg.Definitions(
    assets=[
        raw_tables,
        journey_dbt_assets,
        meta_capi_deliveries,
        meta_dataset_quality,
        signal_quality_report,
    ],
    jobs=[full_path_job, daily_refresh_job],
    schedules=[hourly_full_path, daily_refresh],
    sensors=[inbox_files_sensor],
    # Every op that opens the warehouse is in one pool of size 1, so steps never run in
    # parallel anyway: one process per run instead of one per step saves a start-up each.
    executor=dg.in_process_executor,
    resources={
        "warehouse": WarehouseResource(),
        "dbt": dbt_resource(),
        "meta_capi": MetaCapiResource(),
    },
)
