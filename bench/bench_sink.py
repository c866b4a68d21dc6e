# ruff: noqa: T201  (a benchmark script prints its figures)
"""Benchmark the Meta CAPI sink against the official facebook-business SDK.

Both contenders send the same rows of ``marts.meta_capi__events`` (generated in a DuckDB file)
to the same local fake Graph API (``sinks.fake_graph_api --fast``: parses and counts, no
validation or recording), each in its own subprocess so that the RSS high-water mark
(``resource.getrusage``) is per contender.

* ``ours``: ``sinks.meta_capi.sync_events`` end to end: DuckDB read in chunks, payload building
  and validation, the ledger (two DuckDB transactions per batch) and HTTP with 4 threads.
* ``sdk``: the way the SDK's docs run it: ``FacebookAdsApi.init(access_token=...)``, then per
  1,000 rows ``EventRequest(events=[Event(user_data=UserData(...), custom_data=...)],
  pixel_id=...).execute()``, one request at a time, no ledger. The SDK is pointed at the fake
  by setting ``FacebookSession.GRAPH`` (the class attribute that holds the base URL).

Both are timed on the wall clock and on their process's CPU time (user + system, all threads):
on a shared machine the CPU figure is the steadier one. The SDK's rate is also sampled per
10,000 events; when ``--sdk-events`` is below ``--events`` the script says whether that rate is
stable enough (coefficient of variation at most 15%) for the ratio to stand for the full run.

Usage: ``uv run python bench/bench_sink.py --events 1000000 [--sdk-events 100000]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The SDK's rate is sampled per this many events to judge whether it is stable.
SEGMENT_EVENTS = 10_000
#: Largest coefficient of variation of the SDK's segment rates that we call stable.
STABLE_CV = 0.15
TOKEN = "bench-token-0123456789"
PIXEL_ID = "1234567890123456"

GENERATE_SQL = """
create schema if not exists marts;
create or replace table marts.meta_capi__events as
select
    'evt-' || lpad(i::varchar, 9, '0') as event_id,
    'Purchase' as event_name,
    ({now} - 3600 - (i % 3600))::bigint as event_time,
    'website' as action_source,
    'https://shop.example/p/' || (i % 1000) as event_source_url,
    null::varchar as referrer_url,
    false as opt_out,
    sha256('person' || i || '@example.com') as em,
    sha256('1650555' || i) as ph,
    sha256('first' || (i % 5000)) as fn,
    sha256('last' || (i % 7000)) as ln,
    null::varchar as ge, null::varchar as db, null::varchar as ct, null::varchar as st,
    sha256(lpad((i % 99999)::varchar, 5, '0')) as zp,
    sha256('us') as country,
    sha256('crm-' || i) as external_id,
    '203.0.113.' || (i % 250) as client_ip_address,
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36'
        as client_user_agent,
    'fb.1.1779990000000.IwAR' || i as fbc,
    'fb.1.1779990000000.' || (1000000000 + i) as fbp,
    null::varchar as lead_id,
    ((i % 500) + 0.99)::double as value,
    'USD' as currency,
    '["sku-' || (i % 100) || '"]' as content_ids,
    null::varchar as contents,
    'product' as content_type,
    'ord-' || i as order_id,
    1 as num_items,
    null::varchar as lead_event_source,
    null::varchar as event_source,
    null::varchar as custom_properties,
    '[]' as data_processing_options,
    null::integer as data_processing_options_country,
    null::integer as data_processing_options_state,
    'ready' as send_status,
    null::varchar as status_reason
from range({events}) as t(i)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_ours(warehouse: str, url: str, events: int) -> dict[str, float]:
    from sinks.meta_capi import SinkConfig, sync_events

    config = SinkConfig(
        pixel_id=PIXEL_ID, access_token=TOKEN, graph_api_url=url, batch_size=1000, concurrency=4
    )
    started = time.perf_counter()
    report = sync_events(warehouse, config, max_events=events, memory_limit="600MB")
    elapsed = time.perf_counter() - started
    return {"events": report.sent, "seconds": elapsed, "requests": report.requests}


