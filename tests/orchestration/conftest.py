"""Fixtures of the orchestration tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipeline_fixtures import SAMPLE_INBOX


@pytest.fixture
def sample_inbox(tmp_path: Path) -> Path:
    """A copy of the committed sample inbox (300 people, seed 7) in tmp_path."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    return inbox
