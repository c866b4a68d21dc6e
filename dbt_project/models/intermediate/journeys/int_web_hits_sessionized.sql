{#- One row per browser hit (event_id) with the session it belongs to. A person's device
    (anonymous_id) starts a new session after var journeys_session_timeout_minutes of
    inactivity, or when a hit arrives with a campaign (utm_* or click id) different from the
    last campaign seen in the running session (also when that session had none so far). -#}

{%- set timeout_minutes = var('journeys_session_timeout_minutes', 30) %}

with

int_web_hits_resolved as (

    -- whole devices: int_web_hits_resolved re-derives every hit of a device it touches
    select * from {{ ref('int_web_hits_resolved') }}
    where {{ incremental_refreshed_since() }}

),

-- the windows below sort and carry only what sessionisation needs; the hit's other columns
-- join back once at the end (windows over the wide rows cost several times more)
hits as (

    select
        event_id,
        person_id,
        anonymous_id,
        occurred_at,
        campaign_key
    from int_web_hits_resolved

),

gaps_measured as (

    select
        *,
        lag(occurred_at) over (
            partition by person_id, anonymous_id
            order by occurred_at, event_id
        ) as previous_occurred_at
    from hits

),

timeouts_marked as (

    select
        *,
        case
            when previous_occurred_at is null then 1
            when
                occurred_at
                > {{ dbt.dateadd('minute', timeout_minutes, 'previous_occurred_at') }}
                then 1
            else 0
        end as is_timeout_start
    from gaps_measured

),

timeout_sessions_numbered as (

    select
        *,
        sum(is_timeout_start) over (
            partition by person_id, anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as timeout_session_number,
        row_number() over (
            partition by person_id, anonymous_id
            order by occurred_at, event_id
        ) as hit_number
    from timeouts_marked

),

-- among the campaign-bearing hits of one inactivity-bounded session, the previous campaign
campaign_hits_compared as (

    select
        event_id,
        campaign_key,
        lag(campaign_key) over (
            partition by person_id, anonymous_id, timeout_session_number
            order by occurred_at, event_id
        ) as previous_campaign_key
    from timeout_sessions_numbered
    where campaign_key is not null

),

campaign_starts_marked as (

    select
        timeout_sessions_numbered.*,
        case
            when timeout_sessions_numbered.is_timeout_start = 1 then 1
            when campaign_hits_compared.event_id is null then 0
            -- a campaign arrives in a session that had none so far
            when campaign_hits_compared.previous_campaign_key is null then 1
            when
                campaign_hits_compared.previous_campaign_key
                <> campaign_hits_compared.campaign_key
                then 1
            else 0
        end as is_session_start
    from timeout_sessions_numbered
    left join campaign_hits_compared
        on timeout_sessions_numbered.event_id = campaign_hits_compared.event_id

),

sessions_numbered as (

    select
        *,
        sum(is_session_start) over (
            partition by person_id, anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as device_session_number
    from campaign_starts_marked

),

session_starts as (

    -- a session is named by its device and first hit: stable while people merge
    select
        person_id,
        anonymous_id,
        device_session_number,
        {{ dbt.hash("concat_ws('|', anonymous_id, event_id)") }} as session_id
    from sessions_numbered
    where is_session_start = 1

),

final as (

    select
        sessions_numbered.event_id,
        session_starts.session_id,
        sessions_numbered.person_id,
        sessions_numbered.anonymous_id,
        sessions_numbered.device_session_number,
        sessions_numbered.is_session_start = 1 as is_session_start,
        sessions_numbered.occurred_at,
        int_web_hits_resolved.event_type,
        int_web_hits_resolved.pixel_event_name,
        int_web_hits_resolved.page_url,
        int_web_hits_resolved.page_host,
        int_web_hits_resolved.page_path,
        int_web_hits_resolved.referrer_url,
        int_web_hits_resolved.external_referrer_host,
        int_web_hits_resolved.utm_source,
        int_web_hits_resolved.utm_medium,
        int_web_hits_resolved.utm_campaign,
        int_web_hits_resolved.utm_content,
        int_web_hits_resolved.utm_term,
        int_web_hits_resolved.fbclid,
        int_web_hits_resolved.gclid,
        int_web_hits_resolved.fbp,
        int_web_hits_resolved.fbc,
        int_web_hits_resolved.client_ip_address,
        int_web_hits_resolved.client_user_agent,
        int_web_hits_resolved.has_ads_consent,
        sessions_numbered.campaign_key,
        {{ incremental_refreshed_at() }} as _refreshed_at
    from sessions_numbered
    inner join session_starts
        on
            sessions_numbered.person_id = session_starts.person_id
            and sessions_numbered.anonymous_id = session_starts.anonymous_id
            and sessions_numbered.device_session_number = session_starts.device_session_number
    inner join int_web_hits_resolved
        on sessions_numbered.event_id = int_web_hits_resolved.event_id

)

select * from final
