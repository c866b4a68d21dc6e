"""Kill -9 at random moments loses nothing and double-sends only in-flight batches."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from sink_fixtures import NOW, event_row, ledger_rows, write_mart

from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS = 3000
BATCH = 50
CONCURRENCY = 2
KILLS = 6

WORKER = f"""
import sys
from sinks.meta_capi import SinkConfig, sync_events
config = SinkConfig.from_env(batch_size={BATCH}, concurrency={CONCURRENCY},
    backoff_base=0.001, backoff_cap=0.01, read_timeout=2.0)
report = sync_events(sys.argv[1], config, now={NOW})
print(report.sent, report.skipped_already_sent)
"""


def start_worker(warehouse: Path, fake: FakeGraphApi) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        META_PIXEL_ID=DEFAULT_PIXEL_ID,
        META_ACCESS_TOKEN=DEFAULT_TOKEN,
        META_GRAPH_API_URL=fake.url,
    )
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(warehouse)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def ledger_sent(warehouse: Path) -> set[str]:
    try:
        rows = ledger_rows(
            warehouse, "select event_id from sync.meta_capi_deliveries where status = 'sent'"
        )
    except duckdb.CatalogException:  # killed before the ledger existed
        return set()
    return {row[0] for row in rows}


@pytest.mark.slow
def test_sigkill_at_random_points_then_clean_run_delivers_each_event_once(
    tmp_path: Path,
) -> None:
    # given 3,000 ready events and a fake answering in about 10 ms
    warehouse = write_mart(tmp_path / "warehouse.duckdb", [event_row(i) for i in range(EVENTS)])
    ready_ids = {f"evt-{i:06d}" for i in range(EVENTS)}
    rng = random.Random(20261203)
    kills_done = 0
    unacknowledged: set[str] = set()

    with FakeGraphApi(clock=lambda: NOW, latency=0.01) as fake:
        sent_before: set[str] = set()
        accepted_before: Counter[str] = Counter()
        # when a sync is killed with SIGKILL at random moments (while starting, reading,
        # writing the ledger, or with requests in flight)
        for _ in range(KILLS):
            worker = start_worker(warehouse, fake)
            target = fake.request_count + rng.randint(0, 12)
            deadline = time.monotonic() + 30
            while fake.request_count < target and worker.poll() is None:
                assert time.monotonic() < deadline, "worker made no progress"
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, 0.015))
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                kills_done += 1
            worker.wait(timeout=10)

            # then after each kill the ledger never claims more than Meta accepted, nothing
            # it had marked sent was sent again, and only the in-flight batches are unknown
            sent_now = ledger_sent(warehouse)
            accepted_now = Counter(fake.accepted)
            accepted_in_round = set(accepted_now - accepted_before)
            assert sent_now <= set(accepted_now)
            assert sent_before <= sent_now
            assert not accepted_in_round & sent_before
            in_flight = accepted_in_round - sent_now
            assert len(in_flight) <= CONCURRENCY * BATCH
            unacknowledged |= in_flight
            sent_before, accepted_before = sent_now, accepted_now

        # and then a clean run finishes the job
        clean = start_worker(warehouse, fake)
        out, err = clean.communicate(timeout=60)
        assert clean.returncode == 0, err.decode()[-2000:]

        # then every ready event reached Meta; extra copies are only of events that were in
        # flight at a kill, and a copy is byte for byte the first one (same id, same time)
        assert set(fake.accepted) == ready_ids
        assert not (set(Counter(fake.accepted) - accepted_before) & sent_before)
        duplicates = {eid for eid, n in fake.accepted.items() if n > 1}
        assert duplicates <= unacknowledged
        assert all(len(fake.payloads[eid]) == 1 for eid in duplicates)
        assert sum(len(b) for b in fake.accepted_batches) == sum(fake.accepted.values())

    logging.getLogger(__name__).info(
        "%d kills, %d events in flight at a kill, %d delivered twice, %d requests",
        kills_done,
        len(unacknowledged),
        len(duplicates),
        fake.request_count,
    )
    assert kills_done >= 3
    assert ledger_rows(
        warehouse, "select status, count(*) from sync.meta_capi_deliveries group by 1"
    ) == [("sent", EVENTS)]
