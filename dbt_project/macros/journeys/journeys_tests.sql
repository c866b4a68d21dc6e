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

{% test journeys_every_status_mapped(model, map_model) %}
    {#- Statuses the seed outcome_map does not list: neither an outcome nor deliberately
        ignored. Used with severity warn: a new CRM stage name shows up here. -#}
    select
        {{ model }}.source_system,
        {{ model }}.source_status,
        count(*) as records
    from {{ model }}
    left join {{ map_model }}
        on
            {{ model }}.source_system = {{ map_model }}.source_system
            and {{ model }}.source_status = {{ map_model }}.source_status
    where {{ map_model }}.source_status is null
    group by {{ model }}.source_system, {{ model }}.source_status
{% endtest %}