def run_sdk(warehouse: str, url: str, events: int) -> dict[str, float]:
    import duckdb
    from facebook_business.adobjects.serverside.action_source import ActionSource
    from facebook_business.adobjects.serverside.custom_data import CustomData
    from facebook_business.adobjects.serverside.event import Event
    from facebook_business.adobjects.serverside.event_request import EventRequest
    from facebook_business.adobjects.serverside.user_data import UserData
    from facebook_business.api import FacebookAdsApi
    from facebook_business.session import FacebookSession

    FacebookSession.GRAPH = url
    FacebookAdsApi.init(access_token=TOKEN)
    started = time.perf_counter()
    sent = 0
    requests = 0
    segment_rates: list[float] = []
    segment_started, segment_start_events = started, 0
    with duckdb.connect(warehouse, read_only=True) as con:
        cursor = con.execute(
            "select event_id, event_name, event_time, action_source, event_source_url, em, ph, "
            "fn, ln, zp, country, external_id, client_ip_address, client_user_agent, fbc, fbp, "
            "value, currency, content_ids, content_type, order_id, num_items "
            "from marts.meta_capi__events where send_status = 'ready' "
            f"order by event_time, event_id limit {int(events)}"
        )
        while True:
            rows = cursor.fetchmany(1000)
            if not rows:
                break
            batch = []
            for r in rows:
                user_data = UserData(
                    emails=[r[5]],
                    phones=[r[6]],
                    first_names=[r[7]],
                    last_names=[r[8]],
                    zip_codes=[r[9]],
                    country_codes=[r[10]],
                    external_ids=[r[11]],
                    client_ip_address=r[12],
                    client_user_agent=r[13],
                    fbc=r[14],
                    fbp=r[15],
                )
                custom_data = CustomData(
                    value=r[16],
                    currency=r[17].lower(),
                    content_ids=json.loads(r[18]),
                    content_type=r[19],
                    order_id=r[20],
                    num_items=r[21],
                )
                batch.append(
                    Event(
                        event_name=r[1],
                        event_time=int(r[2]),
                        event_id=r[0],
                        action_source=ActionSource(r[3]),
                        event_source_url=r[4],
                        user_data=user_data,
                        custom_data=custom_data,
                    )
                )
            response = EventRequest(events=batch, pixel_id=PIXEL_ID).execute()
            sent += response.events_received
            requests += 1
            if sent - segment_start_events >= SEGMENT_EVENTS:
                now = time.perf_counter()
                segment_rates.append((sent - segment_start_events) / (now - segment_started))
                segment_started, segment_start_events = now, sent
    elapsed = time.perf_counter() - started
    return {
        "events": sent,
        "seconds": elapsed,
        "requests": requests,
        "segment_rates": segment_rates,
    }


def contender_main(args: argparse.Namespace) -> None:
    runner = run_ours if args.contender == "ours" else run_sdk
    result = runner(args.warehouse, args.url, args.events)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result), flush=True)


def spawn(contender: str, warehouse: str, url: str, events: int) -> dict[str, float]:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--contender",
            contender,
            "--warehouse",
            warehouse,
            "--url",
            url,
            "--events",
            str(events),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode != 0:
        raise RuntimeError(f"{contender} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def start_fake(port: int) -> subprocess.Popen[str]:
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sinks.fake_graph_api",
            "--fast",
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--pixel-id",
            PIXEL_ID,
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fake.stdout is not None
    fake.stdout.readline()
    return fake


def main() -> None:
    parser = argparse.ArgumentParser(description="Meta CAPI sink vs facebook-business SDK")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--sdk-events", type=int, default=None, help="events for the SDK (default: --events)"
    )
    parser.add_argument("--contender", choices=("ours", "sdk"), help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.contender:
        sys.path.insert(0, str(REPO_ROOT))
        contender_main(args)
        return

    import duckdb

    sdk_events = min(args.sdk_events or args.events, args.events)
    workdir = Path(tempfile.mkdtemp(prefix="bench_sink_"))
    warehouse = str(workdir / "warehouse.duckdb")
    port = free_port()
    fake = start_fake(port)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        with duckdb.connect(warehouse) as con:
            con.execute(GENERATE_SQL.format(now=int(time.time()), events=int(args.events)))
        print(f"generated {args.events:,} mart rows in {time.perf_counter() - started:.1f}s")

        ours = spawn("ours", warehouse, url, args.events)
        sdk = spawn("sdk", warehouse, url, sdk_events)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    rows = [("sinks.meta_capi", ours), ("facebook-business SDK", sdk)]
    print(
        f"{'contender':<24}{'events':>12}{'seconds':>10}{'events/s':>12}"
        f"{'CPU s':>9}{'events/CPU s':>14}{'peak RSS MB':>13}"
    )
    for name, result in rows:
        rate = result["events"] / result["seconds"]
        cpu_rate = result["events"] / result["cpu_seconds"]
        print(
            f"{name:<24}{int(result['events']):>12,}{result['seconds']:>10.1f}{rate:>12,.0f}"
            f"{result['cpu_seconds']:>9.1f}{cpu_rate:>14,.0f}{result['peak_rss_mb']:>13.0f}"
        )
    ratio = (ours["events"] / ours["seconds"]) / (sdk["events"] / sdk["seconds"])
    cpu_ratio = (ours["events"] / ours["cpu_seconds"]) / (sdk["events"] / sdk["cpu_seconds"])
    segments = sdk["segment_rates"]
    if len(segments) >= 3:
        cv = statistics.pstdev(segments) / statistics.mean(segments)
        stable = cv <= STABLE_CV
        print(
            f"SDK rate per {SEGMENT_EVENTS:,} events: median {statistics.median(segments):,.0f}/s, "
            f"min {min(segments):,.0f}, max {max(segments):,.0f}, "
            f"coefficient of variation {cv:.1%} ({'stable' if stable else 'NOT stable'})"
        )
    else:
        stable = sdk_events == args.events
        print("SDK ran on too few events to judge the stability of its rate")
    if sdk_events != args.events:
        verdict = (
            "its rate is stable, so it is extrapolated to the full run"
            if stable
            else "its rate is not stable: the ratio below is NOT a valid extrapolation"
        )
        print(f"SDK measured on {sdk_events:,} of {args.events:,} events; {verdict}")
    print(f"throughput ratio ours/SDK (wall clock): {ratio:.1f}x")
    print(f"throughput ratio ours/SDK (per CPU second): {cpu_ratio:.1f}x")
    print(f"cpu count: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
