-- One row per candidate Meta event: where it stands, from the mart (not ready and why) and
-- the send ledger (sent, dry_run, pending, rejected, expired), and how long after the outcome
-- it went out. An event delivered to several pixels takes its best state (sent first).

with

meta_capi__events as (

    select
        event_id,
        event_name,
        event_time,
        action_source,
        send_status,
        status_reason
    from {{ ref('meta_capi__events') }}

),

meta_capi_deliveries as (

    select
        pixel_id,
        event_id,
        status,
        error_code,
        sent_at,
        last_attempt_at
    from {{ source('sync', 'meta_capi_deliveries') }}

),

deliveries_ranked as (

    select
        event_id,
        status as delivery_status,
        error_code,
        case
            when status = 'sent' then sent_at
            when status = 'dry_run' then last_attempt_at
        end as sent_at,
        row_number() over (
            partition by event_id
            order by
                case status
                    when 'sent' then 0
                    when 'dry_run' then 1
                    when 'pending' then 2
                    when 'rejected' then 3
                    else 4
                end,
                pixel_id
        ) as delivery_rank
    from meta_capi_deliveries

),

events_with_delivery as (

    select
        meta_capi__events.event_id,
        meta_capi__events.event_name,
        meta_capi__events.action_source,
        meta_capi__events.send_status,
        deliveries_ranked.delivery_status,
        deliveries_ranked.sent_at,
        {{ dbt.dateadd('second', 'meta_capi__events.event_time',
            "cast('1970-01-01 00:00:00' as timestamp)") }} as event_at,
        -- the state a reader of the report cares about: the ledger's when the sink saw the
        -- event, else the mart's (a ready event the sink has not reached yet is awaiting_sync)
        coalesce(
            deliveries_ranked.delivery_status,
            case
                when meta_capi__events.send_status = 'ready' then 'awaiting_sync'
                else meta_capi__events.send_status
            end
        ) as delivery_state,
        case
            when deliveries_ranked.delivery_status = 'rejected'
                then 'graph_error_' || coalesce(
                    cast(deliveries_ranked.error_code as {{ dbt.type_string() }}),
                    'local_validation'
                )
            when deliveries_ranked.delivery_status is null
                then meta_capi__events.status_reason
        end as state_reason
    from meta_capi__events
    left join deliveries_ranked
        on
            meta_capi__events.event_id = deliveries_ranked.event_id
            and deliveries_ranked.delivery_rank = 1

),

final as (

    select
        event_id,
        event_name,
        action_source,
        send_status,
        delivery_status,
        delivery_state,
        state_reason,
        event_at,
        cast(event_at as date) as event_date,
        sent_at,
        delivery_state in ('sent', 'dry_run') as is_delivered,
        case
            when sent_at is not null
                then {{ dbt.datediff('event_at', 'sent_at', 'second') }}
        end as freshness_seconds
    from events_with_delivery

)

select * from final
