"""Deterministic synthetic funnel generator with ground truth.

Usage::

    uv run python -m data.generator --people 300 --seed 7 --out data/sample
    uv run python -m data.generator --people 1000000 --seed 1 --out /tmp/gen1m --workers 2

`--end` (default 2026-11-30) is the first day with no activity; people start 12 to 60 days
before it. The same arguments always write byte-identical files (`--workers` does not change
the output). `data/sample` is exactly `--people 300 --seed 7`; regenerate it with the first
command above (into an empty folder) whenever the generator changes.

Output below `--out`:

- `inbox/<table>/part-NNNNN.{csv,jsonl,parquet}`: the six raw tables of
  `orchestration.landing.contract.RAW_TABLES`, exactly their columns. People are simulated in
  chunks of 10,000; each chunk writes 3 parts per table, and the format rotates per part and
  table so every table mixes formats.
- `ground_truth/rows.parquet`: one row per record of every inbox file: table, source_file
  (relative to the inbox), source_row (1-based record number, CSV header excluded), record_id
  (the table key; null when the defect removed it), person_key, defect (null or one of
  bad_timestamp, missing_required, wrong_type, bad_enum, bad_json, truncated, duplicate),
  defect_column (null for none, truncated and duplicate). A duplicate is a byte-identical copy
  of the clean record just before it.
- `ground_truth/persons.parquet`: one row per person with descriptive attributes (channel,
  devices, sessions, is_california, consent_ads, has_meta_click, test email / office phone /
  shared family email markers, the true email and E.164 phone, ...).
- `ground_truth/conversions.parquet`: one row per conversion record: table, record_id, kind
  (lead, stage_<stage>, booking_<status>, order, refund), occurred_at (UTC), person_key,
  meta_credit, credited_fbclid, meta_click_linkable, defect (the defect of the record's row,
  if any: such a record is rejected at landing).

Semantics:

- Refunds: the paid order keeps its row (status paid); a refund is an extra row with
  order_id `<order_id>-R`, status refunded, a negative value, the refund time as ordered_at
  and no pixel_event_id.
- Bookings: booking_id identifies the appointment; each state (booked, rescheduled,
  canceled, showed, no_show) is its own row with the same booking_id and a later updated_at,
  so booking_id is not unique in the files (it is unique per (booking_id, updated_at)).
- Credit: meta_credit is true when the person (over all their devices) has a landing hit
  with fbclid in the 90 days up to the conversion; credited_fbclid is the latest one.
- Linkable: meta_click_linkable is true when credited and the clicking device's anonymous_id
  co-occurs anywhere in the files with the person's identity: a form step with email or
  phone, a web_events row with user_id, a CRM contact carrying that anonymous_id or a
  submission_id of that device, a booking or web order carrying it with email, phone or CRM
  id. Defects are ignored by this rule.
"""

from data.generator.core import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
