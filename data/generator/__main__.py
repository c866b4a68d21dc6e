"""CLI: `python -m data.generator --people N --seed S --out DIR [--end YYYY-MM-DD]`."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from pathlib import Path

from data.generator.core import DEFAULT_END, generate


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate, and print a one-line summary."""
    parser = argparse.ArgumentParser(prog="python -m data.generator", description=__doc__)
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=DEFAULT_END)
    parser.add_argument("--workers", type=int, default=1, help="parallel processes (default 1)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    started = time.monotonic()
    summary = generate(args.people, args.seed, args.out, args.end, args.workers)
    rows = ", ".join(f"{table}={count}" for table, count in summary.rows_by_table.items())
    print(  # noqa: T201 - the CLI's one-line summary
        f"{summary.people} people -> {rows}; {summary.files} files, "
        f"{summary.bytes_written} bytes in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
