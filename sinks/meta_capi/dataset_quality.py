"""Meta's own signal-quality numbers: the Dataset Quality API, pulled into the warehouse.

``GET /{version}/dataset_quality?dataset_id=<pixel>&fields=web{...}`` answers, per web event
name, Event Match Quality (composite score and per-key coverage), event coverage, data
freshness and dedup-key feedback (reference/meta-capi.md section 9). ``pull_dataset_quality``
appends one row per event name to ``sync.meta_dataset_quality`` and one per (event name, match
key) to ``sync.meta_dataset_quality_match_keys``, both stamped ``pulled_at``, beside the send
ledger, so our predicted score (marts.reporting__event_match_scores) and Meta's can be compared.

Without a pixel id or token the pull is skipped: logged, nothing written, no error. The token
travels in an ``Authorization`` header, never in the URL, and never appears in logs or errors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import httpx

from sinks.meta_capi.client import redact
from sinks.meta_capi.config import SinkConfig
from sinks.meta_capi.errors import (
    ConfigurationError,
    RejectedError,
    TokenExpiredError,
    TransportError,
)

__all__ = [
    "DATASET_QUALITY_FIELDS",
    "EventQuality",
    "MatchKeyQuality",
    "QualityPullReport",
    "fetch_dataset_quality",
    "parse_dataset_quality",
    "pull_dataset_quality",
    "write_dataset_quality",
]

logger = logging.getLogger(__name__)

#: The fields asked for: everything section 9 documents for web events.
DATASET_QUALITY_FIELDS = (
    "web{event_name,"
    "event_match_quality{composite_score,match_key_feedback{identifier,coverage{percentage},"
    "potential_aly_acr_increase{percentage,description}},diagnostics},"
    "event_coverage{percentage,goal_percentage},"
    "data_freshness{upload_frequency},"
    "dedupe_key_feedback}"
)
AGENT_NAME = "journey_memory"

_SCHEMA_SQL = """
create schema if not exists sync;
create table if not exists sync.meta_dataset_quality (
    pulled_at timestamp not null,
    dataset_id varchar not null,
    event_name varchar not null,
    composite_score double,
    event_coverage_percentage double,
    event_coverage_goal_percentage double,
    upload_frequency varchar,
    diagnostics varchar,
    dedupe_key_feedback varchar,
    primary key (dataset_id, event_name, pulled_at)
);
create table if not exists sync.meta_dataset_quality_match_keys (
    pulled_at timestamp not null,
    dataset_id varchar not null,
    event_name varchar not null,
    identifier varchar not null,
    coverage_percentage double,
    potential_acr_increase_percentage double,
    primary key (dataset_id, event_name, identifier, pulled_at)
);
"""


@dataclass(frozen=True, slots=True)
class MatchKeyQuality:
    """Meta's feedback on one match key of one event name."""

    identifier: str
    coverage_percentage: float | None
    potential_acr_increase_percentage: float | None


@dataclass(frozen=True, slots=True)
class EventQuality:
    """Meta's quality numbers for one web event name."""

    event_name: str
    composite_score: float | None
    event_coverage_percentage: float | None
    event_coverage_goal_percentage: float | None
    upload_frequency: str | None
    match_keys: tuple[MatchKeyQuality, ...] = ()
    diagnostics: Any = None
    dedupe_key_feedback: Any = None


@dataclass(slots=True)
class QualityPullReport:
    """What one pull did."""

    skipped: bool
    reason: str = ""
    pulled_at: datetime | None = None
    events: list[EventQuality] = field(default_factory=list)

    @property
    def event_names(self) -> int:
        return len(self.events)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _percentage(node: Any) -> float | None:
    return _number(node.get("percentage")) if isinstance(node, Mapping) else None


def parse_dataset_quality(body: Mapping[str, Any]) -> list[EventQuality]:
    """Turn a Dataset Quality answer into ``EventQuality`` rows (one per web event name).

    Raises:
        RejectedError: the body is not Meta's shape (no ``web`` list, an entry without a name).
    """
    web = body.get("web")
    if not isinstance(web, list):
        raise RejectedError("Dataset Quality answer has no `web` list", status_code=200, code=None)
    events = []
    for entry in web:
        if not isinstance(entry, Mapping) or not entry.get("event_name"):
            raise RejectedError(
                "Dataset Quality entry without an event_name", status_code=200, code=None
            )
        emq = entry.get("event_match_quality") or {}
        keys = tuple(
            MatchKeyQuality(
                identifier=str(feedback.get("identifier")),
                coverage_percentage=_percentage(feedback.get("coverage")),
                potential_acr_increase_percentage=_percentage(
                    feedback.get("potential_aly_acr_increase")
                ),
            )
            for feedback in emq.get("match_key_feedback") or []
            if isinstance(feedback, Mapping) and feedback.get("identifier")
        )
        coverage = entry.get("event_coverage") or {}
        freshness = entry.get("data_freshness") or {}
        events.append(
            EventQuality(
                event_name=str(entry["event_name"]),
                composite_score=_number(emq.get("composite_score")),
                event_coverage_percentage=_percentage(coverage),
                event_coverage_goal_percentage=_number(coverage.get("goal_percentage")),
                upload_frequency=freshness.get("upload_frequency"),
                match_keys=keys,
                diagnostics=emq.get("diagnostics"),
                dedupe_key_feedback=entry.get("dedupe_key_feedback"),
            )
        )
    return events


