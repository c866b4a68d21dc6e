"""Settings from the environment (DESIGN.md, "Settings"). Read when asked, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "REPO_ROOT", "DBT_PROJECT_DIR"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    inbox: Path

    @classmethod
    def from_env(cls) -> Settings:
        def path(name: str, default: str) -> Path:
            value = Path(os.environ.get(name) or default)
            return value if value.is_absolute() else (REPO_ROOT / value)

        return cls(
            warehouse=path("JOURNEY_WAREHOUSE", "data/warehouse.duckdb"),
            inbox=path("JOURNEY_INBOX", "data/inbox"),
        )
