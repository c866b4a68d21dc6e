{#- The send ledger (schema sync) is written by Python (sinks/meta_capi/ledger.py), after the
    marts build. The reporting models read it as a source, so on a fresh warehouse, before any
    sync ran, it must already exist: this on-run-start hook creates the schema and empty
    tables with the sink's own DDL (Ledger._SCHEMA_SQL; `create ... if not exists`, so an
    existing ledger is never touched). tests/quality/test_reporting_ledger_ddl.py fails when
    the two drift apart. -#}
{% macro reporting_ensure_send_ledger() -%}
    {{ return(adapter.dispatch('reporting_ensure_send_ledger')()) }}
{%- endmacro %}

{% macro default__reporting_ensure_send_ledger() -%}
create schema if not exists sync;
create table if not exists sync.meta_capi_deliveries (
    pixel_id varchar not null,
    event_id varchar not null,
    event_name varchar,
    payload_hash varchar,
    status varchar not null,
    attempts integer not null default 0,
    resend_count integer not null default 0,
    first_attempt_at timestamp,
    last_attempt_at timestamp,
    sent_at timestamp,
    fbtrace_id varchar,
    error_code integer,
    error_message varchar,
    updated_at timestamp,
    attempt_batch bigint,
    primary key (pixel_id, event_id)
);
create table if not exists sync.meta_capi_requests (
    request_id varchar not null,
    run_id varchar,
    pixel_id varchar not null,
    purpose varchar,
    batch_size integer not null,
    status_code integer,
    events_received integer,
    fbtrace_id varchar,
    error varchar,
    duration_ms double,
    started_at timestamp
);
{%- endmacro %}

{#- Continuous percentile of `expr` as an aggregate (p between 0 and 1). DuckDB, Postgres and
    Spark 3.3+ take the SQL standard form; Trino only has the approximate one. -#}
{% macro reporting_percentile(expr, p) -%}
    {{ return(adapter.dispatch('reporting_percentile')(expr, p)) }}
{%- endmacro %}

{% macro default__reporting_percentile(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro trino__reporting_percentile(expr, p) -%}
    approx_percentile({{ expr }}, {{ p }})
{%- endmacro %}
