"""Build a real warehouse for the Meta mart tests: land an inbox, then run dbt on it.

dbt runs as a subprocess on a DuckDB file in a temporary folder, with its own target and log
paths, so tests never touch the developer's warehouse or dbt_project/target.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from tests.warehouse_runs import land
from tests.warehouse_runs import run_dbt as dbt

__all__ = ["SAMPLE_AS_OF", "SAMPLE_INBOX", "build_warehouse", "dbt", "land", "shuffled_copy"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_INBOX = REPO_ROOT / "data" / "sample" / "inbox"
# the committed sample ends 2026-11-30; pinning as_of there keeps its last week sendable
SAMPLE_AS_OF = "2026-11-30T00:00:00"


def build_warehouse(inbox: Path, warehouse: Path, scratch: Path, as_of: str = SAMPLE_AS_OF) -> Path:
    """Land ``inbox`` and build every model (seeds and models, no tests) as of ``as_of``."""
    land(inbox, warehouse)
    dbt(["seed"], warehouse, scratch)
    dbt(["run"], warehouse, scratch, {"meta_as_of": as_of})
    return warehouse


def shuffled_copy(inbox: Path, out: Path, seed: int) -> Path:
    """Copy ``inbox`` with the rows of every file shuffled and the file order reversed.

    Content is unchanged: CSV and JSONL data lines are permuted as text (the header stays
    first), Parquet rows are permuted with pyarrow. Files are renamed so the landing, which
    reads files in name order, lands them last-first.
    """
    rng = random.Random(seed)
    for table_dir in sorted(p for p in inbox.iterdir() if p.is_dir()):
        files = sorted(p for p in table_dir.iterdir() if p.is_file())
        target_dir = out / table_dir.name
        target_dir.mkdir(parents=True)
        for position, source in enumerate(files):
            mirrored = files[len(files) - 1 - position]
            target = target_dir / f"{mirrored.stem}-shuffled{source.suffix}"
            _write_shuffled(source, target, rng)
    return out


def _write_shuffled(source: Path, target: Path, rng: random.Random) -> None:
    if source.suffix == ".parquet":
        table = pq.read_table(source)
        order = list(range(table.num_rows))
        rng.shuffle(order)
        pq.write_table(table.take(order), target)
        return
    if source.suffix not in (".csv", ".jsonl"):
        shutil.copy(source, target)
        return
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    header, body = (lines[:1], lines[1:]) if source.suffix == ".csv" else ([], lines)
    if source.suffix == ".csv" and any(line.count('"') % 2 for line in body):
        # a quoted field spans lines: keep the file as is rather than break a record
        shutil.copy(source, target)
        return
    rng.shuffle(body)
    target.write_text("".join(header + body), encoding="utf-8")
