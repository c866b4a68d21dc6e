"""The raw contract: every table the landing assets write, its columns and their rules.

This is the single source of truth for `raw.*` (DESIGN.md, "Raw contract"). The generator,
the loader and the tests read it; the dbt sources describe the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Column", "RawTable", "RAW_TABLES", "LINEAGE_COLUMNS"]


@dataclass(frozen=True)
class Column:
    """One raw column.

    kind is one of: text, timestamp, integer, number, boolean, json, json_list.
    """

    name: str
    kind: str = "text"
    required: bool = False
    allowed: tuple[str, ...] = ()

    @property
    def sql_type(self) -> str:
        return {
            "text": "varchar",
            "timestamp": "timestamp",
            "integer": "bigint",
            "number": "double",
            "boolean": "boolean",
            "json": "varchar",
            "json_list": "varchar",
        }[self.kind]


@dataclass(frozen=True)
class RawTable:
    name: str
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _c(name: str, kind: str = "text", required: bool = False, allowed=()) -> Column:
    return Column(name, kind, required, tuple(allowed))


RAW_TABLES: dict[str, RawTable] = {
    table.name: table
    for table in (
        RawTable(
            "web_events",
            "event_id",
            (
                _c("event_id", required=True),
                _c("occurred_at", "timestamp", required=True),
                _c("anonymous_id", required=True),
                _c("user_id"),
                _c(
                    "event_type",
                    required=True,
                    allowed=(
                        "page_view",
                        "form_submit",
                        "add_to_cart",
                        "checkout",
                        "purchase",
                        "booking",
                        "custom",
                    ),
                ),
                _c("pixel_event_name"),
                _c("page_url"),
                _c("referrer_url"),
                _c("fbp"),
                _c("fbc"),
                _c("client_ip"),
                _c("user_agent"),
                _c("consent_ads", "boolean"),
                _c("properties", "json"),
            ),
        ),
        RawTable(
            "form_submissions",
            "submission_id",
            (
                _c("submission_id", required=True),
                _c("submitted_at", "timestamp", required=True),
                _c("anonymous_id"),
                _c("form_id"),
                _c("step", "integer"),
                _c("pixel_event_id"),
                _c("email"),
                _c("phone"),
                _c("first_name"),
                _c("last_name"),
                _c("date_of_birth"),
                _c("gender"),
                _c("city"),
                _c("state"),
                _c("zip"),
                _c("country"),
                _c("answers", "json"),
                _c("consent_ads", "boolean"),
                _c("page_url"),
                _c("client_ip"),
                _c("user_agent"),
                _c("meta_lead_id"),
            ),
        ),
        RawTable(
            "crm_contacts",
            "crm_contact_id",
            (
                _c("crm_contact_id", required=True),
                _c("created_at", "timestamp", required=True),
                _c("updated_at", "timestamp"),
                _c("email"),
                _c("phone"),
                _c("first_name"),
                _c("last_name"),
                _c("city"),
                _c("state"),
                _c("zip"),
                _c("country"),
                _c("anonymous_id"),
                _c("submission_id"),
                _c("meta_lead_id"),
                _c("lead_source"),
                _c("utm_source"),
                _c("utm_medium"),
                _c("utm_campaign"),
                _c("consent_ads", "boolean"),
                _c("merged_into_crm_contact_id"),
            ),
        ),
        RawTable(
            "crm_stage_changes",
            "change_id",
            (
                _c("change_id", required=True),
                _c("crm_contact_id", required=True),
                _c("deal_id"),
                _c("stage", required=True),
                _c("changed_at", "timestamp", required=True),
                _c("value", "number"),
                _c("currency"),
            ),
        ),
        RawTable(
            "bookings",
            "booking_id",
            (
                _c("booking_id", required=True),
                _c(
                    "status",
                    required=True,
                    allowed=("booked", "rescheduled", "canceled", "showed", "no_show"),
                ),
                _c("updated_at", "timestamp", required=True),
                _c("starts_at", "timestamp"),
                _c("crm_contact_id"),
                _c("anonymous_id"),
                _c("email"),
                _c("phone"),
            ),
        ),
        RawTable(
            "orders",
            "order_id",
            (
                _c("order_id", required=True),
                _c("ordered_at", "timestamp", required=True),
                _c("channel", required=True, allowed=("web", "phone", "store", "app")),
                _c("status", allowed=("paid", "refunded")),
                _c("crm_contact_id"),
                _c("anonymous_id"),
                _c("email"),
                _c("phone"),
                _c("value", "number"),
                _c("currency"),
                _c("items", "json_list"),
                _c("pixel_event_id"),
            ),
        ),
    )
}

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "varchar"),
    ("_source_row", "bigint"),
    ("_loaded_at", "timestamp"),
)
