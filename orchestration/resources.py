"""Resources shared by the asset domains."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from orchestration.settings import Settings

__all__ = ["WarehouseResource"]


class WarehouseResource(dg.ConfigurableResource):
    """Where the DuckDB warehouse and the inbox live.

    Empty fields fall back to JOURNEY_WAREHOUSE / JOURNEY_INBOX (DESIGN.md settings), read when
    a run starts, not at import. The resource holds no connection: DuckDB allows one writer,
    so every asset opens the file, works, and closes it.
    """

    warehouse_path: str = ""
    inbox_path: str = ""

    def warehouse(self) -> Path:
        settings = Settings.from_env()
        return Path(self.warehouse_path).resolve() if self.warehouse_path else settings.warehouse

    def inbox(self) -> Path:
        settings = Settings.from_env()
        return Path(self.inbox_path).resolve() if self.inbox_path else settings.inbox

    def export_for_dbt(self) -> None:
        """Point dbt's profile (env JOURNEY_WAREHOUSE) at the absolute warehouse path."""
        os.environ["JOURNEY_WAREHOUSE"] = str(self.warehouse())
