"""Simulate one chunk of people: their devices, sessions, forms, CRM life, bookings and orders.

A chunk is simulated by one seeded `random.Random`, so the same (seed, chunk index, people)
always yields the same rows. Rows are plain dicts in raw-contract column order with native
values (str, int, float, bool, None; dict/list for JSON columns); `data.generator.writers`
turns them into files and injects defects.
"""

from __future__ import annotations

import random
import time
import unicodedata
from dataclasses import dataclass, field

from data.generator import vocab

DAY = 86_400
CLICK_WINDOW = 90 * DAY
TABLES: tuple[str, ...] = (
    "web_events",
    "form_submissions",
    "crm_contacts",
    "crm_stage_changes",
    "bookings",
    "orders",
)
CHANNELS: tuple[str, ...] = ("meta", "google", "organic", "email", "direct", "meta_lead_ads")
CHANNEL_WEIGHTS: tuple[float, ...] = (0.36, 0.15, 0.15, 0.08, 0.16, 0.10)
_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_OFFSETS: tuple[tuple[str, int], ...] = (
    ("+02:00", 7200),
    ("-05:00", -18000),
    ("+01:00", 3600),
    ("-08:00", -28800),
    ("+05:30", 19800),
)


def format_ts(ts: int, rng: random.Random) -> str:
    """ISO 8601 text for a UTC epoch second: mostly naive UTC, some `Z`, some with an offset."""
    draw = rng.random()
    suffix = ""
    if draw >= 0.9:
        suffix, shift = _OFFSETS[int((draw - 0.9) * 50) % len(_OFFSETS)]
        ts += shift
    elif draw >= 0.84:
        suffix = "Z"
    tm = time.gmtime(ts)
    year, month, day, hour, minute, second = tm[:6]
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{suffix}"


@dataclass
class Row:
    """One record bound for a raw table, with what the ground truth needs to know about it."""

    table: str
    values: dict
    person_key: str
    conversion: int = -1  # index into Chunk.conversions, or -1


@dataclass
class Device:
    anonymous_id: str
    user_agent: str
    client_ip: str
    blocks_cookies: bool
    fbp: str | None = None
    fbc: str | None = None


@dataclass
class Chunk:
    """Everything one chunk of people produced."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})
    persons: list[dict] = field(default_factory=list)
    conversions: list[dict] = field(default_factory=list)


class _Person:
    """Mutable state of one simulated person while their journey is generated."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.clicks: list[tuple[int, str, str]] = []  # (ts, fbclid, anonymous_id)
        self.linked_anons: set[str] = set()
        self.conversions: list[int] = []
        self.attrs: dict = {"person_key": key}


