{#- One row per session (session_id): its span and counts, and the landing hit's page,
    referrer and campaign. -#}

with

int_web_hits_sessionized as (

    -- whole devices, as int_web_hits_sessionized re-derives them
    select * from {{ ref('int_web_hits_sessionized') }}
    where {{ incremental_refreshed_since() }}

),

landing_hits as (

    select
        session_id,
        person_id,
        anonymous_id,
        device_session_number,
        event_id as landing_event_id,
        page_url as landing_page_url,
        page_host as landing_page_host,
        page_path as landing_page_path,
        referrer_url,
        external_referrer_host as referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        fbclid,
        gclid
    from int_web_hits_sessionized
    where is_session_start

),

session_spans as (

    select
        session_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as hits,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_views,
        sum(case when event_type = 'form_submit' then 1 else 0 end) as form_submits,
        sum(case when event_type = 'purchase' then 1 else 0 end) as purchases,
        max(fbp) as fbp,
        max(case when has_ads_consent then 1 else 0 end) = 1 as has_ads_consent_granted
    from int_web_hits_sessionized
    group by session_id

),

final as (

    select
        landing_hits.session_id,
        landing_hits.person_id,
        landing_hits.anonymous_id,
        landing_hits.device_session_number,
        session_spans.started_at,
        session_spans.ended_at,
        session_spans.hits,
        session_spans.page_views,
        session_spans.form_submits,
        session_spans.purchases,
        landing_hits.landing_event_id,
        landing_hits.landing_page_url,
        landing_hits.landing_page_host,
        landing_hits.landing_page_path,
        landing_hits.referrer_url,
        landing_hits.referrer_host,
        landing_hits.utm_source,
        landing_hits.utm_medium,
        landing_hits.utm_campaign,
        landing_hits.utm_content,
        landing_hits.utm_term,
        landing_hits.fbclid,
        landing_hits.gclid,
        session_spans.fbp,
        session_spans.has_ads_consent_granted,
        {{ incremental_refreshed_at() }} as _refreshed_at
    from landing_hits
    inner join session_spans
        on landing_hits.session_id = session_spans.session_id

)

select * from final
