"""The Meta user_data macros: Meta's published vectors, the documented rules on messy input,
hashed-input passthrough, and countable reasons for rejected values.

Given a value and (for ph, st, zp) the row's country, when the dbt macros run on DuckDB, then
the hash is SHA-256 of the value normalised as reference/meta-capi.md section 3 documents.
"""

from __future__ import annotations

import hashlib

import pytest

# Meta's customer-information page: input, normalised value, the hash prefix Meta prints.
META_VECTORS = [
    ("em", "John_Smith@gmail.com", None, "john_smith@gmail.com", "62a14e44"),
    ("ph", "(650)555-1212", "us", "16505551212", "e323ec62"),
    ("fn", "Mary", None, "mary", "6915771b"),
    ("fn", "정", None, "정", "8fa8cd9c"),
    ("fn", "Valéry", None, "valéry", "08e1996b"),
    ("db", "2/16/1997", None, "19970216", "01acdbf6"),
    ("country", "United States", None, "us", "79adb2a2"),
]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(("key", "value", "country", "normalised", "prefix"), META_VECTORS)
def test_meta_published_vectors(meta_macros, key, value, country, normalised, prefix):
    # when
    result = meta_macros.one(key, value, country)
    # then
    assert result["normalised"] == normalised
    assert result["hash"] == sha(normalised)
    assert result["hash"].startswith(prefix)
    assert result["issue"] is None


MESSY = [
    # email: trim and lowercase only (no Gmail dot or +tag folding)
    ("em", "  J.Doe+Ads@Example.COM ", None, "j.doe+ads@example.com"),
    # phone: national numbers take the row's country, then the default (US)
    ("ph", "+44 (0)20 7946 0958", None, "442079460958"),
    ("ph", "001 650 555 1212", None, "16505551212"),
    ("ph", "650.555.1212", None, "16505551212"),
    ("ph", "1-650-555-1212", None, "16505551212"),
    ("ph", "+1 (650) 555-1212 ext. 42", None, "16505551212"),
    ("ph", "020 7946 0958", "gb", "442079460958"),
    ("ph", "0044 20 7946 0958", None, "442079460958"),
    ("ph", "+49 (0)89 6084722", None, "49896084722"),
    ("ph", "030 3841165", "de", "49303841165"),
    ("ph", "+39 06 6982 1234", None, "390669821234"),
    ("ph", "011 44 20 7946 0958", None, "442079460958"),
    # names: NFC, lowercase, punctuation and spaces removed
    ("fn", "Chlo\u0065\u0301", None, "chloé"),
    ("ln", "O'Brien", None, "obrien"),
    ("ln", "van der Berg", None, "vanderberg"),
    ("ln", "ŁUKASZ-Núñez", None, "łukasznúñez"),
    # gender
    ("ge", "Female", None, "f"),
    ("ge", " M ", None, "m"),
    # dates of birth
    ("db", "1997-02-16", None, "19970216"),
    ("db", "16.02.1997", None, "19970216"),
    ("db", "19970216", None, "19970216"),
    ("db", "1997/2/6", None, "19970206"),
    ("db", "16/2/1997", None, "19970216"),
    ("db", "1997-02-16T00:00:00Z", None, "19970216"),
    # city
    ("ct", "St. Louis", None, "stlouis"),
    ("ct", "São Paulo", None, "sãopaulo"),
    ("ct", "New York", None, "newyork"),
    # state: US and Canadian names and AP abbreviations to codes, others letters only
    ("st", "California", "us", "ca"),
    ("st", "calif.", None, "ca"),
    ("st", " Ca ", None, "ca"),
    ("st", "N.Y.", None, "ny"),
    ("st", "Québec", "ca", "qc"),
    ("st", "Bayern", "de", "bayern"),
    # zip
    ("zp", "94035-1234", "us", "94035"),
    ("zp", "940351234", None, "94035"),
    ("zp", " M1 1AE ", "gb", "m11ae"),
    ("zp", "75018", "fr", "75018"),
    # country names and codes to alpha-2
    ("country", "U.S.", None, "us"),
    ("country", "USA", None, "us"),
    ("country", "United States of America", None, "us"),
    ("country", "UK", None, "gb"),
    ("country", "Deutschland", None, None),
    ("country", "Germany", None, "de"),
    ("country", "Côte d'Ivoire", None, "ci"),
    # external id: lowercase, no whitespace
    ("external_id", " USR 00042 ", None, "usr00042"),
]


