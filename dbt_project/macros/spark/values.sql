{#- Spark implementations of the value macros (macros/portable/values.sql). -#}

{#- json_array_length is null on text that is not a JSON list; a quantity counts when it is
    integer text or an integer, as DuckDB's try_cast(... as integer) counts it. -#}
{% macro spark__json_items_quantity(expr) -%}
    case
        when json_array_length({{ expr }}) is not null
            then cast(coalesce(aggregate(
                from_json({{ expr }}, 'array<struct<quantity: string>>'),
                0,
                (total, item) -> total + case
                    when trim(item.quantity) rlike '^[+-]?[0-9]+$'
                        then cast(trim(item.quantity) as int)
                    else 0
                end
            ), 0) as int)
    end
{%- endmacro %}

{#- Spark's cast also reads '2026-1-5' or a timestamp's date part; DuckDB's try_cast of
    'YYYY-MM-DD' text does not, so the shape is checked first. -#}
{% macro spark__try_cast_date(expr) -%}
    case
        when trim({{ expr }}) rlike '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
            then cast(trim({{ expr }}) as date)
    end
{%- endmacro %}

{#- Spark turns a correlated lookup into a join whose condition holds the key expression, and
    evaluates a nondeterministic part of it there uninitialised (reflect(), which the Unicode
    macros use, fails with "should be initialized before eval"). So the seed is read once, as
    a map, by an uncorrelated subquery, and the key looked up in the row's projection. -#}
{% macro spark__seed_lookup(seed, key_column, value_column, key_expression) -%}
    try_element_at(
        (
            select map_from_entries(collect_list(struct(seed_keys.lookup_key, seed_keys.lookup_value)))
            from (
                select
                    seed_rows.{{ key_column }} as lookup_key,
                    max(seed_rows.{{ value_column }}) as lookup_value
                from {{ seed }} as seed_rows
                where seed_rows.{{ key_column }} is not null
                group by seed_rows.{{ key_column }}
            ) as seed_keys
        ),
        {{ key_expression }}
    )
{%- endmacro %}
