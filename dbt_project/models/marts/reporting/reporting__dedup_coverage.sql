-- One row per (event_name, event_date) with website events: the share of candidate website
-- events whose event_id is the browser Pixel's (so Meta can deduplicate the two copies).

with

reporting__events_delivered as (

    select
        event_id,
        event_name,
        event_date
    from {{ ref('reporting__events_delivered') }}
    where action_source = 'website'

),

meta_capi__outcomes_mapped as (

    select
        event_id,
        event_id_source
    from {{ ref('meta_capi__outcomes_mapped') }}
    where is_candidate

),

final as (

    select
        reporting__events_delivered.event_name,
        reporting__events_delivered.event_date,
        count(*) as website_events,
        sum(
            case when meta_capi__outcomes_mapped.event_id_source = 'pixel' then 1 else 0 end
        ) as events_with_pixel_event_id,
        1.0 * sum(
            case when meta_capi__outcomes_mapped.event_id_source = 'pixel' then 1 else 0 end
        ) / count(*) as dedup_coverage
    from reporting__events_delivered
    left join meta_capi__outcomes_mapped
        on reporting__events_delivered.event_id = meta_capi__outcomes_mapped.event_id
    group by
        reporting__events_delivered.event_name,
        reporting__events_delivered.event_date

)

select * from final
