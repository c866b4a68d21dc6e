{#- Epoch milliseconds <-> timestamps. Engine-specific, so dispatched (Spark and Trino
    spell these differently); models call only journeys_* names. -#}

{% macro journeys_epoch_ms(timestamp_expression) -%}
    {{ return(adapter.dispatch('journeys_epoch_ms', 'journey_memory')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__journeys_epoch_ms(timestamp_expression) -%}
    cast(to_unixtime({{ timestamp_expression }}) * 1000 as bigint)
{%- endmacro %}

{% macro duckdb__journeys_epoch_ms(timestamp_expression) -%}
    epoch_ms(cast({{ timestamp_expression }} as timestamp))
{%- endmacro %}

{% macro spark__journeys_epoch_ms(timestamp_expression) -%}
    unix_millis({{ timestamp_expression }})
{%- endmacro %}


{% macro journeys_timestamp_from_epoch_ms(ms_expression) -%}
    {{ return(adapter.dispatch('journeys_timestamp_from_epoch_ms', 'journey_memory')(ms_expression)) }}
{%- endmacro %}

{% macro default__journeys_timestamp_from_epoch_ms(ms_expression) -%}
    from_unixtime({{ ms_expression }} / 1000.0)
{%- endmacro %}

{% macro duckdb__journeys_timestamp_from_epoch_ms(ms_expression) -%}
    make_timestamp(cast({{ ms_expression }} as bigint) * 1000)
{%- endmacro %}

{% macro spark__journeys_timestamp_from_epoch_ms(ms_expression) -%}
    timestamp_millis({{ ms_expression }})
{%- endmacro %}


{#- Naive CRM timestamps written in local time: var crm_source_timezone names the zone
    (an IANA name). Empty or "UTC" leaves the value alone. -#}
{% macro journeys_crm_local_to_utc(timestamp_expression) -%}
    {%- set zone = var('crm_source_timezone', '') -%}
    {%- if zone in ('', 'UTC', 'utc', none) -%}
        {{ timestamp_expression }}
    {%- else -%}
        {{ return(adapter.dispatch('journeys_crm_local_to_utc', 'journey_memory')(timestamp_expression, zone)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__journeys_crm_local_to_utc(timestamp_expression, zone) -%}
    cast(with_timezone({{ timestamp_expression }}, '{{ zone }}') at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro duckdb__journeys_crm_local_to_utc(timestamp_expression, zone) -%}
    cast(timezone('UTC', timezone('{{ zone }}', cast({{ timestamp_expression }} as timestamp))) as timestamp)
{%- endmacro %}

{% macro spark__journeys_crm_local_to_utc(timestamp_expression, zone) -%}
    to_utc_timestamp({{ timestamp_expression }}, '{{ zone }}')
{%- endmacro %}
