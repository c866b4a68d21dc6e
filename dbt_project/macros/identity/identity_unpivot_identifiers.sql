{#-
    One `select ... union all select ...` turning the identifier columns of one staged model
    into rows (source_table, record_id, identifier_type, identifier_value, seen_at).
    `columns` maps a column of `cte` to the identifier type it holds; null and blank values
    are skipped (they identify nobody).
-#}
{% macro identity_unpivot_identifiers(cte, source_table, record_key, seen_at, columns) -%}
    {%- for column, identifier_type in columns.items() %}
    select
        '{{ source_table }}' as source_table,
        {{ cte }}.{{ record_key }} as record_id,
        '{{ identifier_type }}' as identifier_type,
        trim(cast({{ cte }}.{{ column }} as {{ dbt.type_string() }})) as identifier_value,
        {{ cte }}.{{ seen_at }} as seen_at
    from {{ cte }}
    where
        {{ cte }}.{{ column }} is not null
        and trim(cast({{ cte }}.{{ column }} as {{ dbt.type_string() }})) <> ''
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
