-- One row per (event_name, event_date) with delivered events: seconds from the outcome to the
-- send (sent_at, or the dry run's attempt), as percentiles. Meta asks for under an hour.

with

reporting__events_delivered as (

    select
        event_name,
        event_date,
        freshness_seconds
    from {{ ref('reporting__events_delivered') }}
    where is_delivered and freshness_seconds is not null

),

final as (

    select
        event_name,
        event_date,
        count(*) as delivered_events,
        {{ reporting_percentile('freshness_seconds', 0.5) }} as freshness_p50_seconds,
        {{ reporting_percentile('freshness_seconds', 0.9) }} as freshness_p90_seconds,
        {{ reporting_percentile('freshness_seconds', 0.99) }} as freshness_p99_seconds,
        max(freshness_seconds) as freshness_max_seconds,
        1.0 * sum(case when freshness_seconds <= 3600 then 1 else 0 end) / count(*)
            as share_within_1_hour
    from reporting__events_delivered
    group by
        event_name,
        event_date

)

select * from final
