"""The single entry point: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration.landing.assets import raw_tables
from orchestration.resources import WarehouseResource
from orchestration.transform.assets import dbt_resource, journey_dbt_assets

defs = dg.Definitions(
    assets=[raw_tables, journey_dbt_assets],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
)
