{#- Spark implementations of the meta_capi macros that ship only a DuckDB default
    (macros/meta_capi/meta_capi_sql.sql). Same inputs, same outputs, Spark SQL. -#}

{#- to_json drops null struct fields unless told otherwise; DuckDB keeps them as null. -#}
{% macro spark__meta_capi_contents_from_items(items_expression) -%}
    nullif(to_json(transform(
        from_json({{ items_expression }}, 'array<struct<sku: string, quantity: bigint, price: double>>'),
        item -> named_struct('id', item.sku, 'quantity', item.quantity, 'item_price', item.price)
    ), map('ignoreNullFields', 'false')), '[]')
{%- endmacro %}

{% macro spark__meta_capi_content_ids_from_items(items_expression) -%}
    nullif(to_json(transform(
        from_json({{ items_expression }}, 'array<struct<sku: string>>'),
        item -> item.sku
    )), '[]')
{%- endmacro %}

{#- Spark has no json_type: it tells 'array' and 'object' apart (what the data tests ask),
    and gives null for scalars and text that does not parse. -#}
{% macro spark__meta_capi_json_kind(expression) -%}
    case
        when json_array_length({{ expression }}) is not null then 'array'
        when json_object_keys({{ expression }}) is not null then 'object'
    end
{%- endmacro %}
