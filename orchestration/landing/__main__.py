"""Command line: `python -m orchestration.landing --inbox DIR --warehouse FILE`."""

from __future__ import annotations

import argparse
import logging
import sys

from orchestration.landing.loader import land_inbox
from orchestration.settings import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description="Land inbox files into raw.* tables.")
    parser.add_argument("--inbox", default=str(settings.inbox))
    parser.add_argument("--warehouse", default=str(settings.warehouse))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report = land_inbox(args.inbox, args.warehouse)
    sys.stdout.write(
        f"files: {report.files_loaded} loaded, {report.files_skipped} already landed, "
        f"{report.files_unparseable} unparseable; rows: {report.rows_loaded} loaded, "
        f"{report.rows_rejected} rejected\n"
    )
    return 1 if report.files_unparseable else 0


if __name__ == "__main__":
    raise SystemExit(main())
