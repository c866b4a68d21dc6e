{#- ISO 4217 currency: three letters, upper case, else null. -#}
{% macro currency_code(expr) -%}
    case
        when {{ regexp_like("upper(trim(" ~ expr ~ "))", "^[A-Z]{3}$") }} then upper(trim({{ expr }}))
    end
{%- endmacro %}

{#- Total quantity in a JSON list of {sku, quantity, price} items; null when the text is not
    such a list. -#}
{% macro json_items_quantity(expr) -%}
    {{ return(adapter.dispatch('json_items_quantity', 'journey_memory')(expr)) }}
{%- endmacro %}

{% macro default__json_items_quantity(expr) -%}
    case
        when try(json_array_length({{ expr }})) is not null
            then cast(coalesce(
                list_sum(list_transform(
                    json_extract_string({{ expr }}, '$[*].quantity'),
                    lambda quantity: try_cast(quantity as integer)
                )),
                0
            ) as integer)
    end
{%- endmacro %}

{#- A date from 'YYYY-MM-DD' text, or null when it is not a real date (never an error). -#}
{% macro try_cast_date(expr) -%}
    {{ return(adapter.dispatch('try_cast_date', 'journey_memory')(expr)) }}
{%- endmacro %}

{% macro default__try_cast_date(expr) -%}
    try_cast({{ expr }} as date)
{%- endmacro %}

{#- The value of a seed's row whose key column equals `key_expression` (max() when keys
    repeat), or null when none does: a reference lookup inside an expression. -#}
{% macro seed_lookup(seed, key_column, value_column, key_expression) -%}
    {{ return(adapter.dispatch('seed_lookup', 'journey_memory')(seed, key_column, value_column, key_expression)) }}
{%- endmacro %}

{% macro default__seed_lookup(seed, key_column, value_column, key_expression) -%}
    (
        select max(seed_rows.{{ value_column }})
        from {{ seed }} as seed_rows
        where seed_rows.{{ key_column }} = {{ key_expression }}
    )
{%- endmacro %}
