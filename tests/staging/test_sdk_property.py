"""Property test: on clean inputs, where Meta's documented rules and the official
facebook-business SDK agree (reference/meta-capi.md section 10), our macros give the SDK's
hash.

Given random clean values (E.164 numbers built from phonenumbers' example numbers,
YYYYMMDD dates, 2-letter codes, lowercase names and e-mails), when both hash them, then the
hashes are equal.
"""

from __future__ import annotations

import datetime as dt

import phonenumbers
import pycountry
import us
from facebook_business.adobjects.serverside.normalize import Normalize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LOWER = "abcdefghijklmnopqrstuvwxyz"
REGIONS = sorted(
    region
    for region in phonenumbers.SUPPORTED_REGIONS
    if phonenumbers.example_number(region) is not None
)


@st.composite
def e164_numbers(draw) -> str:
    """'+' and the digits of a valid-looking number: a region's example number with its
    last four digits redrawn (same length, same leading digits)."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number(region)
    national = phonenumbers.national_significant_number(example)
    tail = draw(st.text("0123456789", min_size=4, max_size=4))
    return f"+{example.country_code}{national[:-4]}{tail}"


emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text(LOWER + "0123456789_", min_size=1, max_size=12),
    st.text(LOWER, min_size=1, max_size=10),
    st.text(LOWER, min_size=2, max_size=6),
)
words = st.text(LOWER, min_size=1, max_size=15)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()).map(
    lambda d: d.strftime("%Y%m%d")
)
STRATEGIES = {
    "em": emails,
    "ph": e164_numbers(),
    "fn": words,
    "ln": words,
    "ct": words,
    "st": st.sampled_from(sorted(s.abbr.lower() for s in us.states.STATES)),
    "zp": st.text("0123456789", min_size=5, max_size=5),
    "country": st.sampled_from(sorted(c.alpha_2.lower() for c in pycountry.countries)),
    "db": dates,
    "ge": st.sampled_from(["f", "m"]),
}
batches = st.fixed_dictionaries(
    {key: st.lists(strategy, min_size=5, max_size=25) for key, strategy in STRATEGIES.items()}
)


def sdk_hash(key: str, value: str) -> str:
    return Normalize.normalize(key, value, True)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=batches)
def test_clean_inputs_hash_as_the_official_sdk_does(meta_macros, batch):
    # given
    cases = [(key, value, None) for key, values in batch.items() for value in values]
    # when
    meta_macros.prime(cases)
    # then
    for key, value, country in cases:
        ours = meta_macros.one(key, value, country)
        assert ours["hash"] == sdk_hash(key, value), (key, value, ours)
