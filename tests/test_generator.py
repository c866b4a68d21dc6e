"""The synthetic funnel generator: determinism, ground truth that matches the files, content."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import phonenumbers
import pyarrow.parquet as pq
import pytest

from data.generator import generate
from data.generator.writers import DEFECT_KINDS
from orchestration.landing.contract import RAW_TABLES

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PEOPLE = 200


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _records(path: Path) -> list[dict | None]:
    """Every record of an inbox file as text values; None for a line that cannot be parsed."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        return [
            dict(zip(header, f, strict=True)) if len(f) == len(header) else None
            for f in reader
            if f
        ]
    out: list[dict | None] = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append(None)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "run"
    generate(PEOPLE, 11, out)
    return out


@pytest.fixture(scope="module")
def truth(run: Path) -> pd.DataFrame:
    return pd.read_parquet(run / "ground_truth" / "rows.parquet")


@pytest.fixture(scope="module")
def records(run: Path) -> dict[str, list[dict | None]]:
    inbox = run / "inbox"
    return {p.relative_to(inbox).as_posix(): _records(p) for p in sorted(inbox.rglob("*.*"))}


@pytest.fixture(scope="module")
def tables(records: dict, truth: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Clean (defect-free or duplicate) records per table, with the true person attached."""
    out = {}
    for table in RAW_TABLES:
        frames = []
        for file, rows in records.items():
            if not file.startswith(table + "/"):
                continue
            frame = pd.DataFrame([r or {} for r in rows])
            frame = frame.mask(frame.eq(""))  # CSV writes null as an empty field
            file_truth = truth[truth.source_file == file].sort_values("source_row")
            frame["person_key"] = file_truth.person_key.to_numpy()
            frame["defect"] = file_truth.defect.to_numpy()
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True)
        out[table] = frame[frame.defect.isna()].reset_index(drop=True)
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate(60, 3, tmp_path / "a")
    generate(60, 3, tmp_path / "b")
    generate(60, 4, tmp_path / "c")
    first, second, other = (_files(tmp_path / n) for n in "abc")
    assert first == second
    assert len(first) == 21
    assert first.keys() == other.keys()
    assert all(first[name] != other[name] for name in first)


def test_committed_sample_equals_a_fresh_generation(tmp_path: Path) -> None:
    generate(300, 7, tmp_path / "fresh")
    assert _files(SAMPLE) == _files(tmp_path / "fresh")


def test_every_table_mixes_formats_with_exact_contract_columns(run: Path) -> None:
    inbox = run / "inbox"
    seen_formats = set()
    for table, spec in RAW_TABLES.items():
        formats = {p.suffix for p in (inbox / table).iterdir()}
        assert len(formats) >= 2, table
        seen_formats |= formats
        for path in (inbox / table).iterdir():
            if path.suffix == ".parquet":
                assert pq.read_schema(path).names == spec.column_names
            elif path.suffix == ".csv":
                assert path.read_text().splitlines()[0].split(",") == spec.column_names
    assert seen_formats == {".csv", ".jsonl", ".parquet"}


def test_ground_truth_covers_every_record_with_its_key(records: dict, truth: pd.DataFrame) -> None:
    assert set(truth.source_file) == set(records)
    for file, rows in records.items():
        file_truth = truth[truth.source_file == file].sort_values("source_row")
        assert file_truth.source_row.tolist() == list(range(1, len(rows) + 1)), file
        key = RAW_TABLES[file.split("/")[0]].key
        for row, expected, defect in zip(
            rows, file_truth.record_id, file_truth.defect, strict=True
        ):
            if defect == "truncated":
                continue
            value = row[key] or None
            assert value == (None if pd.isna(expected) else expected), (file, row)


def test_each_defect_kind_is_present_at_its_column(records: dict, truth: pd.DataFrame) -> None:
    assert set(truth.defect.dropna()) == set(DEFECT_KINDS)
    for defect in truth[truth.defect.notna()].itertuples():
        row = records[defect.source_file][defect.source_row - 1]
        value = None if row is None else row.get(defect.defect_column)
        if defect.defect == "truncated":
            assert row is None
            assert not defect.source_file.endswith(".parquet")
        elif defect.defect == "duplicate":
            assert row == records[defect.source_file][defect.source_row - 2]
        elif defect.defect == "missing_required":
            assert value in (None, "")
            assert next(
                c for c in RAW_TABLES[defect.table].columns if c.name == defect.defect_column
            ).required
        elif defect.defect == "bad_timestamp":
            with pytest.raises(ValueError):
                dt.datetime.fromisoformat(value)
        elif defect.defect == "wrong_type":
            assert value in ("maybe", "two", "12,5O", "USD 49")
        elif defect.defect == "bad_enum":
            column = next(
                c for c in RAW_TABLES[defect.table].columns if c.name == defect.defect_column
            )
            assert value not in column.allowed
        elif defect.defect == "bad_json":
            with pytest.raises(ValueError):
                json.loads(value)


def test_clean_timestamps_parse_with_and_without_offsets(tables: dict) -> None:
    stamps = tables["web_events"].occurred_at
    parsed = [dt.datetime.fromisoformat(s) for s in stamps]
    assert any(p.tzinfo is None for p in parsed)
    assert any(s.endswith("Z") for s in stamps)
    assert any(re.search(r"[+-]\d\d:\d\d$", s) for s in stamps)


def test_meta_clicks_and_cookies(tables: dict) -> None:
    web = tables["web_events"]
    queries = web.page_url.fillna("").map(lambda u: parse_qs(urlsplit(u).query))
    fbclids = queries.map(lambda q: q.get("fbclid", [None])[0]).dropna()
    assert len(fbclids) > 20
    assert all(any(c.isupper() for c in f) and any(c.islower() for c in f) for f in fbclids)
    meta_sources = queries[fbclids.index].map(lambda q: q["utm_source"][0])
    assert set(meta_sources) <= {"facebook", "instagram", "fb", "ig"}
    assert queries.map(lambda q: "gclid" in q).sum() > 5
    known = set(fbclids)
    fbc = web.fbc.dropna()
    assert len(fbc) > 20
    for value in fbc:
        match = re.fullmatch(r"fb\.1\.(\d{13})\.(.+)", value)
        assert match and match.group(2) in known
    assert all(re.fullmatch(r"fb\.1\.\d{13}\.\d{10}", v) for v in web.fbp.dropna())
    assert 0.1 < web.fbp.isna().mean() < 0.5


def test_pixel_event_ids_join_web_events(tables: dict) -> None:
    events = tables["web_events"].set_index("event_id")
    forms = tables["form_submissions"].dropna(subset=["pixel_event_id"])
    web_orders = tables["orders"][tables["orders"].channel == "web"].dropna(
        subset=["pixel_event_id"]
    )
    assert len(forms) > 20 and len(web_orders) > 5
    for frame, event_type in ((forms, "form_submit"), (web_orders, "purchase")):
        matched = frame[frame.pixel_event_id.isin(events.index)]
        assert len(matched) >= 0.95 * len(frame)
        hits = events.loc[matched.pixel_event_id]
        assert set(hits.event_type) == {event_type}
        assert (hits.person_key.to_numpy() == matched.person_key.to_numpy()).all()
        assert hits.pixel_event_name.notna().all()


def test_leads_pii_and_shared_identifiers(tables: dict, run: Path) -> None:
    contacts = tables["crm_contacts"]
    forms = tables["form_submissions"]
    lead_ids = pd.concat([contacts.meta_lead_id, forms.meta_lead_id]).dropna().astype(str)
    assert len(lead_ids) > 5
    assert all(re.fullmatch(r"\d{15,17}", v) for v in lead_ids)
    assert forms.form_id.dropna().str.startswith("meta_lead_form_").any()
    multi = forms.dropna(subset=["anonymous_id"]).groupby("anonymous_id").step.nunique()
    assert (multi >= 2).sum() > 10
    assert contacts.merged_into_crm_contact_id.notna().any()
    persons = pd.read_parquet(run / "ground_truth" / "persons.parquet")
    assert persons.is_california.sum() > 10
    assert persons.consent_ads.eq(False).sum() > 10
    assert (
        (web_denied := tables["web_events"].consent_ads.astype(str).str.lower()).eq("false").any()
    ), web_denied
    states = set(contacts.state.dropna()) | set(forms.state.dropna())
    assert {"CA", "California"} & states and len({s for s in states if "ca" in s.lower()}) >= 2
    phones = pd.concat([forms[["phone", "person_key"]], contacts[["phone", "person_key"]]])
    office = phones[
        phones.phone.fillna("").str.replace(r"\D", "", regex=True).str.endswith("4155550100")
    ]
    assert office.person_key.nunique() >= 3
    emails = pd.concat([forms[["email", "person_key"]], contacts[["email", "person_key"]]])
    test = emails[emails.email.fillna("").str.strip().str.lower() == "test@test.com"]
    assert test.person_key.nunique() >= 2
    assert persons.shared_email_group.notna().sum() >= 2


def test_conversion_credit_matches_the_persons_meta_clicks(tables: dict, run: Path) -> None:
    web = tables["web_events"].copy()
    web["fbclid"] = web.page_url.fillna("").map(
        lambda u: parse_qs(urlsplit(u).query).get("fbclid", [None])[0]
    )
    web["click_at"] = web.occurred_at.map(
        lambda s: pd.Timestamp(dt.datetime.fromisoformat(s.replace("Z", "+00:00")))
    ).map(lambda t: t.tz_convert(None) if t.tzinfo else t)
    clicks = web.dropna(subset=["fbclid"])
    conversions = pd.read_parquet(run / "ground_truth" / "conversions.parquet")
    assert conversions.meta_credit.sum() > 20 and (~conversions.meta_credit).sum() > 20
    assert set(conversions.kind) >= {"lead", "order", "stage_lead", "booking_booked"}
    assert not (conversions.meta_click_linkable & ~conversions.meta_credit).any()
    matched = 0
    for conv in conversions.itertuples():
        mine = clicks[
            (clicks.person_key == conv.person_key)
            & (clicks.click_at <= conv.occurred_at)
            & (clicks.click_at >= conv.occurred_at - pd.Timedelta(days=90))
        ]
        if conv.meta_credit:
            latest = mine.sort_values("click_at").fbclid.iloc[-1] if len(mine) else None
            matched += latest == conv.credited_fbclid
        else:
            assert pd.isna(conv.credited_fbclid)
            assert mine.empty, conv
    # the credited click row itself can be a defect row (rare): allow a few misses
    assert matched >= 0.9 * conversions.meta_credit.sum()


def test_messy_pii_normalises_back_to_the_true_identity(tables: dict, run: Path) -> None:
    # given the true identities and every clean row that carries an email or a phone
    persons = pd.read_parquet(run / "ground_truth" / "persons.parquet").set_index("person_key")
    assert persons.phone_e164.map(
        lambda s: phonenumbers.is_valid_number(phonenumbers.parse(s))
    ).all()
    contact_tables = ("form_submissions", "crm_contacts", "bookings", "orders")
    rows = pd.concat([tables[t][["email", "phone", "person_key"]] for t in contact_tables])
    emails = rows.dropna(subset=["email"])
    phones = rows.dropna(subset=["phone"])
    assert len(emails) > 100 and len(phones) > 100

    # when they are normalised the way Meta documents (trim, lowercase; E.164 by country)
    def e164(text: str, person: str) -> str:
        # the shared office line is a US number, whoever gives it
        office = persons.uses_office_phone[person]
        parsed = phonenumbers.parse(text, "US" if office else persons.country_code[person])
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    # then each one is its person's true email and phone, however messily it was typed
    assert (
        emails.email.str.strip().str.lower()
        == persons.email[emails.person_key].str.lower().to_numpy()
    ).all()
    assert [e164(p, k) for p, k in zip(phones.phone, phones.person_key, strict=True)] == (
        persons.phone_e164[phones.person_key].tolist()
    )
    # and the mess the product must cope with is there
    assert phones.phone.str.startswith("+44 (0)20 ").any()
    assert phones.phone.str.fullmatch(r"\d{3}\.\d{3}\.\d{4}").any()
    assert (emails.email != emails.email.str.strip().str.lower()).mean() > 0.2
    zips = pd.concat([tables[t].zip for t in ("form_submissions", "crm_contacts")]).dropna()
    assert zips.str.fullmatch(r"\d{5}-\d{4}").any()
    names = pd.concat([tables[t].first_name for t in ("form_submissions", "crm_contacts")])
    assert names.dropna().map(lambda n: not n.isascii()).any()


def _utc(stamps: pd.Series) -> pd.Series:
    return pd.to_datetime(stamps, utc=True, format="ISO8601")


def test_people_come_back_over_days_on_several_devices_from_every_channel(tables: dict) -> None:
    web = tables["web_events"].assign(at=lambda f: _utc(f.occurred_at))
    per_person = web.groupby("person_key").agg(
        devices=("anonymous_id", "nunique"), span=("at", lambda t: t.max() - t.min())
    )
    assert (per_person.devices >= 2).mean() > 0.2
    assert (per_person.span >= pd.Timedelta(days=7)).mean() > 0.2
    landings = web[web.event_type == "page_view"]
    queries = landings.page_url.map(lambda u: parse_qs(urlsplit(u).query))
    medium = queries.map(lambda q: q.get("utm_medium", [None])[0])
    has_query = queries.map(bool)
    assert queries.map(lambda q: "fbclid" in q).any() and queries.map(lambda q: "gclid" in q).any()
    assert (medium == "email").any()
    organic = ~has_query & landings.referrer_url.fillna("").str.contains("google|bing")
    direct = ~has_query & landings.referrer_url.isna()
    assert organic.any() and direct.any()
    assert tables["web_events"].event_type.eq("booking").any()


def test_crm_life_deals_offline_orders_and_refunds(tables: dict) -> None:
    contacts = tables["crm_contacts"]
    with_web_id = contacts.anonymous_id.notna() | contacts.submission_id.notna()
    assert with_web_id.any() and (~with_web_id).any()
    stages = tables["crm_stage_changes"].assign(at=lambda f: _utc(f.changed_at))
    assert set(stages.stage) == {"lead", "mql", "sql", "booked", "showed", "won", "lost"}
    won = stages[stages.stage == "won"]
    assert (won.value.astype(float) > 0).all() and won.deal_id.notna().all()
    spread = stages.groupby("crm_contact_id").at.agg(lambda t: t.max() - t.min())
    assert (spread >= pd.Timedelta(days=1)).any()
    orders = tables["orders"]
    assert {"web", "phone", "store"} <= set(orders.channel)
    refunds = orders[orders.status == "refunded"]
    assert len(refunds) > 0 and (refunds.value.astype(float) < 0).all()
    assert set(refunds.order_id.str.removesuffix("-R")) <= set(orders.order_id)
    statuses = set(tables["bookings"].status)
    assert {"booked", "showed", "no_show", "canceled"} <= statuses
