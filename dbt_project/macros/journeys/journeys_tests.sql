{#- Small generic tests written by hand: dbt hub packages (dbt_utils) cannot be fetched here. -#}

{% test journeys_unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as rows_with_this_key
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test journeys_not_after(model, column_name, later_column) %}
    {#- column_name must not be later than later_column (both nullable). -#}
    select *
    from {{ model }}
    where {{ column_name }} > {{ later_column }}
{% endtest %}