class ChunkSimulator:
    """Generate the people `first_index .. first_index + count - 1` of one run."""

    def __init__(self, seed: int, chunk_index: int, end_ts: int) -> None:
        self.rng = random.Random(f"journey-memory:{seed}:{chunk_index}")
        self.end_ts = end_ts
        self.chunk = Chunk()
        self._previous_email: tuple[str, dict] | None = None

    # --- small random helpers ------------------------------------------------------------

    def _uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def _token(self, length: int) -> str:
        return "".join(self.rng.choices(_TOKEN_ALPHABET, k=length))

    def _ts(self, ts: int) -> str:
        return format_ts(ts, self.rng)

    def _ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            a, b, c, d = (rng.randrange(1, 0xFFFF) for _ in range(4))
            return f"2a02:{a:x}:{b:x}:{c:x}::{d:x}"
        first = rng.choice((73, 98, 174, 24, 81, 92, 151, 212))
        second, third, fourth = rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)
        return f"{first}.{second}.{third}.{fourth}"

    # --- identity and PII ----------------------------------------------------------------

    def _identity(self, person: _Person) -> dict:
        rng = self.rng
        region = rng.random()
        if region < 0.24:
            place = rng.choice(vocab.US_CA_PLACES)
        elif region < 0.72:
            place = rng.choice(vocab.US_OTHER_PLACES)
        elif region < 0.84:
            place = rng.choice(vocab.GB_PLACES)
        elif region < 0.93:
            place = rng.choice(vocab.DE_PLACES)
        else:
            place = rng.choice(vocab.FR_PLACES)
        first, first_ascii = rng.choice(vocab.FIRST_NAMES)
        last, last_ascii = rng.choice(vocab.LAST_NAMES)
        separator = rng.choice((".", "_", ""))
        number = rng.randrange(1, 999)
        email = f"{first_ascii}{separator}{last_ascii}{number}@{rng.choice(vocab.EMAIL_DOMAINS)}"
        country = place[4]
        if country == "US":
            exchange = rng.randrange(200, 999)
            local = f"{place[5]}{exchange:03d}{rng.randrange(10_000):04d}"
            e164 = "+1" + local
        elif country == "GB":
            local = f"{place[5]}{rng.randrange(10**6, 10**7):07d}"
            e164 = "+44" + local
        elif country == "DE":
            local = f"{place[5]}{rng.randrange(10**6, 10**7):07d}"
            e164 = "+49" + local
        else:
            local = f"{place[5]}{rng.randrange(10**7, 10**8):08d}"
            e164 = "+33" + local
        ident = {
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone_e164": e164,
            "phone_local": local,
            "city": place[0],
            "state_code": place[1],
            "state_name": place[2],
            "zip": place[3],
            "country_code": country,
            "gender": "f" if first in vocab.FEMALE_NAMES else "m",
            "dob": (rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29)),
            "email_kind": "own",
            "phone_kind": "own",
        }
        draw = rng.random()
        forced = int(person.key[1:]) % 40
        if draw < 0.012 or forced == 7:
            ident["email_kind"] = "test"
            ident["email"] = "test@test.com"
        elif draw < 0.03 and self._previous_email is not None:
            # a family member reusing another person's mailbox
            other_email, other_attrs = self._previous_email
            ident["email_kind"] = "family"
            ident["email"] = other_email
            other_attrs["shared_email_group"] = other_email
            ident["shared_email_group"] = other_email
        if rng.random() < 0.02 or forced == 19:
            ident["phone_kind"] = "office"
            ident["phone_e164"] = vocab.OFFICE_PHONE_E164
        return ident

    def _email_text(self, ident: dict) -> str:
        rng = self.rng
        if ident["email_kind"] == "test":
            return rng.choice(vocab.TEST_EMAIL_SPELLINGS)
        email = ident["email"]
        draw = rng.random()
        if draw < 0.55:
            return email
        if draw < 0.7:
            local, domain = email.split("@")
            return local.capitalize() + "@" + domain.capitalize()
        if draw < 0.82:
            return " " + email + " "
        if draw < 0.92:
            return email.upper()
        return email + " "

    def _phone_text(self, ident: dict) -> str:
        rng = self.rng
        if ident["phone_kind"] == "office":
            return rng.choice(vocab.OFFICE_PHONE_SPELLINGS)
        local = ident["phone_local"]
        country = ident["country_code"]
        draw = rng.random()
        if country == "US":
            a, b, c = local[:3], local[3:6], local[6:]
            forms = (
                f"({a}) {b}-{c}",
                f"{a}.{b}.{c}",
                f"+1 {a}-{b}-{c}",
                f"{a}{b}{c}",
                f"1-{a}-{b}-{c}",
            )
        elif country == "GB":
            forms = (
                f"+44 (0){local[:2]} {local[2:6]} {local[6:]}",
                f"0044 {local[:2]} {local[2:6]} {local[6:]}",
                f"+44{local}",
                f"0{local[:2]} {local[2:6]} {local[6:]}",  # no country code: not normalisable
            )
        elif country == "DE":
            forms = (f"+49 {local[:2]} {local[2:]}", f"0049{local}", f"+49 (0){local}")
        else:
            forms = (f"+33 {local[:1]} {local[1:5]} {local[5:]}", f"+33{local}")
        return forms[int(draw * len(forms))]

    def _name_text(self, name: str) -> str:
        draw = self.rng.random()
        if draw < 0.1:
            return unicodedata.normalize("NFD", name)
        if draw < 0.16:
            return name.upper()
        if draw < 0.22:
            return " " + name.lower()
        return name

    def _state_text(self, ident: dict) -> str | None:
        rng = self.rng
        if ident["state_code"] == "CA" and ident["country_code"] == "US":
            return rng.choice(vocab.CA_STATE_SPELLINGS)
        if not ident["state_code"]:
            return None
        return ident["state_code"] if rng.random() < 0.6 else ident["state_name"]

    def _zip_text(self, ident: dict) -> str:
        z = ident["zip"]
        if ident["country_code"] == "US" and self.rng.random() < 0.2:
            return f"{z}-{self.rng.randrange(10_000):04d}"
        return z

    def _country_text(self, ident: dict) -> str:
        return self.rng.choice(vocab.COUNTRY_SPELLINGS[ident["country_code"]])

    def _dob_text(self, ident: dict) -> str:
        y, m, d = ident["dob"]
        draw = self.rng.random()
        if draw < 0.6:
            return f"{y:04d}-{m:02d}-{d:02d}"
        if draw < 0.85:
            return f"{m}/{d}/{y:04d}"
        return f"{d:02d}.{m:02d}.{y:04d}"

    # --- emitting rows -------------------------------------------------------------------

    def _emit(self, person: _Person, table: str, values: dict, conversion: dict | None = None):
        index = -1
        if conversion is not None:
            index = len(self.chunk.conversions)
            conversion.update(table=table, person_key=person.key)
            self.chunk.conversions.append(conversion)
            person.conversions.append(index)
        self.chunk.rows[table].append(Row(table, values, person.key, index))

    def _hit(
        self,
        person: _Person,
        ts: int,
        device: Device,
        event_type: str,
        pixel_event_name: str | None,
        url: str,
        referrer: str | None,
        consent: bool | None,
        user_id: str | None,
        properties: dict | None,
    ) -> str:
        if device.fbp is None and not device.blocks_cookies:
            created_ms = ts * 1000 + self.rng.randrange(1000)
            device.fbp = f"fb.1.{created_ms}.{self.rng.randrange(10**9, 10**10):010d}"
        event_id = self._uuid()
        values = {
            "event_id": event_id,
            "occurred_at": self._ts(ts),
            "anonymous_id": device.anonymous_id,
            "user_id": user_id,
            "event_type": event_type,
            "pixel_event_name": pixel_event_name,
            "page_url": url,
            "referrer_url": referrer,
            "fbp": device.fbp,
            "fbc": device.fbc,
            "client_ip": device.client_ip,
            "user_agent": device.user_agent,
            "consent_ads": consent,
            "properties": properties,
        }
        self._emit(person, "web_events", values)
        return event_id

    # --- one person ----------------------------------------------------------------------

    def simulate_person(self, index: int) -> None:
        """Generate every row of person `index` (global, 0-based) into the chunk."""
        rng = self.rng
        person = _Person(f"p{index:08d}")
        attrs = person.attrs
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        ident = self._identity(person)
        consent = rng.choices((True, False, None), (0.65, 0.2, 0.15))[0]
        attrs.update(
            acquisition_channel=channel,
            consent_ads=consent,
            is_california=ident["state_code"] == "CA",
            country_code=ident["country_code"],
            state_code=ident["state_code"] or None,
            email=ident["email"],
            phone_e164=ident["phone_e164"],
            first_name=ident["first_name"],
            last_name=ident["last_name"],
            uses_test_email=ident["email_kind"] == "test",
            uses_office_phone=ident["phone_kind"] == "office",
            shared_email_group=ident.get("shared_email_group"),
        )
        self.chunk.persons.append(attrs)
        if ident["email_kind"] == "own":
            self._previous_email = (ident["email"], attrs)
        start = self.end_ts - rng.randrange(12 * DAY, 60 * DAY)
        if channel == "meta_lead_ads":
            attrs["devices"] = 0
            attrs["sessions"] = 0
            self._lead_ads_person(person, ident, consent, start)
        else:
            self._web_person(person, ident, consent, channel, start)
        self._credit(person)
        attrs["has_meta_click"] = bool(person.clicks)
        attrs["conversions"] = len(person.conversions)

    def _web_person(
        self, person: _Person, ident: dict, consent: bool | None, channel: str, start: int
    ) -> None:
        rng = self.rng
        attrs = person.attrs
        n_devices = rng.choices((1, 2, 3), (0.55, 0.33, 0.12))[0]
        devices = [
            Device(self._uuid(), rng.choice(vocab.USER_AGENTS), self._ip(), rng.random() < 0.25)
            for _ in range(n_devices)
        ]
        n_sessions = min(1 + int(rng.expovariate(0.55)), 8)
        # every 40th person from 7 and from 19 (test email, office phone) always leaves a lead
        wants_form = rng.random() < 0.4 or int(person.key[1:]) % 40 in (7, 19)
        wants_purchase = rng.random() < 0.18
        logs_in = rng.random() < 0.1
        form_session = rng.randrange(n_sessions) if wants_form else -1
        purchase_session = rng.randrange(n_sessions) if wants_purchase else -1
        user_id = f"usr_{int(person.key[1:]):08d}" if logs_in else None
        attrs.update(devices=n_devices, sessions=n_sessions, has_login=logs_in)
        attrs.update(has_gclid=False)
        ts = start
        state = {"contact_id": None, "submission": None}
        for s in range(n_sessions):
            if ts >= self.end_ts - 3600:
                break
            device = devices[0] if s == 0 else rng.choice(devices)
            source = (
                channel
                if s == 0
                else rng.choices(
                    ("direct", "meta", "email", "organic", "google"), (0.45, 0.25, 0.1, 0.1, 0.1)
                )[0]
            )
            session_user = user_id if (user_id and s > 0) else None
            if session_user:
                person.linked_anons.add(device.anonymous_id)
            landing = rng.choice(vocab.CONTENT_PAGES)
            url, referrer, utm = self._landing(person, source, landing, ts, device)
            props = {"title": vocab.PAGE_TITLES[landing]} if rng.random() < 0.5 else None
            self._hit(
                person,
                ts,
                device,
                "page_view",
                "PageView",
                url,
                referrer,
                consent,
                session_user,
                props,
            )
            for _ in range(rng.randrange(0, 4)):
                ts += rng.randrange(15, 300)
                page = rng.choice(vocab.CONTENT_PAGES)
                self._hit(
                    person,
                    ts,
                    device,
                    "page_view",
                    "PageView",
                    vocab.SITE + page,
                    url,
                    consent,
                    session_user,
                    None,
                )
            if rng.random() < 0.2:
                ts += rng.randrange(5, 60)
                self._hit(
                    person,
                    ts,
                    device,
                    "custom",
                    None,
                    url,
                    None,
                    consent,
                    session_user,
                    {"name": "scroll_depth", "depth": rng.choice((25, 50, 75, 100))},
                )
            if s == form_session:
                ts = self._quiz(person, ident, consent, device, ts, utm, session_user, state)
            if s == purchase_session:
                ts = self._web_purchase(person, ident, consent, device, ts, session_user)
            ts += rng.randrange(3600, 12 * DAY)
        attrs["has_form"] = state["submission"] is not None
        attrs["has_crm_contact"] = state["contact_id"] is not None
        if state["contact_id"] is not None and rng.random() < 0.12:
            self._offline_order(person, ident, state["contact_id"], ts)

    def _landing(
        self, person: _Person, source: str, page: str, ts: int, device: Device
    ) -> tuple[str, str | None, dict]:
        rng = self.rng
        base = vocab.SITE + page
        if source == "meta":
            fbclid = "IwAR" + self._token(rng.randrange(50, 70))
            utm = {
                "utm_source": rng.choice(("facebook", "instagram", "fb", "ig")),
                "utm_medium": rng.choice(("paid_social", "cpc")),
                "utm_campaign": rng.choice(vocab.META_CAMPAIGNS),
            }
            query = "utm_source={utm_source}&utm_medium={utm_medium}&utm_campaign={utm_campaign}"
            content = rng.choice(vocab.META_ADS)
            term = rng.randrange(10**17, 10**18)
            url = (
                f"{base}?{query.format(**utm)}"
                f"&utm_content={content}&utm_term={term}&fbclid={fbclid}"
            )
            referrer = rng.choice(
                ("https://l.facebook.com/", "https://l.instagram.com/", "http://m.facebook.com/")
                + (None,)
            )
            person.clicks.append((ts, fbclid, device.anonymous_id))
            if not device.blocks_cookies:
                device.fbc = f"fb.1.{ts * 1000 + rng.randrange(1000)}.{fbclid}"
            return url, referrer, utm
        if source == "google":
            person.attrs["has_gclid"] = True
            utm = {
                "utm_source": "google",
                "utm_medium": "cpc",
                "utm_campaign": rng.choice(vocab.GOOGLE_CAMPAIGNS),
            }
            gclid = "Cj0KCQ" + self._token(rng.randrange(40, 70))
            term = rng.choice(vocab.SEARCH_TERMS)
            url = (
                f"{base}?utm_source=google&utm_medium=cpc&utm_campaign={utm['utm_campaign']}"
                f"&utm_term={term}&gclid={gclid}"
            )
            return url, "https://www.google.com/", utm
        if source == "organic":
            return base, rng.choice(("https://www.google.com/", "https://www.bing.com/")), {}
        if source == "email":
            utm = {
                "utm_source": "newsletter",
                "utm_medium": "email",
                "utm_campaign": rng.choice(vocab.EMAIL_CAMPAIGNS),
            }
            url = (
                f"{base}?utm_source=newsletter&utm_medium=email&utm_campaign={utm['utm_campaign']}"
            )
            return url, rng.choice((None, "https://mail.google.com/")), utm
        return base, None, {}

    def _quiz(
        self,
        person: _Person,
        ident: dict,
        consent: bool | None,
        device: Device,
        ts: int,
        utm: dict,
        user_id: str | None,
        state: dict,
    ) -> int:
        rng = self.rng
        form_id = rng.choice(vocab.QUIZ_FORMS)
        n_steps = 3 if rng.random() < 0.15 else 2
        pk_num = int(person.key[1:])
        submission_id = ""
        for step in range(1, n_steps + 1):
            ts += rng.randrange(20, 180)
            contact_step = step == n_steps
            url = f"{vocab.SITE}/quiz/{form_id}/step-{step}"
            pixel_name = "Lead" if contact_step else "QuizStep"
            event_id = self._hit(
                person,
                ts,
                device,
                "form_submit",
                pixel_name,
                url,
                None,
                consent,
                user_id,
                {"form_id": form_id, "step": step},
            )
            submission_id = f"sub_{pk_num:08d}_{step}"
            answers = None
            if not contact_step:
                answers = {k: rng.choice(v) for k, v in vocab.QUIZ_ANSWERS.items()}
            values = {
                "submission_id": submission_id,
                "submitted_at": self._ts(ts),
                "anonymous_id": device.anonymous_id,
                "form_id": form_id,
                "step": step,
                "pixel_event_id": event_id,
                "email": None,
                "phone": None,
                "first_name": None,
                "last_name": None,
                "date_of_birth": None,
                "gender": None,
                "city": None,
                "state": None,
                "zip": None,
                "country": None,
                "answers": answers,
                "consent_ads": consent,
                "page_url": url,
                "client_ip": device.client_ip,
                "user_agent": device.user_agent,
                "meta_lead_id": None,
            }
            conversion = None
            if contact_step:
                has_email = rng.random() < 0.93
                has_phone = rng.random() < 0.8 or not has_email
                values.update(
                    email=self._email_text(ident) if has_email else None,
                    phone=self._phone_text(ident) if has_phone else None,
                    first_name=self._name_text(ident["first_name"]),
                    last_name=self._name_text(ident["last_name"]),
                    date_of_birth=self._dob_text(ident) if rng.random() < 0.5 else None,
                    gender=rng.choice((ident["gender"], ident["gender"].upper(), None)),
                    city=ident["city"],
                    state=self._state_text(ident),
                    zip=self._zip_text(ident),
                    country=self._country_text(ident),
                )
                person.linked_anons.add(device.anonymous_id)
                conversion = {"record_id": submission_id, "kind": "lead", "occurred_at": ts}
            self._emit(person, "form_submissions", values, conversion)
        state["submission"] = submission_id
        if rng.random() < 0.85 or ident["email_kind"] == "test" or ident["phone_kind"] == "office":
            contact_id = self._crm_contact(
                person,
                ident,
                consent,
                ts + rng.randrange(30, 6 * 3600),
                device.anonymous_id,
                submission_id,
                None,
                "website",
                utm,
            )
            state["contact_id"] = contact_id
        if rng.random() < 0.35:
            ts = self._booking(person, ident, device, ts, state["contact_id"], consent, user_id)
        return ts

    def _crm_contact(
        self,
        person: _Person,
        ident: dict,
        consent: bool | None,
        ts: int,
        anonymous_id: str | None,
        submission_id: str | None,
        meta_lead_id: str | None,
        lead_source: str,
        utm: dict,
    ) -> str:
        rng = self.rng
        pk_num = int(person.key[1:])
        contact_id = str(10_000_000_000 + pk_num * 4)
        carry = rng.random()
        carried_anon = anonymous_id if anonymous_id and carry < 0.4 else None
        carried_sub = submission_id if submission_id and 0.25 < carry < 0.6 else None
        if carried_anon or carried_sub:
            person.linked_anons.add(anonymous_id)
        copy_utm = rng.random() < 0.5
        values = {
            "crm_contact_id": contact_id,
            "created_at": self._ts(ts),
            "updated_at": self._ts(ts + rng.randrange(0, 5 * DAY)) if rng.random() < 0.7 else None,
            "email": self._email_text(ident),
            "phone": self._phone_text(ident) if rng.random() < 0.85 else None,
            "first_name": self._name_text(ident["first_name"]),
            "last_name": self._name_text(ident["last_name"]),
            "city": ident["city"] if rng.random() < 0.7 else None,
            "state": self._state_text(ident),
            "zip": self._zip_text(ident) if rng.random() < 0.7 else None,
            "country": self._country_text(ident),
            "anonymous_id": carried_anon,
            "submission_id": carried_sub,
            "meta_lead_id": meta_lead_id,
            "lead_source": lead_source,
            "utm_source": utm.get("utm_source") if copy_utm else None,
            "utm_medium": utm.get("utm_medium") if copy_utm else None,
            "utm_campaign": utm.get("utm_campaign") if copy_utm else None,
            "consent_ads": consent if rng.random() < 0.8 else None,
            "merged_into_crm_contact_id": None,
        }
        self._emit(person, "crm_contacts", values)
        if rng.random() < 0.05:
            duplicate = dict(values)
            duplicate.update(
                crm_contact_id=str(10_000_000_000 + pk_num * 4 + 1),
                created_at=self._ts(ts + rng.randrange(DAY, 5 * DAY)),
                updated_at=self._ts(ts + 6 * DAY),
                email=None,
                phone=self._phone_text(ident),
                anonymous_id=None,
                submission_id=None,
                lead_source="phone_call",
                merged_into_crm_contact_id=contact_id,
            )
            self._emit(person, "crm_contacts", duplicate)
            person.attrs["has_merged_contact"] = True
        self._stages(person, contact_id, ident, ts)
        return contact_id

    def _stages(self, person: _Person, contact_id: str, ident: dict, ts: int) -> None:
        rng = self.rng
        pk_num = int(person.key[1:])
        deal_id = None
        chain = [("lead", 1.0), ("mql", 0.6), ("sql", 0.6), ("booked", 0.6), ("showed", 0.75)]
        reached = []
        t = ts + rng.randrange(1, 600)
        for stage, p in chain:
            if rng.random() >= p or t >= self.end_ts:
                break
            reached.append((stage, t))
            t += rng.randrange(3600, 4 * DAY)
        if reached and reached[-1][0] == "showed" and t < self.end_ts:
            reached.append(("won" if rng.random() < 0.55 else "lost", t))
        elif len(reached) >= 2 and rng.random() < 0.25 and t < self.end_ts:
            reached.append(("lost", t))
        for n, (stage, t) in enumerate(reached):
            if stage in ("sql", "booked", "showed", "won", "lost"):
                deal_id = f"deal_{pk_num:08d}"
            value = currency = None
            if stage == "won":
                value = round(rng.choice((450.0, 1200.0, 89.5, 2999.99, 650.0)), 2)
                currency = vocab.CURRENCY_BY_COUNTRY[ident["country_code"]]
                if rng.random() < 0.07:
                    currency = None
            values = {
                "change_id": f"chg_{pk_num:08d}_{n}",
                "crm_contact_id": contact_id,
                "deal_id": deal_id,
                "stage": stage,
                "changed_at": self._ts(t),
                "value": value,
                "currency": currency,
            }
            conv = {"record_id": values["change_id"], "kind": "stage_" + stage, "occurred_at": t}
            self._emit(person, "crm_stage_changes", values, conv)

    def _booking(
        self,
        person: _Person,
        ident: dict,
        device: Device,
        ts: int,
        contact_id: str | None,
        consent: bool | None,
        user_id: str | None,
    ) -> int:
        rng = self.rng
        ts += rng.randrange(30, 300)
        self._hit(
            person,
            ts,
            device,
            "booking",
            "Schedule",
            vocab.SITE + "/book",
            None,
            consent,
            user_id,
            {"calendar": "main"},
        )
        booking_id = f"bk_{int(person.key[1:]):08d}"
        anon = device.anonymous_id if rng.random() < 0.7 else None
        email = self._email_text(ident) if rng.random() < 0.6 else None
        phone = self._phone_text(ident) if rng.random() < 0.4 else None
        crm = contact_id if rng.random() < 0.5 else None
        if not (anon or email or phone or crm):
            email = self._email_text(ident)
        if anon and (email or phone or crm):
            person.linked_anons.add(anon)
        starts = ts + rng.randrange(DAY, 10 * DAY)
        states = [("booked", ts, starts)]
        if rng.random() < 0.2:
            starts += rng.randrange(DAY, 4 * DAY)
            states.append(("rescheduled", ts + rng.randrange(3600, DAY), starts))
        final = rng.choices(("showed", "no_show", "canceled", None), (0.55, 0.17, 0.13, 0.15))[0]
        if final == "canceled":
            states.append(("canceled", starts - rng.randrange(600, 20 * 3600), starts))
        elif final is not None:
            states.append((final, starts + rng.randrange(1800, 7200), starts))
        for status, updated, starts_at in states:
            if updated >= self.end_ts:
                break
            values = {
                "booking_id": booking_id,
                "status": status,
                "updated_at": self._ts(updated),
                "starts_at": self._ts(starts_at),
                "crm_contact_id": crm,
                "anonymous_id": anon,
                "email": email,
                "phone": phone,
            }
            conv = {"record_id": booking_id, "kind": "booking_" + status, "occurred_at": updated}
            self._emit(person, "bookings", values, conv)
        person.attrs["has_booking"] = True
        return ts

    def _items(self) -> tuple[list[dict], float]:
        rng = self.rng
        items = []
        for sku, price in rng.sample(vocab.PRODUCTS, rng.randrange(1, 4)):
            items.append({"sku": sku, "quantity": rng.randrange(1, 3), "price": price})
        total = round(sum(i["quantity"] * i["price"] for i in items), 2)
        return items, total

    def _order(
        self,
        person: _Person,
        order_id: str,
        ts: int,
        channel: str,
        ident: dict,
        contact_id: str | None,
        anonymous_id: str | None,
        email: str | None,
        phone: str | None,
        pixel_event_id: str | None,
        items: list[dict],
        total: float,
    ) -> None:
        rng = self.rng
        currency = vocab.CURRENCY_BY_COUNTRY[ident["country_code"]]
        values = {
            "order_id": order_id,
            "ordered_at": self._ts(ts),
            "channel": channel,
            "status": "paid",
            "crm_contact_id": contact_id,
            "anonymous_id": anonymous_id,
            "email": email,
            "phone": phone,
            "value": total,
            "currency": currency,
            "items": items,
            "pixel_event_id": pixel_event_id,
        }
        self._emit(
            person, "orders", values, {"record_id": order_id, "kind": "order", "occurred_at": ts}
        )
        person.attrs["has_order"] = True
        refund_ts = ts + rng.randrange(2 * DAY, 20 * DAY)
        if rng.random() < 0.1 and refund_ts < self.end_ts:
            refund = dict(values)
            refund.update(
                order_id=order_id + "-R",
                ordered_at=self._ts(refund_ts),
                status="refunded",
                value=-total,
                pixel_event_id=None,
            )
            self._emit(
                person,
                "orders",
                refund,
                {"record_id": order_id + "-R", "kind": "refund", "occurred_at": refund_ts},
            )

    def _web_purchase(
        self,
        person: _Person,
        ident: dict,
        consent: bool | None,
        device: Device,
        ts: int,
        user_id: str | None,
    ) -> int:
        rng = self.rng
        items, total = self._items()
        currency = vocab.CURRENCY_BY_COUNTRY[ident["country_code"]]
        props = {"value": total, "currency": currency}
        ts += rng.randrange(20, 200)
        self._hit(
            person,
            ts,
            device,
            "add_to_cart",
            "AddToCart",
            vocab.SITE + "/cart",
            None,
            consent,
            user_id,
            {"sku": items[0]["sku"]},
        )
        ts += rng.randrange(20, 300)
        self._hit(
            person,
            ts,
            device,
            "checkout",
            "InitiateCheckout",
            vocab.SITE + "/checkout",
            None,
            consent,
            user_id,
            props,
        )
        ts += rng.randrange(30, 400)
        event_id = self._hit(
            person,
            ts,
            device,
            "purchase",
            "Purchase",
            vocab.SITE + "/checkout/thank-you",
            None,
            consent,
            user_id,
            props,
        )
        n_orders = sum(
            1 for r in person.conversions if self.chunk.conversions[r]["kind"] == "order"
        )
        order_id = f"ORD-{int(person.key[1:]):08d}-{n_orders}"
        email = self._email_text(ident) if rng.random() < 0.9 else None
        if email:
            person.linked_anons.add(device.anonymous_id)
        self._order(
            person,
            order_id,
            ts,
            "web",
            ident,
            None,
            device.anonymous_id,
            email,
            None,
            event_id,
            items,
            total,
        )
        return ts

    def _offline_order(self, person: _Person, ident: dict, contact_id: str, ts: int) -> None:
        rng = self.rng
        ts = min(ts, self.end_ts - DAY) + rng.randrange(0, DAY // 2)
        channel = rng.choice(("phone", "store", "store", "app"))
        items, total = self._items()
        email = self._email_text(ident) if rng.random() < 0.7 else None
        phone = self._phone_text(ident) if (rng.random() < 0.5 or not email) else None
        crm = contact_id if (channel != "app" and rng.random() < 0.6) else None
        n_orders = sum(
            1 for r in person.conversions if self.chunk.conversions[r]["kind"] == "order"
        )
        order_id = f"ORD-{int(person.key[1:]):08d}-{n_orders}"
        self._order(
            person, order_id, ts, channel, ident, crm, None, email, phone, None, items, total
        )

    def _lead_ads_person(
        self, person: _Person, ident: dict, consent: bool | None, start: int
    ) -> None:
        rng = self.rng
        lead_id = str(rng.randrange(10**14, 10**17))
        person.attrs["meta_lead_id"] = lead_id
        ts = start
        submission_id = None
        if rng.random() < 0.4:
            submission_id = f"sub_{int(person.key[1:]):08d}_lead"
            values = {
                "submission_id": submission_id,
                "submitted_at": self._ts(ts),
                "anonymous_id": None,
                "form_id": f"meta_lead_form_{rng.randrange(1000, 1006)}",
                "step": 1,
                "pixel_event_id": None,
                "email": self._email_text(ident),
                "phone": self._phone_text(ident),
                "first_name": self._name_text(ident["first_name"]),
                "last_name": self._name_text(ident["last_name"]),
                "date_of_birth": None,
                "gender": None,
                "city": ident["city"] if rng.random() < 0.5 else None,
                "state": self._state_text(ident),
                "zip": self._zip_text(ident) if rng.random() < 0.5 else None,
                "country": self._country_text(ident) if rng.random() < 0.5 else None,
                "answers": {"preferred_time": rng.choice(("morning", "evening"))},
                "consent_ads": consent,
                "page_url": None,
                "client_ip": None,
                "user_agent": None,
                "meta_lead_id": lead_id,
            }
            conv = {"record_id": submission_id, "kind": "lead", "occurred_at": ts}
            self._emit(person, "form_submissions", values, conv)
        utm = {"utm_source": "facebook", "utm_medium": "lead_ads", "utm_campaign": "lead_form"}
        self._crm_contact(
            person,
            ident,
            consent,
            ts + rng.randrange(60, 4 * 3600),
            None,
            submission_id,
            lead_id,
            "facebook_lead_ads",
            utm,
        )
        person.attrs.update(has_form=submission_id is not None, has_crm_contact=True)

    # --- ground truth credit -------------------------------------------------------------

    def _credit(self, person: _Person) -> None:
        """Attach Meta credit to each conversion: the latest fbclid click within 90 days."""
        for index in person.conversions:
            conversion = self.chunk.conversions[index]
            t = conversion["occurred_at"]
            best = None
            for click in person.clicks:
                if t - CLICK_WINDOW <= click[0] <= t and (best is None or click[0] >= best[0]):
                    best = click
            conversion["meta_credit"] = best is not None
            conversion["credited_fbclid"] = best[1] if best else None
            conversion["meta_click_linkable"] = bool(best and best[2] in person.linked_anons)
