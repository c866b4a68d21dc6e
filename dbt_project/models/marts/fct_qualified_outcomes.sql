{#- One row per business outcome (outcome_id) with the journey as of occurred_at. The rules
    (mapping, late rows, merges, skipped stages, currencies, as-of click memory) live in
    intermediate/journeys; see _marts__journeys.yml. -#}

with

int_outcomes_journey_context as (

    select * from {{ ref('int_outcomes_journey_context') }}

),

final as (

    select * from int_outcomes_journey_context

)

select * from final
