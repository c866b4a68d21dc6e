-- One row per (event_name, event_date, delivery_state, state_reason): how many candidate
-- events are in each state. States: sent, dry_run, pending, rejected (reason: the Graph
-- error code, or local_validation), expired, no_consent (suppressed by consent),
-- no_match_keys, invalid (reason from the mart) and awaiting_sync (ready, not yet synced).

with

reporting__events_delivered as (

    select
        event_name,
        event_date,
        delivery_state,
        state_reason
    from {{ ref('reporting__events_delivered') }}

),

final as (

    select
        event_name,
        event_date,
        delivery_state,
        coalesce(state_reason, '') as state_reason,
        count(*) as events
    from reporting__events_delivered
    group by
        event_name,
        event_date,
        delivery_state,
        coalesce(state_reason, '')

)

select * from final
