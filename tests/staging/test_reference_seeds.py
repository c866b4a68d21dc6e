"""The reference seeds are a fresh generation from pycountry, us and phonenumbers, and the SQL
lookups find every name those libraries know."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pycountry
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "dbt_project" / "scripts" / "build_reference_seeds.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_reference_seeds", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_seeds_equal_a_fresh_generation():
    # given the generator script and the committed CSVs
    script = _script()
    # when it generates again
    fresh = script.generate()
    # then nothing differs (else: run the script and commit the seeds)
    for name, content in fresh.items():
        committed = (script.SEED_DIR / name).read_text(encoding="utf-8")
        assert committed == content, f"{name} is stale: run {SCRIPT.name}"


COUNTRY_NAMES = sorted(
    {
        (getattr(country, attribute), country.alpha_2.lower())
        for country in pycountry.countries
        for attribute in ("name", "official_name", "common_name", "alpha_3")
        if getattr(country, attribute, None)
    }
)
PROVINCE_NAMES = sorted(
    (subdivision.name, subdivision.code.split("-")[1].lower())
    for code in ("US", "CA")
    for subdivision in pycountry.subdivisions.get(country_code=code)
)


@pytest.fixture(scope="module")
def looked_up(meta_macros):
    meta_macros.prime(
        [("country", name, None) for name, _ in COUNTRY_NAMES]
        + [("st", name, None) for name, _ in PROVINCE_NAMES]
    )
    return meta_macros


def test_every_pycountry_country_name_maps_to_its_alpha_2(looked_up):
    wrong = [
        (name, code, looked_up.one("country", name)["normalised"])
        for name, code in COUNTRY_NAMES
        if looked_up.one("country", name)["normalised"] != code
    ]
    assert wrong == []


def test_every_us_state_and_canadian_province_name_maps_to_its_code(looked_up):
    wrong = [
        (name, code, looked_up.one("st", name)["normalised"])
        for name, code in PROVINCE_NAMES
        if looked_up.one("st", name)["normalised"] != code
    ]
    assert wrong == []
