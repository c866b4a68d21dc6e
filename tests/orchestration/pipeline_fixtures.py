"""Paths and helpers shared by the orchestration tests."""

from __future__ import annotations

from orchestration.settings import REPO_ROOT

SAMPLE_INBOX = REPO_ROOT / "data" / "sample" / "inbox"
#: Screenshots of the UI test (gitignored: data/out/).
SCREENSHOT_DIR = REPO_ROOT / "data" / "out" / "ui"
