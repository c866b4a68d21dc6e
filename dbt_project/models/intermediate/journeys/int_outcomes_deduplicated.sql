{#- One row per business outcome (outcome_id). Records are mapped to outcome types by the
    seed outcome_map; statuses mapped to nothing are not outcomes.

    Late and corrected rows: within one scope (a form step; a CRM contact after merges plus
    its deal; a booking; an order) an outcome type happens once. The record that landed
    first (_loaded_at, then occurred_at, then source_record_id) is the outcome and gives its
    outcome_id and occurred_at; records landing later for the same scope and type (a stage
    re-entered, a deal reopened and won again, a backfill dated earlier) never make a new
    outcome and are counted in superseded_records. So an outcome already sent keeps its id.

    Values: the first record's value, else the first later value of the same scope and type.
    A value without a currency takes the currency of the same scope (another stage of the
    deal), then var journeys_default_currency; still none, the value is withheld (null) and
    value_issue says currency_missing, so no value is sent in an unknown currency. -#}

{%- set default_currency = var('journeys_default_currency', '') %}

with

int_outcomes_unioned as (

    select * from {{ ref('int_outcomes_unioned') }}

),

outcome_map as (

    select
        source_system,
        source_status,
        outcome_type,
        nullif(funnel_rank, 0) as funnel_rank
    from {{ ref('outcome_map') }}
    where outcome_type is not null and outcome_type <> ''

),

mapped as (

    select
        int_outcomes_unioned.*,
        outcome_map.outcome_type,
        outcome_map.funnel_rank,
        row_number() over (
            partition by int_outcomes_unioned.dedup_scope, outcome_map.outcome_type
            order by
                int_outcomes_unioned._loaded_at,
                int_outcomes_unioned.occurred_at,
                int_outcomes_unioned.source_record_id
        ) as record_rank,
        count(*) over (
            partition by int_outcomes_unioned.dedup_scope, outcome_map.outcome_type
        ) as records_of_outcome
    from int_outcomes_unioned
    inner join outcome_map
        on
            int_outcomes_unioned.source_system = outcome_map.source_system
            and int_outcomes_unioned.source_status = outcome_map.source_status

),

later_values as (

    select
        dedup_scope,
        outcome_type,
        value,
        currency,
        row_number() over (
            partition by dedup_scope, outcome_type
            order by _loaded_at, occurred_at, source_record_id
        ) as value_rank
    from mapped
    where value is not null

),

scope_currencies as (

    select
        dedup_scope,
        max(currency) as currency
    from int_outcomes_unioned
    where currency is not null
    group by dedup_scope

),

first_records as (

    select
        mapped.*,
        coalesce(mapped.value, later_values.value) as chosen_value,
        coalesce(
            case when mapped.value is not null then mapped.currency end,
            later_values.currency,
            mapped.currency,
            scope_currencies.currency
            {%- if default_currency %},
            '{{ default_currency }}'
            {%- endif %}
        ) as chosen_currency
    from mapped
    left join later_values
        on
            mapped.dedup_scope = later_values.dedup_scope
            and mapped.outcome_type = later_values.outcome_type
            and later_values.value_rank = 1
    left join scope_currencies
        on mapped.dedup_scope = scope_currencies.dedup_scope
    where mapped.record_rank = 1

),

final as (

    select
        {{ dbt.hash("concat_ws(':', source_system, source_record_id)") }} as outcome_id,
        outcome_type,
        source_system,
        source_record_id,
        source_status,
        occurred_at,
        crm_contact_id,
        deal_id,
        booking_id,
        order_id,
        order_channel,
        case when chosen_currency is not null then chosen_value end as value,
        case when chosen_value is not null then chosen_currency end as currency,
        case
            when chosen_value is not null and chosen_currency is null then 'currency_missing'
        end as value_issue,
        items,
        num_items,
        pixel_event_id,
        record_meta_lead_id,
        record_page_url,
        record_client_ip_address,
        record_client_user_agent,
        funnel_rank,
        dedup_scope,
        records_of_outcome - 1 as superseded_records
    from first_records

)

select * from final