def _graph_error(response: httpx.Response, token: str | None) -> Exception:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code")
    message = redact(
        f"Dataset Quality API answered {response.status_code}: "
        f"{error.get('message') or response.reason_phrase} (code {code})",
        token,
    )
    if code == 190:
        return TokenExpiredError(message, code=code)
    if code in (10, 100, 200, 294) or response.status_code in (401, 403):
        # wrong dataset id or missing permission (ads_read, "Use events dataset"): settings
        return ConfigurationError(message, code=code)
    if response.status_code == 429 or response.status_code >= 500 or error.get("is_transient"):
        return TransportError(message, status_code=response.status_code, code=code)
    return RejectedError(
        message,
        status_code=response.status_code,
        code=code,
        subcode=error.get("error_subcode"),
        fbtrace_id=error.get("fbtrace_id"),
    )


def fetch_dataset_quality(
    config: SinkConfig, client: httpx.Client | None = None
) -> list[EventQuality]:
    """GET Dataset Quality for ``config.pixel_id`` (the dataset id) and parse it.

    Raises:
        ConfigurationError: no credentials, wrong dataset id or missing permission.
        TokenExpiredError: Graph error 190.
        TransportError: no answer, 429 or 5xx (a later pull may succeed).
        RejectedError: any other refusal, or an answer not in Meta's shape.
    """
    if config.is_dry_run:
        raise ConfigurationError("META_PIXEL_ID and META_ACCESS_TOKEN are needed")
    url = f"{config.graph_api_url.rstrip('/')}/{config.api_version}/dataset_quality"
    params = {"dataset_id": config.pixel_id, "agent_name": AGENT_NAME}
    timeout = httpx.Timeout(
        connect=config.connect_timeout,
        read=config.read_timeout,
        write=config.write_timeout,
        pool=config.connect_timeout,
    )
    own_client = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        response = http.get(
            url,
            params={**params, "fields": DATASET_QUALITY_FIELDS},
            headers={"Authorization": f"OAuth {config.access_token}"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise TransportError(
            redact(f"Dataset Quality API unreachable: {type(exc).__name__}", config.access_token)
        ) from None
    finally:
        if own_client:
            http.close()
    if response.status_code != 200:
        raise _graph_error(response, config.access_token)
    try:
        body = response.json()
    except ValueError:
        raise RejectedError(
            "Dataset Quality answer is not JSON", status_code=200, code=None
        ) from None
    return parse_dataset_quality(body)


def write_dataset_quality(
    con: duckdb.DuckDBPyConnection,
    dataset_id: str,
    events: Sequence[EventQuality],
    pulled_at: datetime,
) -> None:
    """Append one pull to ``sync.meta_dataset_quality`` (and its match-key table)."""
    con.execute(_SCHEMA_SQL)
    stamp = pulled_at.astimezone(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        for event in events:
            con.execute(
                "insert into sync.meta_dataset_quality values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    stamp,
                    dataset_id,
                    event.event_name,
                    event.composite_score,
                    event.event_coverage_percentage,
                    event.event_coverage_goal_percentage,
                    event.upload_frequency,
                    json.dumps(event.diagnostics) if event.diagnostics is not None else None,
                    json.dumps(event.dedupe_key_feedback)
                    if event.dedupe_key_feedback is not None
                    else None,
                ],
            )
            if event.match_keys:
                con.executemany(
                    "insert into sync.meta_dataset_quality_match_keys values (?, ?, ?, ?, ?, ?)",
                    [
                        [
                            stamp,
                            dataset_id,
                            event.event_name,
                            key.identifier,
                            key.coverage_percentage,
                            key.potential_acr_increase_percentage,
                        ]
                        for key in event.match_keys
                    ],
                )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def pull_dataset_quality(
    warehouse_path: str,
    config: SinkConfig,
    *,
    now: datetime | None = None,
    client: httpx.Client | None = None,
) -> QualityPullReport:
    """Pull Meta's Dataset Quality numbers into the warehouse; skip without credentials.

    Returns:
        The report; ``skipped`` with a reason when no pixel id or token is configured.
    """
    if config.is_dry_run:
        logger.info("dataset quality pull skipped: no META_PIXEL_ID / META_ACCESS_TOKEN")
        return QualityPullReport(skipped=True, reason="no credentials (dry run)")
    events = fetch_dataset_quality(config, client)
    pulled_at = now or datetime.now(UTC)
    con = duckdb.connect(warehouse_path)
    try:
        write_dataset_quality(con, str(config.pixel_id), events, pulled_at)
    finally:
        con.close()
    logger.info(
        "pulled dataset quality for %d event names (%d match keys) of dataset %s",
        len(events),
        sum(len(e.match_keys) for e in events),
        config.pixel_id,
    )
    return QualityPullReport(skipped=False, pulled_at=pulled_at, events=events)
