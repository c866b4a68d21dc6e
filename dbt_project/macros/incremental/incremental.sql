{#- Incremental building blocks (issue 9). An incremental model reads only what changed since
    its last run and rebuilds whole keys (a staged record, a device) with delete+insert; on
    Spark (plain parquet tables, no merge or delete) the same models build as full tables:
    dbt_project.yml chooses the materialisation, so is_incremental() is false there and every
    filter below becomes `1 = 1`. -#}


{#- The landing high-water mark: rows landed at or after the newest `_loaded_at` this model
    already holds (landing time, not event time, so a hit that arrives a day late is still
    new). `>=` re-reads the last landing's rows, which delete+insert on the key makes
    harmless, so a landing that shares a timestamp with the previous run is not lost. -#}
{% macro incremental_landed_since(column='_loaded_at', this_column='_loaded_at') -%}
    {%- if incremental_is_active() -%}
        {{ column }} >= coalesce(
            (select max({{ this_column }}) from {{ this }}),
            {{ incremental_epoch() }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- Rows an upstream incremental model (re)built after this model's last run: upstream
    `_refreshed_at` later than the newest `_refreshed_at` here. -#}
{% macro incremental_refreshed_since(column='_refreshed_at') -%}
    {%- if incremental_is_active() -%}
        {{ column }} > coalesce(
            (select max(_refreshed_at) from {{ this }}),
            {{ incremental_epoch() }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- When a row was (re)derived: the invocation's start, the same for every model of one run.
    Downstream incremental models compare it with their own newest value. -#}
{% macro incremental_refreshed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{#- is_incremental(), and false where dbt has no relation for the model (unit tests, which
    build models from fixtures): the model then reads its input whole. -#}
{% macro incremental_is_active() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}


{% macro incremental_epoch() -%}
    cast('1970-01-01 00:00:00' as timestamp)
{%- endmacro %}
