"""Checks on the signal-quality report: key coverage must not drop sharply between runs."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COVERAGE_DROP_POINTS", "coverage_drops", "coverage_metadata_key"]

#: A key group's share of delivered events falling by more than this many percentage points
#: from the previous materialisation warns (a broken form field, a lost cookie, a CRM export
#: that stopped sending phones).
COVERAGE_DROP_POINTS = 10.0
_PREFIX = "coverage_pct/"


def coverage_metadata_key(key_group: str) -> str:
    return f"{_PREFIX}{key_group}"


def coverage_drops(
    previous: Mapping[str, float],
    current: Mapping[str, float],
    threshold_points: float = COVERAGE_DROP_POINTS,
) -> dict[str, tuple[float, float]]:
    """Key groups whose coverage (percent) fell by more than ``threshold_points``.

    Args:
        previous: Metadata of the previous materialisation (``coverage_pct/<group>`` -> %).
        current: Metadata of this one.

    Returns:
        ``{group: (previous %, current %)}``; a group missing now counts as 0%.
    """
    drops = {}
    for name, before in previous.items():
        if not name.startswith(_PREFIX):
            continue
        now = float(current.get(name, 0.0))
        if float(before) - now > threshold_points:
            drops[name.removeprefix(_PREFIX)] = (float(before), now)
    return drops