@pytest.mark.parametrize(("key", "value", "country", "normalised"), MESSY)
def test_documented_rules_on_messy_input(meta_macros, key, value, country, normalised):
    result = meta_macros.one(key, value, country)
    assert result["normalised"] == normalised
    assert result["hash"] == (sha(normalised) if normalised else None)


@pytest.mark.parametrize("key", ["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country"])
def test_sha256_input_passes_through_lowercased_and_is_not_hashed_twice(meta_macros, key):
    # given a value hashed upstream, in upper case with stray spaces
    hashed = sha("john_smith@gmail.com")
    # when
    result = meta_macros.one(key, f"  {hashed.upper()} ", "us")
    # then
    assert result["hash"] == hashed
    assert result["issue"] is None


INVALID = [
    ("em", "john.smith@", "email_without_domain"),
    ("em", "john.smith@gmail", "email_without_domain"),
    ("em", "john.smith.gmail.com", "email_without_at"),
    ("em", "john smith@gmail.com", "email_with_spaces"),
    ("em", "d41d8cd98f00b204e9800998ecf8427e", "hashed_with_md5"),
    ("ph", "555-1212", "phone_too_short"),
    ("ph", "+1 650 555 12129999", "phone_too_long"),
    ("ph", "1-800-FLOWERS", "phone_has_letters"),
    ("ph", "020 2280 347", "phone_leading_zero"),
    ("ph", "+999 1234 5678", "phone_unknown_country_code"),
    ("ph", "n/a", "phone_has_letters"),
    ("fn", "--", "name_without_letters"),
    ("ge", "x", "gender_not_f_or_m"),
    ("db", "yesterday", "birth_date_unparseable"),
    ("db", "1997-02-30", "birth_date_not_a_date"),
    ("db", "1850-01-01", "birth_date_year_out_of_range"),
    ("country", "Atlantis", "country_unrecognised"),
    ("st", "Califronia", "state_not_a_us_or_canadian_code"),
    ("zp", "ABCDE", "zip_not_a_us_zip"),
]


@pytest.mark.parametrize(("key", "value", "reason"), INVALID)
def test_invalid_input_is_null_with_a_countable_reason(meta_macros, key, value, reason):
    country = "us" if key in ("st", "zp") else None
    result = meta_macros.one(key, value, country)
    assert result["hash"] is None
    assert result["normalised"] is None
    assert result["issue"] == reason


BLANK_KEYS = ("em", "ph", "fn", "db", "ge", "st", "zp", "country")


@pytest.fixture(scope="module", autouse=True)
def _all_cases_in_one_query(meta_macros):
    hashed = sha("john_smith@gmail.com")
    meta_macros.prime(
        [(k, v, c) for k, v, c, *_ in META_VECTORS]
        + [(k, v, c) for k, v, c, _ in MESSY]
        + [(k, v, "us" if k in ("st", "zp") else None) for k, v, _ in INVALID]
        + [(k, f"  {hashed.upper()} ", "us") for k in BLANK_KEYS + ("ln", "ct")]
        + [(k, v, None) for k in BLANK_KEYS for v in (None, "", "   ")]
    )


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_input_is_null_without_an_issue(meta_macros, value):
    results = [meta_macros.one(key, value) for key in BLANK_KEYS]
    assert all(r == {"normalised": None, "hash": None, "issue": None} for r in results)
