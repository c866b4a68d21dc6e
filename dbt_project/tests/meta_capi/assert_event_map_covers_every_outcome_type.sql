-- The event map decides every outcome the journeys layer can produce: each outcome type of
-- the seed outcome_map, for a Meta Lead Ads lead and for anyone else, and for orders in every
-- channel, has a matching meta_capi_event_map row. Returns the combinations left undecided.
-- In Dagster it is a check of the event map (the seed an analytics engineer edits to fix it).
{{ config(meta={'dagster': {'ref': {'name': 'meta_capi_event_map'}}}) }}

with

outcome_map as (

    select distinct outcome_type
    from {{ ref('outcome_map') }}
    where outcome_type is not null

),

meta_capi_event_map as (

    select
        outcome_type,
        order_channel,
        is_meta_lead
    from {{ ref('meta_capi_event_map') }}

),

lead_kinds as (

    select true as is_meta_lead
    union all
    select false as is_meta_lead

),

order_channels as (

    select 'web' as order_channel
    union all
    select 'phone' as order_channel
    union all
    select 'store' as order_channel
    union all
    select 'app' as order_channel

),

combinations as (

    select
        outcome_map.outcome_type,
        lead_kinds.is_meta_lead,
        case
            when outcome_map.outcome_type in ('purchase', 'refund')
                then order_channels.order_channel
        end as order_channel
    from outcome_map
    cross join lead_kinds
    cross join order_channels

),

final as (

    select distinct
        combinations.outcome_type,
        combinations.is_meta_lead,
        combinations.order_channel
    from combinations
    left join meta_capi_event_map
        on
            combinations.outcome_type = meta_capi_event_map.outcome_type
            and (
                meta_capi_event_map.order_channel is null
                or combinations.order_channel = meta_capi_event_map.order_channel
            )
            and (
                meta_capi_event_map.is_meta_lead is null
                or combinations.is_meta_lead = meta_capi_event_map.is_meta_lead
            )
    where meta_capi_event_map.outcome_type is null

)

select * from final
