{#- Small generic tests written by hand (dbt hub packages such as dbt_utils cannot be fetched
    here). Each returns the rows that break the rule. -#}

{#- Every non-null value fully matches a regular expression. -#}
{% test meta_capi_matches(model, column_name, pattern) %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and not {{ meta_capi_regex_full_match(column_name, pattern) }}
{% endtest %}

{#- Every non-null value is JSON text of the given kind ('array' or 'object'). -#}
{% test meta_capi_json_of_kind(model, column_name, kind) %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and coalesce({{ meta_capi_json_kind(column_name) }}, 'not json') != '{{ kind }}'
{% endtest %}

{#- A boolean SQL expression holds on every row. -#}
{% test meta_capi_expression_holds(model, expression) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}

{#- No two rows share the same combination of the columns (nulls compare equal). -#}
{% test meta_capi_unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
