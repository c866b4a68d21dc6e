"""Outbound sinks: deliver warehouse rows to ad platforms (plain library, no Dagster)."""
