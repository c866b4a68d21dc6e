{#- One row per web session (session_id), per person and device: span, counts, landing
    page, referrer, campaign, click ids and channel. -#}

with

int_sessions_aggregated as (

    select * from {{ ref('int_sessions_aggregated') }}

),

int_touches_classified as (

    select
        session_id,
        channel,
        channel_rule_order,
        source_category
    from {{ ref('int_touches_classified') }}
    where touch_type = 'web_session'

),

final as (

    select
        int_sessions_aggregated.session_id,
        int_sessions_aggregated.person_id,
        int_sessions_aggregated.anonymous_id,
        int_sessions_aggregated.device_session_number,
        int_sessions_aggregated.started_at,
        int_sessions_aggregated.ended_at,
        int_sessions_aggregated.hits,
        int_sessions_aggregated.page_views,
        int_sessions_aggregated.form_submits,
        int_sessions_aggregated.purchases,
        int_sessions_aggregated.landing_event_id,
        int_sessions_aggregated.landing_page_url,
        int_sessions_aggregated.landing_page_host,
        int_sessions_aggregated.landing_page_path,
        int_sessions_aggregated.referrer_url,
        int_sessions_aggregated.referrer_host,
        int_sessions_aggregated.utm_source,
        int_sessions_aggregated.utm_medium,
        int_sessions_aggregated.utm_campaign,
        int_sessions_aggregated.utm_content,
        int_sessions_aggregated.utm_term,
        int_sessions_aggregated.fbclid,
        int_sessions_aggregated.gclid,
        int_sessions_aggregated.fbp,
        int_sessions_aggregated.has_ads_consent_granted,
        int_touches_classified.channel,
        int_touches_classified.channel_rule_order,
        int_touches_classified.source_category
    from int_sessions_aggregated
    left join int_touches_classified
        on int_sessions_aggregated.session_id = int_touches_classified.session_id

)

select * from final
