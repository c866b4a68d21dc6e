-- One row per (event_name, event_date, key_group): the share of delivered events (sent, or
-- dry_run in a dry run) carrying a key of the group, the same share for a pixel mirror (keys
-- on the converting record alone), and the uplift journey memory adds.

with

reporting__event_match_keys as (

    select
        event_name,
        event_date,
        key_group,
        has_key,
        has_key_in_pixel_mirror
    from {{ ref('reporting__event_match_keys') }}

),

counted as (

    select
        event_name,
        event_date,
        key_group,
        count(*) as delivered_events,
        sum(case when has_key then 1 else 0 end) as events_with_key,
        sum(case when has_key_in_pixel_mirror then 1 else 0 end) as pixel_mirror_events_with_key
    from reporting__event_match_keys
    group by
        event_name,
        event_date,
        key_group

),

final as (

    select
        event_name,
        event_date,
        key_group,
        delivered_events,
        events_with_key,
        pixel_mirror_events_with_key,
        1.0 * events_with_key / delivered_events as key_share,
        1.0 * pixel_mirror_events_with_key / delivered_events as pixel_mirror_key_share,
        -- percentage points journey memory adds, and the relative gain (null when the pixel
        -- mirror had none of the key: an infinite ratio says nothing useful)
        100.0 * (events_with_key - pixel_mirror_events_with_key) / delivered_events
            as uplift_points,
        case
            when pixel_mirror_events_with_key > 0
                then 1.0 * events_with_key / pixel_mirror_events_with_key - 1.0
        end as uplift_ratio
    from counted

)

select * from final
