"""Resources shared by the asset domains.

Both resources are configured from the settings of DESIGN.md. A field left unset is resolved
when a run starts, through `dg.EnvVar(<setting>).get_value()`, never at import; a field set
in code or in the launchpad wins. Settings with a documented default ("none: dry run") are
optional here: `dg.EnvVar` bound directly to a field would fail every run on a machine
without Meta credentials, where DESIGN.md asks for a dry run instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from orchestration.settings import Settings
from sinks.meta_capi import SinkConfig
from sinks.meta_capi.config import DEFAULT_API_VERSION, DEFAULT_GRAPH_API_URL

__all__ = ["WarehouseResource", "MetaCapiResource", "WAREHOUSE_POOL"]

#: Every op that opens the DuckDB file runs in this pool. The instance limits it to one op at
#: a time across all runs (orchestration/instance/dagster.yaml), because DuckDB admits one
#: writing process, or readers, never both.
WAREHOUSE_POOL = "journey_warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """Where the DuckDB warehouse and the inbox live.

    Empty fields fall back to JOURNEY_WAREHOUSE / JOURNEY_INBOX (DESIGN.md settings), read when
    a run starts, not at import. The resource holds no connection: DuckDB allows one writer,
    so every asset opens the file, works, and closes it.
    """

    warehouse_path: str = Field(default="", description="DuckDB file (JOURNEY_WAREHOUSE).")
    inbox_path: str = Field(default="", description="Inbox folder (JOURNEY_INBOX).")

    def warehouse(self) -> Path:
        settings = Settings.from_env()
        return Path(self.warehouse_path).resolve() if self.warehouse_path else settings.warehouse

    def inbox(self) -> Path:
        settings = Settings.from_env()
        return Path(self.inbox_path).resolve() if self.inbox_path else settings.inbox

    def export_for_dbt(self) -> None:
        """Point dbt's profile (env JOURNEY_WAREHOUSE) at the absolute warehouse path."""
        os.environ["JOURNEY_WAREHOUSE"] = str(self.warehouse())


def _setting(value: str | None, name: str) -> str | None:
    if value:
        return value
    return dg.EnvVar(name).get_value() or None


class MetaCapiResource(dg.ConfigurableResource):
    """The Meta Conversions API destination (sinks.meta_capi).

    Without a pixel id or a token the sink does a validated dry run and sends nothing. The
    token is never logged and never shown in the UI: leave it unset here and export
    META_ACCESS_TOKEN in the environment of the code location.
    """

    pixel_id: str | None = Field(default=None, description="Pixel / dataset id (META_PIXEL_ID).")
    access_token: str | None = Field(
        default=None, description="System-user token (META_ACCESS_TOKEN); prefer the env var."
    )
    test_event_code: str | None = Field(
        default=None, description="Route events to Test Events (META_TEST_EVENT_CODE)."
    )
    graph_api_url: str | None = Field(
        default=None, description="Graph API base URL (META_GRAPH_API_URL)."
    )
    api_version: str | None = Field(
        default=None, description="Graph API version (META_API_VERSION)."
    )
    batch_size: int = Field(default=1000, description="Events per request, 1..1000.")

    def sink_config(self, *, test_event_code: str | None = None) -> SinkConfig:
        """The sink's settings, resolved now; a run's test_event_code wins over the setting."""
        return SinkConfig(
            pixel_id=_setting(self.pixel_id, "META_PIXEL_ID"),
            access_token=_setting(self.access_token, "META_ACCESS_TOKEN"),
            test_event_code=test_event_code
            or _setting(self.test_event_code, "META_TEST_EVENT_CODE"),
            graph_api_url=_setting(self.graph_api_url, "META_GRAPH_API_URL")
            or DEFAULT_GRAPH_API_URL,
            api_version=_setting(self.api_version, "META_API_VERSION") or DEFAULT_API_VERSION,
            batch_size=self.batch_size,
        )
