{#- The send ledger's empty tables on Spark (macros/reporting/reporting_ledger.sql). Spark runs
    one statement per call, so each goes through run_query and the hook itself is empty.
    Same columns and types as the sink's DDL; plain Parquet tables have no primary key,
    not null or default (the sink that writes the ledger enforces them). -#}
{% macro spark__reporting_ensure_send_ledger() -%}
    {%- if execute -%}
        {%- do run_query("create database if not exists sync") -%}
        {%- do run_query("
            create table if not exists sync.meta_capi_deliveries (
                pixel_id string,
                event_id string,
                event_name string,
                payload_hash string,
                status string,
                attempts int,
                resend_count int,
                first_attempt_at timestamp,
                last_attempt_at timestamp,
                sent_at timestamp,
                fbtrace_id string,
                error_code int,
                error_message string,
                updated_at timestamp,
                attempt_batch bigint
            ) using parquet") -%}
        {%- do run_query("
            create table if not exists sync.meta_capi_requests (
                request_id string,
                run_id string,
                pixel_id string,
                purpose string,
                batch_size int,
                status_code int,
                events_received int,
                fbtrace_id string,
                error string,
                duration_ms double,
                started_at timestamp
            ) using parquet") -%}
    {%- endif -%}
{%- endmacro %}
