"""Write the reference seeds the staging macros look values up in, from maintained libraries.

    uv run python dbt_project/scripts/build_reference_seeds.py            # rewrite the seeds
    uv run python dbt_project/scripts/build_reference_seeds.py --check    # exit 1 if stale

The seeds are committed; tests/staging/test_reference_seeds.py fails when they differ from a
fresh generation (a library upgrade changed them: rerun this script and commit the result).

Seeds written to dbt_project/seeds/:
- meta_country_codes.csv: country_key -> country_code. The key is a country name or code the
  way the macro `country_lookup_key` reduces it (lowercase, accents folded, letters only):
  pycountry's alpha-2, alpha-3, name, official name and common name of every country.
- meta_state_codes.csv: state_key -> country_code, state_code for US states, DC and
  territories (pycountry names, `us` AP-style abbreviations such as "Calif.") and Canadian
  provinces and territories (pycountry names).
- meta_phone_prefixes.csv: dial_prefix (the first three digits of an international number)
  -> calling_code, national (trunk) prefix, possible national number lengths, whether a
  national number may begin with 0; from phonenumbers' metadata of the code's main region.
- meta_phone_regions.csv: region (alpha-2, lowercase) -> calling_code, from phonenumbers.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import phonenumbers
import pycountry
import us
from phonenumbers import PhoneMetadata

logger = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parents[1] / "seeds"

# ISO 3166-1 "exceptionally reserved" alpha-2 codes people write instead of the assigned one.
# pycountry lists only assigned codes, so these two are the only hand-written country rows.
EXCEPTIONALLY_RESERVED = {"uk": "gb", "el": "gr"}


def lookup_key(text: str) -> str:
    """Reduce a name to the key the SQL macro `country_lookup_key` computes: NFKD, drop
    combining marks, lowercase, keep a-z only."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


def _add(mapping: dict[str, tuple[str, ...]], key: str, value: tuple[str, ...], what: str):
    if not key:
        return
    previous = mapping.get(key)
    if previous is not None and previous != value:
        raise ValueError(f"{what} key {key!r} maps to both {previous} and {value}")
    mapping[key] = value


def country_rows() -> list[dict[str, str]]:
    mapping: dict[str, tuple[str, ...]] = {}
    for country in pycountry.countries:
        code = country.alpha_2.lower()
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                _add(mapping, lookup_key(value), (code,), "country")
    for key, code in EXCEPTIONALLY_RESERVED.items():
        _add(mapping, key, (code,), "country")
    return [
        {"country_key": key, "country_code": value[0]} for key, value in sorted(mapping.items())
    ]


def state_rows() -> list[dict[str, str]]:
    mapping: dict[str, tuple[str, ...]] = {}
    for country_code in ("US", "CA"):
        for subdivision in pycountry.subdivisions.get(country_code=country_code):
            code = subdivision.code.split("-")[1].lower()
            value = (country_code.lower(), code)
            _add(mapping, lookup_key(subdivision.name), value, "state")
            _add(mapping, lookup_key(code), value, "state")
    for state in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
        value = ("us", state.abbr.lower())
        _add(mapping, lookup_key(state.name), value, "state")
        if state.ap_abbr:
            _add(mapping, lookup_key(state.ap_abbr), value, "state")
    return [
        {"state_key": key, "country_code": value[0], "state_code": value[1]}
        for key, value in sorted(mapping.items())
    ]


def _main_metadata(calling_code: int) -> PhoneMetadata | None:
    """The metadata of the code's main region (US for +1, GB for +44, RU for +7), or of the
    non-geographic entity: its lengths are the ones a full international number has."""
    region = phonenumbers.region_code_for_country_code(calling_code)
    if region in (phonenumbers.UNKNOWN_REGION, "001"):
        return PhoneMetadata.metadata_for_nongeo_region(calling_code)
    return PhoneMetadata.metadata_for_region(region)


def _leading_zero_possible(metadata: PhoneMetadata) -> bool:
    """True when some example number of the region has a national number beginning with 0
    (Italy, San Marino, the Vatican, a few others)."""
    for number_type in phonenumbers.PhoneNumberType.values():
        example = phonenumbers.example_number_for_type(metadata.id, number_type)
        if metadata.id == "001":
            example = phonenumbers.example_number_for_non_geo_entity(metadata.country_code)
        if example is not None and phonenumbers.national_significant_number(example).startswith(
            "0"
        ):
            return True
    return False


def phone_prefix_rows() -> list[dict[str, str]]:
    rows = []
    by_code = {}
    for calling_code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        metadata = _main_metadata(calling_code)
        if metadata is None:
            continue
        lengths = sorted(length for length in metadata.general_desc.possible_length if length > 0)
        by_code[str(calling_code)] = {
            "calling_code": str(calling_code),
            "national_prefix": metadata.national_prefix or "",
            "possible_lengths": "|" + "|".join(str(n) for n in lengths) + "|",
            "min_length": str(lengths[0]),
            "max_length": str(lengths[-1]),
            "leading_zero_possible": str(_leading_zero_possible(metadata)).lower(),
        }
    for number in range(1000):
        dial_prefix = f"{number:03d}"
        matches = [code for code in by_code if dial_prefix.startswith(code)]
        if len(matches) > 1:
            raise ValueError(f"dial prefix {dial_prefix} matches several codes {matches}")
        if matches:
            rows.append({"dial_prefix": dial_prefix, **by_code[matches[0]]})
    return rows


def phone_region_rows() -> list[dict[str, str]]:
    rows = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        calling_code = phonenumbers.country_code_for_region(region)
        rows.append({"region": region.lower(), "calling_code": str(calling_code)})
    return rows


SEEDS = {
    "meta_country_codes.csv": country_rows,
    "meta_state_codes.csv": state_rows,
    "meta_phone_prefixes.csv": phone_prefix_rows,
    "meta_phone_regions.csv": phone_region_rows,
}


def render(rows: Iterable[dict[str, str]]) -> str:
    rows = list(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def generate() -> dict[str, str]:
    """Every seed file name with the content a fresh generation gives."""
    return {name: render(build()) for name, build in SEEDS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale seeds")
    parser.add_argument("--out", type=Path, default=SEED_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stale = []
    for name, content in generate().items():
        path = args.out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            logger.info("wrote %s (%d rows)", path, content.count("\n") - 1)
    if args.check and stale:
        logger.error("stale seeds: %s (rerun without --check)", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
