{#-
    One `select ... union all select ...` turning the identifier columns of one staged model
    into rows (source_table, record_id, identifier_type, identifier_value, seen_at,
    _loaded_at). `columns` maps a column of `cte` to the identifier type it holds; null and
    blank values are skipped (they identify nobody). `cte` must carry `_loaded_at`.
-#}
{% macro identity_unpivot_identifiers(cte, source_table, record_key, seen_at, columns) -%}
    {%- for column, identifier_type in columns.items() %}
    select
        '{{ source_table }}' as source_table,
        cast({{ cte }}.{{ record_key }} as {{ dbt.type_string() }}) as record_id,
        '{{ identifier_type }}' as identifier_type,
        trim(cast({{ cte }}.{{ column }} as {{ dbt.type_string() }})) as identifier_value,
        {{ cte }}.{{ seen_at }} as seen_at,
        {{ cte }}._loaded_at
    from {{ cte }}
    where
        {{ cte }}.{{ column }} is not null
        and trim(cast({{ cte }}.{{ column }} as {{ dbt.type_string() }})) <> ''
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#-
    In an incremental run, the filter keeping the staged rows landed after the newest row
    already in the model (`_loaded_at`, the landing time every staged row carries); nothing in
    a full build. Assumes landing and dbt runs take turns (one writer at a time, as the
    orchestration enforces): a row landed during a run with an older `_loaded_at` than the
    run's newest would be skipped.
-#}
{% macro identity_landed_since_last_run() -%}
    {%- if is_incremental() -%}
        {#- an empty model (built before anything was landed) reads everything -#}
        where _loaded_at > coalesce(
            (select max(_loaded_at) from {{ this }}),
            cast('1900-01-01' as {{ dbt.type_timestamp() }})
        )
    {%- endif -%}
{%- endmacro %}
