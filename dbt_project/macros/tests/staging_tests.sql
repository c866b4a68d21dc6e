{#- Hand-written generic tests (dbt_utils cannot be installed here). -#}

{#- Every non-null value is lowercase SHA-256 hex (64 characters 0-9a-f). -#}
{% test sha256_hex(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
        and not {{ regexp_like(column_name, "^[0-9a-f]{64}$") }}
{% endtest %}

{#- A hashed key and its issue are never both set: a value is either hashed or rejected. -#}
{% test hashed_or_issue(model, column_name, issue_column) %}
    select {{ column_name }}, {{ issue_column }}
    from {{ model }}
    where {{ column_name }} is not null and {{ issue_column }} is not null
{% endtest %}

{#- No two rows share the combination of columns. -#}
{% test unique_combination(model, combination) %}
    select {{ combination | join(', ') }}
    from {{ model }}
    group by {{ combination | join(', ') }}
    having count(*) > 1
{% endtest %}
