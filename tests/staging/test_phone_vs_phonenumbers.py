"""Phone normalisation checked against phonenumbers (Google's libphonenumber metadata).

Given the generated sample's phone texts and a set of messy ones, when the ph macros run,
then every number phonenumbers calls valid comes out as its E.164 digits, and every number
we produce is phonenumbers' E.164 formatting of a number it calls possible.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import phonenumbers
import pytest

SAMPLE_INBOX = Path(__file__).resolve().parents[2] / "data" / "sample" / "inbox"

MESSY = [
    ("+44 (0)20 7946 0958", None),
    ("001 650 555 1212", None),
    ("650.555.1212", None),
    ("(650)555-1212", None),
    ("+1 650-555-1212", None),
    ("0044 20 7946 0958", None),
    ("020 7946 0958", "gb"),
    ("07911 123456", "gb"),
    ("+49 (0)30 1810754", None),
    ("030 1810754", "de"),
    ("01 41 07 18 73", "fr"),
    ("+33 (0)1 41 07 18 73", None),
    ("06 69 82 12 34", "it"),
    ("+39 06 6982 1234", None),
    ("0412 345 678", "au"),
    ("416-555-0199", "ca"),
    ("+7 912 345-67-89", None),
    ("8 912 345-67-89", "ru"),
    ("+81 3-1234-5678", None),
    ("+1 415 555 0100 x12", None),
    ("555-1212", None),
    ("12", None),
]


def sample_phones() -> list[str]:
    """Every distinct phone text in the sample inbox (its broken lines are skipped)."""
    phones: set[str] = set()
    for path in SAMPLE_INBOX.glob("*/*"):
        values: list = []
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                values = [row.get("phone") for row in csv.DictReader(handle)]
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    values.append(record.get("phone"))
        elif path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            values = list(frame["phone"]) if "phone" in frame.columns else []
        phones.update(str(v) for v in values if isinstance(v, str) and v.strip())
    return sorted(phones)


CASES = [(phone, None) for phone in sample_phones()] + MESSY


def oracle(text: str, country: str | None) -> tuple[str | None, bool, bool]:
    """phonenumbers' E.164 digits for the text, and whether it calls it possible / valid.

    One deliberate difference: a leading 00 is read as the international prefix whatever the
    default country (Meta: "remove leading zeros"; "001 650 555 1212" is 16505551212), while
    phonenumbers only knows the default region's own exit code (011 in the US).
    """
    stripped = text.strip()
    if stripped.startswith("00"):
        stripped = "+" + stripped[2:]
    try:
        number = phonenumbers.parse(stripped, (country or "US").upper())
    except phonenumbers.NumberParseException:
        return None, False, False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
    possible = (
        phonenumbers.is_possible_number_with_reason(number)
        == phonenumbers.ValidationResult.IS_POSSIBLE
    )
    return e164, possible, phonenumbers.is_valid_number(number)


@pytest.fixture(scope="module")
def ours(meta_macros) -> dict[tuple[str, str | None], str | None]:
    meta_macros.prime([("ph", text, country) for text, country in CASES])
    return {
        (text, country): meta_macros.one("ph", text, country)["normalised"]
        for text, country in CASES
    }


def test_sample_has_phones_to_compare():
    assert len(CASES) > 150


@pytest.mark.parametrize(("text", "country"), CASES)
def test_valid_numbers_give_phonenumbers_e164(ours, text, country):
    e164, _possible, valid = oracle(text, country)
    if valid:
        assert ours[(text, country)] == e164


@pytest.mark.parametrize(("text", "country"), CASES)
def test_every_number_we_produce_is_possible_and_formatted_as_phonenumbers_does(
    ours, text, country
):
    result = ours[(text, country)]
    if result is not None:
        e164, possible, _valid = oracle(text, country)
        assert possible, f"{text!r} gave {result} but phonenumbers calls it impossible"
        assert result == e164
