{#- Engine-specific SQL used by the meta_capi models. Each macro dispatches on the adapter so
    the models stay portable; the default implementation is DuckDB's. -#}

{#- Lowercase SHA-256 hex of a text expression. -#}
{% macro meta_capi_sha256(expression) -%}
    {{ return(adapter.dispatch('meta_capi_sha256', 'journey_memory')(expression)) }}
{%- endmacro %}

{% macro default__meta_capi_sha256(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__meta_capi_sha256(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro trino__meta_capi_sha256(expression) -%}
    lower(to_hex(sha256(to_utf8({{ expression }}))))
{%- endmacro %}


{#- The moment eligibility windows are measured against, as a UTC timestamp without time
    zone: the `meta_as_of` var when set (tests and backfills pin it), else now. -#}
{% macro meta_capi_as_of() -%}
    {%- set pinned = var('meta_as_of', '') -%}
    {%- if pinned -%}
        cast('{{ pinned | replace("'", "") }}' as timestamp)
    {%- else -%}
        {{ return(adapter.dispatch('meta_capi_now_utc', 'journey_memory')()) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__meta_capi_now_utc() -%}
    cast(timezone('UTC', current_timestamp) as timestamp)
{%- endmacro %}

{% macro spark__meta_capi_now_utc() -%}
    to_utc_timestamp(current_timestamp(), current_timezone())
{%- endmacro %}


{#- Unix seconds of a UTC timestamp. -#}
{% macro meta_capi_unix_seconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('meta_capi_unix_seconds', 'journey_memory')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__meta_capi_unix_seconds(timestamp_expression) -%}
    cast(floor(epoch({{ timestamp_expression }})) as bigint)
{%- endmacro %}

{% macro spark__meta_capi_unix_seconds(timestamp_expression) -%}
    unix_timestamp({{ timestamp_expression }})
{%- endmacro %}

{% macro trino__meta_capi_unix_seconds(timestamp_expression) -%}
    cast(floor(to_unixtime({{ timestamp_expression }})) as bigint)
{%- endmacro %}


{#- One text value of a JSON object, by top-level key (the key may be a column); null when
    the text is not valid JSON. -#}
{% macro meta_capi_json_text(json_expression, key_expression) -%}
    {{ return(adapter.dispatch('meta_capi_json_text', 'journey_memory')(json_expression, key_expression)) }}
{%- endmacro %}

{% macro default__meta_capi_json_text(json_expression, key_expression) -%}
    case
        when json_valid({{ json_expression }})
            then json_extract_string({{ json_expression }}, '$.' || {{ key_expression }})
    end
{%- endmacro %}

{% macro spark__meta_capi_json_text(json_expression, key_expression) -%}
    get_json_object({{ json_expression }}, concat('$.', {{ key_expression }}))
{%- endmacro %}


{#- Aggregate (key, text value) pairs into the text of one JSON object, keys sorted. -#}
{% macro meta_capi_json_object_agg(key_expression, value_expression) -%}
    {{ return(adapter.dispatch('meta_capi_json_object_agg', 'journey_memory')(key_expression, value_expression)) }}
{%- endmacro %}

{% macro default__meta_capi_json_object_agg(key_expression, value_expression) -%}
    cast(to_json(map(
        list({{ key_expression }} order by {{ key_expression }}),
        list({{ value_expression }} order by {{ key_expression }})
    )) as varchar)
{%- endmacro %}

{% macro spark__meta_capi_json_object_agg(key_expression, value_expression) -%}
    to_json(map_from_entries(array_sort(collect_list(struct({{ key_expression }}, {{ value_expression }})))))
{%- endmacro %}


{#- Meta `contents` (JSON text list of {id, quantity, item_price}) from the staged order
    items (JSON text list of {sku, quantity, price}); null when there are none. -#}
{% macro meta_capi_contents_from_items(items_expression) -%}
    {{ return(adapter.dispatch('meta_capi_contents_from_items', 'journey_memory')(items_expression)) }}
{%- endmacro %}

{% macro default__meta_capi_contents_from_items(items_expression) -%}
    nullif(cast(to_json(list_transform(
        from_json({{ items_expression }}, '[{"sku": "VARCHAR", "quantity": "BIGINT", "price": "DOUBLE"}]'),
        lambda item: {'id': item.sku, 'quantity': item.quantity, 'item_price': item.price}
    )) as varchar), '[]')
{%- endmacro %}


{#- Meta `content_ids` (JSON text list of the skus) from the staged order items. -#}
{% macro meta_capi_content_ids_from_items(items_expression) -%}
    {{ return(adapter.dispatch('meta_capi_content_ids_from_items', 'journey_memory')(items_expression)) }}
{%- endmacro %}

{% macro default__meta_capi_content_ids_from_items(items_expression) -%}
    nullif(cast(to_json(list_transform(
        from_json({{ items_expression }}, '[{"sku": "VARCHAR"}]'),
        lambda item: item.sku
    )) as varchar), '[]')
{%- endmacro %}


{#- True when the whole text matches a regular expression (used by data tests). -#}
{% macro meta_capi_regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('meta_capi_regex_full_match', 'journey_memory')(expression, pattern)) }}
{%- endmacro %}

{% macro default__meta_capi_regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__meta_capi_regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}


{#- The JSON type of a text ('array', 'object', ...), null when it does not parse. -#}
{% macro meta_capi_json_kind(expression) -%}
    {{ return(adapter.dispatch('meta_capi_json_kind', 'journey_memory')(expression)) }}
{%- endmacro %}

{% macro default__meta_capi_json_kind(expression) -%}
    case when json_valid({{ expression }}) then lower(json_type({{ expression }})) end
{%- endmacro %}
