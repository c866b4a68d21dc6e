"""Fixed vocabularies the synthetic funnel draws from: names, places, user agents, pages.

Everything here is constant data; randomness lives in `data.generator.people`.
"""

from __future__ import annotations

SITE = "https://www.glowclinic.example"

# (first name, ascii form used in email local parts)
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Mary", "mary"),
    ("John", "john"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Renée", "renee"),
    ("Chloé", "chloe"),
    ("François", "francois"),
    ("Łukasz", "lukasz"),
    ("Björn", "bjorn"),
    ("Siobhán", "siobhan"),
    ("Ana", "ana"),
    ("Priya", "priya"),
    ("Wei", "wei"),
    ("Mohammed", "mohammed"),
    ("Emily", "emily"),
    ("Michael", "michael"),
    ("Sarah", "sarah"),
    ("David", "david"),
    ("Jessica", "jessica"),
    ("Daniel", "daniel"),
    ("Laura", "laura"),
    ("Chris", "chris"),
    ("Olivia", "olivia"),
    ("Noah", "noah"),
)
FEMALE_NAMES = frozenset(
    {"Mary", "Zoë", "Renée", "Chloé", "Siobhán", "Ana", "Priya", "Emily", "Sarah", "Jessica"}
    | {"Laura", "Olivia"}
)

LAST_NAMES: tuple[tuple[str, str], ...] = (
    ("Smith", "smith"),
    ("Johnson", "johnson"),
    ("Müller", "muller"),
    ("García", "garcia"),
    ("O'Brien", "obrien"),
    ("Núñez", "nunez"),
    ("Nguyen", "nguyen"),
    ("Dubois", "dubois"),
    ("Schmidt", "schmidt"),
    ("Kowalski", "kowalski"),
    ("Brown", "brown"),
    ("Williams", "williams"),
    ("Lee", "lee"),
    ("Patel", "patel"),
    ("van der Berg", "vanderberg"),
    ("Martin", "martin"),
    ("Taylor", "taylor"),
    ("Rossi", "rossi"),
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.co.uk",
    "gmx.de",
    "orange.fr",
)

# (city, state code or "", full state name or "", zip, country code, area code / city prefix)
US_CA_PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("San Francisco", "CA", "California", "94105", "US", "415"),
    ("Los Angeles", "CA", "California", "90012", "US", "213"),
    ("San Diego", "CA", "California", "92101", "US", "619"),
    ("Palo Alto", "CA", "California", "94301", "US", "650"),
    ("Sacramento", "CA", "California", "95814", "US", "916"),
)
US_OTHER_PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("New York", "NY", "New York", "10001", "US", "212"),
    ("Austin", "TX", "Texas", "78701", "US", "512"),
    ("Chicago", "IL", "Illinois", "60601", "US", "312"),
    ("Seattle", "WA", "Washington", "98101", "US", "206"),
    ("Miami", "FL", "Florida", "33101", "US", "305"),
    ("Denver", "CO", "Colorado", "80202", "US", "303"),
    ("Boston", "MA", "Massachusetts", "02108", "US", "617"),
)
GB_PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("London", "", "", "SW1A 1AA", "GB", "207"),  # 020 7xxx xxxx: 10 national digits
    ("Manchester", "", "", "M1 1AE", "GB", "161"),
)
DE_PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Berlin", "BE", "Berlin", "10115", "DE", "30"),
    ("München", "BY", "Bayern", "80331", "DE", "89"),
)
FR_PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Paris", "", "", "75018", "FR", "1"),
    ("Lyon", "", "", "69001", "FR", "4"),
)

CA_STATE_SPELLINGS: tuple[str, ...] = ("CA", "CA", "California", "calif.", "ca", " Ca ", "CALIF")
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "US": ("US", "US", "United States", "USA", "us", "U.S.", "United States of America"),
    "GB": ("GB", "United Kingdom", "UK", "gb"),
    "DE": ("DE", "Germany", "Deutschland", "de"),
    "FR": ("FR", "France", "fr"),
}
CURRENCY_BY_COUNTRY: dict[str, str] = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR"}

OFFICE_PHONE_SPELLINGS: tuple[str, ...] = ("+1 (415) 555-0100", "415-555-0100", "(415) 555 0100")
OFFICE_PHONE_E164 = "+14155550100"
TEST_EMAIL_SPELLINGS: tuple[str, ...] = ("test@test.com", "TEST@test.com", " test@test.com")

USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 356.0.0.41.101 (iPhone15,3; iOS 18_1; en_US)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/489.0.0.52.105;FBBV/661239457]",
)

CONTENT_PAGES: tuple[str, ...] = (
    "/",
    "/pricing",
    "/treatments/facial",
    "/treatments/laser",
    "/blog/summer-skin-routine",
    "/about",
    "/reviews",
    "/products/vitamin-c-serum",
)
PAGE_TITLES: dict[str, str] = {
    "/": "Glow Clinic",
    "/pricing": "Pricing",
    "/treatments/facial": "Facials",
    "/treatments/laser": "Laser treatments",
    "/blog/summer-skin-routine": "Your summer skin routine",
    "/about": "About us",
    "/reviews": "Reviews",
    "/products/vitamin-c-serum": "Vitamin C serum",
}
QUIZ_FORMS: tuple[str, ...] = ("skin_quiz_v2", "hair_quiz_v1", "consult_request")
QUIZ_ANSWERS: dict[str, tuple[str, ...]] = {
    "skin_type": ("dry", "oily", "combination", "sensitive"),
    "main_concern": ("acne", "wrinkles", "pigmentation", "redness"),
    "budget": ("<100", "100-300", "300+"),
}
PRODUCTS: tuple[tuple[str, float], ...] = (
    ("SERUM-VC-30", 49.0),
    ("CREAM-HY-50", 35.5),
    ("SPF-50-100", 24.99),
    ("KIT-STARTER", 119.0),
    ("VOUCHER-FACIAL", 150.0),
)
META_CAMPAIGNS: tuple[str, ...] = ("fall_promo_2026", "prospecting_lal_1pct", "retargeting_30d")
META_ADS: tuple[str, ...] = ("video_before_after", "carousel_products", "static_offer_20")
GOOGLE_CAMPAIGNS: tuple[str, ...] = ("brand_search", "generic_facial_near_me")
EMAIL_CAMPAIGNS: tuple[str, ...] = ("newsletter_2026_10", "winback_nov")
SEARCH_TERMS: tuple[str, ...] = ("facial", "laser+clinic", "skin+care+quiz")
