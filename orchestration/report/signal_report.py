"""The signal-quality report: read the reporting models, render one self-contained HTML file.

The file has inline SVG charts and inline CSS only: no script, no external asset, no network,
so it opens from a mail attachment or a shared drive. Numbers come from the dbt models in
dbt_project/models/marts/reporting (and Meta's own, sync.meta_dataset_quality, when pulled).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

__all__ = ["KeyCoverage", "SignalSummary", "read_summary", "render_html", "write_report"]

_BAR_WIDTH = 360


@dataclass(frozen=True)
class KeyCoverage:
    """Share of delivered events carrying one key group, as sent and for a pixel mirror."""

    key_group: str
    delivered_events: int
    key_share: float
    pixel_mirror_key_share: float

    @property
    def uplift_points(self) -> float:
        return 100 * (self.key_share - self.pixel_mirror_key_share)


@dataclass
class SignalSummary:
    """Everything the report shows, over all days."""

    coverage: dict[str, list[KeyCoverage]] = field(default_factory=dict)  # by event name
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)  # predicted, mirror
    freshness: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # p50,p90,1h
    health: dict[str, int] = field(default_factory=dict)  # delivery_state -> events
    dedup: dict[str, tuple[int, float]] = field(default_factory=dict)  # website events, share
    meta_scores: dict[str, float] = field(default_factory=dict)  # Meta's composite score

    def overall_coverage(self) -> list[KeyCoverage]:
        """Key coverage over every event name (weighted by delivered events)."""
        totals: dict[str, list[float]] = {}
        for rows in self.coverage.values():
            for row in rows:
                total = totals.setdefault(row.key_group, [0, 0.0, 0.0])
                total[0] += row.delivered_events
                total[1] += row.key_share * row.delivered_events
                total[2] += row.pixel_mirror_key_share * row.delivered_events
        return [
            KeyCoverage(group, int(n), share / n, mirror / n)
            for group, (n, share, mirror) in sorted(totals.items())
            if n
        ]


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def read_summary(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> SignalSummary:
    """Aggregate the reporting models over all days (a missing model reads as empty)."""
    summary = SignalSummary()
    if _table_exists(con, schema, "reporting__match_key_coverage"):
        rows = con.execute(
            f"""
            select event_name, key_group, sum(delivered_events),
                sum(events_with_key) / sum(delivered_events),
                sum(pixel_mirror_events_with_key) / sum(delivered_events)
            from {schema}.reporting__match_key_coverage
            group by event_name, key_group
            order by event_name, key_group
            """
        ).fetchall()
        for event_name, group, n, share, mirror in rows:
            summary.coverage.setdefault(event_name, []).append(
                KeyCoverage(group, int(n), float(share), float(mirror))
            )
    if _table_exists(con, schema, "reporting__event_match_scores"):
        for event_name, predicted, mirror in con.execute(
            f"""
            select event_name, avg(predicted_match_score),
                avg(pixel_mirror_predicted_match_score)
            from {schema}.reporting__event_match_scores group by event_name order by 1
            """
        ).fetchall():
            summary.scores[event_name] = (float(predicted), float(mirror))
    if _table_exists(con, schema, "reporting__events_delivered"):
        for event_name, p50, p90, within in con.execute(
            f"""
            select event_name,
                quantile_cont(freshness_seconds, 0.5),
                quantile_cont(freshness_seconds, 0.9),
                avg(case when freshness_seconds <= 3600 then 1.0 else 0.0 end)
            from {schema}.reporting__events_delivered
            where is_delivered and freshness_seconds is not null
            group by event_name order by 1
            """
        ).fetchall():
            summary.freshness[event_name] = (float(p50), float(p90), float(within))
    if _table_exists(con, schema, "reporting__delivery_health"):
        for state, events in con.execute(
            f"select delivery_state, sum(events) from {schema}.reporting__delivery_health "
            "group by delivery_state order by 2 desc"
        ).fetchall():
            summary.health[state] = int(events)
    if _table_exists(con, schema, "reporting__dedup_coverage"):
        for event_name, n, share in con.execute(
            f"""
            select event_name, sum(website_events),
                sum(events_with_pixel_event_id) / sum(website_events)
            from {schema}.reporting__dedup_coverage group by event_name order by 1
            """
        ).fetchall():
            summary.dedup[event_name] = (int(n), float(share))
    if _table_exists(con, "sync", "meta_dataset_quality"):
        for event_name, score in con.execute(
            """
            select event_name, composite_score from sync.meta_dataset_quality
            where pulled_at = (select max(pulled_at) from sync.meta_dataset_quality)
            """
        ).fetchall():
            if score is not None:
                summary.meta_scores[event_name] = float(score)
    return summary


def _coverage_chart(rows: list[KeyCoverage], title: str) -> str:
    """Horizontal paired bars: as sent (dark) over pixel mirror (light), per key group."""
    row_height = 34
    height = 40 + row_height * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="860" height="{height}" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<text x="0" y="16" class="t">{html.escape(title)}</text>',
    ]
    for index, row in enumerate(rows):
        y = 30 + index * row_height
        sent = round(_BAR_WIDTH * row.key_share)
        mirror = round(_BAR_WIDTH * row.pixel_mirror_key_share)
        parts += [
            f'<text x="150" y="{y + 14}" text-anchor="end">{html.escape(row.key_group)}</text>',
            f'<rect x="160" y="{y}" width="{sent}" height="13" fill="#1f5fbf"/>',
            f'<rect x="160" y="{y + 15}" width="{mirror}" height="9" fill="#9fb8de"/>',
            f'<text x="{165 + _BAR_WIDTH}" y="{y + 12}">{100 * row.key_share:.0f}% '
            f"(mirror {100 * row.pixel_mirror_key_share:.0f}%, "
            f"{row.uplift_points:+.0f} pts)</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def _score_chart(scores: dict[str, tuple[float, float]], meta: dict[str, float]) -> str:
    row_height = 30
    height = 40 + row_height * len(scores)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="860" height="{height}" role="img" '
        'aria-label="predicted match score">',
        '<text x="0" y="16" class="t">Predicted match score, 0-10 (our estimate, '
        "not Meta's EMQ)</text>",
    ]
    for index, (event_name, (predicted, mirror)) in enumerate(sorted(scores.items())):
        y = 30 + index * row_height
        actual = meta.get(event_name)
        parts += [
            f'<text x="150" y="{y + 14}" text-anchor="end">{html.escape(event_name)}</text>',
            f'<rect x="160" y="{y}" width="{round(36 * predicted)}" height="12" fill="#1f7a3f"/>',
            f'<rect x="160" y="{y + 13}" width="{round(36 * mirror)}" height="8" fill="#a8d5b5"/>',
            f'<text x="{165 + 360}" y="{y + 12}">{predicted:.1f} (mirror {mirror:.1f}'
            + (f", Meta {actual:.1f}" if actual is not None else "")
            + ")</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def _health_chart(health: dict[str, int]) -> str:
    total = sum(health.values()) or 1
    colours = {
        "sent": "#1f7a3f",
        "dry_run": "#4f9a6f",
        "pending": "#c9a227",
        "awaiting_sync": "#d9c27a",
        "rejected": "#b3261e",
        "expired": "#7a7a7a",
        "no_consent": "#5a4fcf",
        "no_match_keys": "#a05a2c",
        "invalid": "#e07b39",
    }
    x = 0.0
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="860" height="'
        f'{60 + 18 * len(health)}" role="img" aria-label="delivery health">',
        '<text x="0" y="16" class="t">Delivery health (all candidate events)</text>',
    ]
    for index, (state, events) in enumerate(health.items()):
        width = 600 * events / total
        colour = colours.get(state, "#444")
        parts += [
            f'<rect x="{x:.1f}" y="26" width="{width:.1f}" height="18" fill="{colour}"/>',
            f'<rect x="0" y="{54 + 18 * index}" width="12" height="12" fill="{colour}"/>',
            f'<text x="18" y="{64 + 18 * index}">{html.escape(state)}: {events}</text>',
        ]
        x += width
    parts.append("</svg>")
    return "".join(parts)


def render_html(summary: SignalSummary, *, generated_at: datetime | None = None) -> str:
    """The whole report as one HTML document (inline SVG and CSS, nothing external)."""
    stamp = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        "<h2>Match keys: journey memory vs a pixel mirror</h2>",
        "<p>Share of delivered events (sent, or dry_run in a dry run) carrying each key. Dark: "
        "as sent with journey memory; light: the keys on the converting record alone, what a "
        "pixel mirror would send.</p>",
    ]
    overall = summary.overall_coverage()
    if overall:
        sections.append(_coverage_chart(overall, "All events"))
    for event_name, rows in sorted(summary.coverage.items()):
        sections.append(_coverage_chart(rows, event_name))
    if not overall:
        sections.append("<p>No delivered events yet.</p>")
    if summary.scores:
        sections += [
            "<h2>Predicted match quality</h2>",
            "<p>Our estimate: the capped sum of per-key weights (seed "
            "reporting_match_key_weights). Meta's own Event Match Quality appears when the "
            "Dataset Quality pull has run.</p>",
            _score_chart(summary.scores, summary.meta_scores),
        ]
    if summary.health:
        sections += ["<h2>Delivery health</h2>", _health_chart(summary.health)]
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{p50 / 60:.1f}</td><td>{p90 / 60:.1f}</td>"
        f"<td>{100 * within:.0f}%</td></tr>"
        for name, (p50, p90, within) in sorted(summary.freshness.items())
    )
    if rows:
        sections += [
            "<h2>Freshness (outcome to send)</h2>",
            "<table><tr><th>event</th><th>p50 min</th><th>p90 min</th><th>within 1 h</th></tr>"
            f"{rows}</table>",
        ]
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{n}</td><td>{100 * share:.0f}%</td></tr>"
        for name, (n, share) in sorted(summary.dedup.items())
    )
    if rows:
        sections += [
            "<h2>Dedup coverage</h2>",
            "<p>Share of website events whose event_id is the browser Pixel's.</p>",
            f"<table><tr><th>event</th><th>website events</th><th>with Pixel id</th></tr>"
            f"{rows}</table>",
        ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>journey-memory signal quality</title><style>"
        "body{font-family:sans-serif;margin:24px;color:#222;background:#fff}"
        "svg{display:block;margin:8px 0 20px}svg text{font-size:12px;fill:#222}"
        "svg text.t{font-size:14px;font-weight:bold}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        "</style></head><body>"
        f"<h1>Signal quality</h1><p>Generated {stamp}.</p>" + "".join(sections) + "</body></html>"
    )


def write_report(warehouse: Path, out: Path, *, generated_at: datetime | None = None) -> Path:
    """Read the reporting models of ``warehouse`` (read-only) and write the HTML to ``out``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        summary = read_summary(con)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(summary, generated_at=generated_at), encoding="utf-8")
    return out
