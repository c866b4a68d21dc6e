-- One row per (delivered event, report key group): whether the event carried a key of the
-- group as sent (journey memory included) and whether a pixel mirror would have carried it
-- (keys on the converting record alone). Every delivered event has a row for every group.

with

reporting__events_delivered as (

    select
        event_id,
        event_name,
        event_date
    from {{ ref('reporting__events_delivered') }}
    where is_delivered

),

meta_capi__event_user_data as (

    select
        event_id,
        key_name,
        key_source
    from {{ ref('meta_capi__event_user_data') }}

),

reporting_match_key_weights as (

    select
        key_name,
        key_group
    from {{ ref('reporting_match_key_weights') }}

),

key_groups as (

    select distinct key_group
    from reporting_match_key_weights

),

keys_carried as (

    select
        meta_capi__event_user_data.event_id,
        reporting_match_key_weights.key_group,
        max(
            case when meta_capi__event_user_data.key_source = 'converting_record' then 1 else 0 end
        ) as is_on_converting_record
    from meta_capi__event_user_data
    inner join reporting_match_key_weights
        on meta_capi__event_user_data.key_name = reporting_match_key_weights.key_name
    group by
        meta_capi__event_user_data.event_id,
        reporting_match_key_weights.key_group

),

final as (

    select
        reporting__events_delivered.event_id,
        reporting__events_delivered.event_name,
        reporting__events_delivered.event_date,
        key_groups.key_group,
        keys_carried.event_id is not null as has_key,
        coalesce(keys_carried.is_on_converting_record = 1, false) as has_key_in_pixel_mirror
    from reporting__events_delivered
    cross join key_groups
    left join keys_carried
        on
            reporting__events_delivered.event_id = keys_carried.event_id
            and key_groups.key_group = keys_carried.key_group

)

select * from final
