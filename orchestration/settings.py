"""Settings from the environment (DESIGN.md, "Settings"). Read when asked, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["Settings", "REPO_ROOT", "DBT_PROJECT_DIR", "parse_as_of"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    inbox: Path
    #: JOURNEY_AS_OF: the moment eligibility windows (7 and 62 days) are measured against, for
    #: replays, backfills and the demo on the committed sample; None means the real clock.
    as_of: datetime | None = None

    @classmethod
    def from_env(cls) -> Settings:
        def path(name: str, default: str) -> Path:
            value = Path(os.environ.get(name) or default)
            return value if value.is_absolute() else (REPO_ROOT / value)

        return cls(
            warehouse=path("JOURNEY_WAREHOUSE", "data/warehouse.duckdb"),
            inbox=path("JOURNEY_INBOX", "data/inbox"),
            as_of=parse_as_of(os.environ.get("JOURNEY_AS_OF", "")),
        )

    def dbt_vars(self) -> dict[str, str]:
        """The dbt vars these settings pin (``meta_as_of``), for ``dbt --vars``."""
        if self.as_of is None:
            return {}
        return {"meta_as_of": self.as_of.strftime("%Y-%m-%dT%H:%M:%S")}


def parse_as_of(text: str) -> datetime | None:
    """``JOURNEY_AS_OF`` as a naive UTC datetime: ISO 8601 (a date, or a time with or without
    an offset); empty or ``now`` means the real clock (None)."""
    text = text.strip()
    if not text or text.lower() == "now":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"JOURNEY_AS_OF must be ISO 8601 (e.g. 2026-11-30 or 2026-11-30T00:00:00Z), "
            f"got {text!r}"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
