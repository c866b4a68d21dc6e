{#- One row per browser hit (event_id): the hit with its person and what sessionisation and
    click-id memory need from it. -#}

with

stg_web__events as (

    select
        event_id,
        occurred_at,
        anonymous_id,
        event_type,
        pixel_event_name,
        page_url,
        page_host,
        page_path,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        fbclid,
        gclid,
        fbp,
        fbc,
        client_ip_address,
        client_user_agent,
        has_ads_consent,
        _loaded_at
    from {{ ref('stg_web__events') }}

),

int_record_persons as (

    select
        record_id,
        person_id,
        person_assigned_at
    from {{ ref('int_record_persons') }}
    where source_table = 'web_events'

),

{% if incremental_is_active() %}
-- the devices to re-derive whole: those with newly landed hits (and the device a re-landed
-- hit had before), and those with a hit identity gave another person since this model's last
-- run (int_record_persons stamps such records with person_assigned_at: a form may stitch an
-- old cookie to a person in any run)
previous_hits as (

    select
        event_id,
        anonymous_id
    from {{ this }}

),

new_hits as (

    select
        event_id,
        anonymous_id
    from stg_web__events
    where {{ incremental_landed_since() }}

),

devices_with_moved_hits as (

    select stg_web__events.anonymous_id
    from int_record_persons
    inner join stg_web__events
        on int_record_persons.record_id = stg_web__events.event_id
    where {{ incremental_refreshed_since('int_record_persons.person_assigned_at') }}

),

affected_devices as (

    select anonymous_id from new_hits
    union
    select previous_hits.anonymous_id
    from previous_hits
    inner join new_hits
        on previous_hits.event_id = new_hits.event_id
    union
    select anonymous_id from devices_with_moved_hits

),

{% endif %}
resolved as (

    select
        stg_web__events.event_id,
        int_record_persons.person_id,
        stg_web__events.anonymous_id,
        stg_web__events.occurred_at,
        stg_web__events.event_type,
        stg_web__events.pixel_event_name,
        stg_web__events.page_url,
        stg_web__events.page_host,
        stg_web__events.page_path,
        stg_web__events.referrer_url,
        -- navigation inside the site is not a referral
        case
            when lower(stg_web__events.referrer_host) = lower(stg_web__events.page_host)
                then null
            else lower(stg_web__events.referrer_host)
        end as external_referrer_host,
        lower(stg_web__events.utm_source) as utm_source,
        lower(stg_web__events.utm_medium) as utm_medium,
        stg_web__events.utm_campaign,
        stg_web__events.utm_content,
        stg_web__events.utm_term,
        stg_web__events.fbclid,
        stg_web__events.gclid,
        stg_web__events.fbp,
        stg_web__events.fbc,
        stg_web__events.client_ip_address,
        stg_web__events.client_user_agent,
        stg_web__events.has_ads_consent,
        stg_web__events._loaded_at,
        {{ incremental_refreshed_at() }} as _refreshed_at
    from stg_web__events
    left join int_record_persons
        on stg_web__events.event_id = int_record_persons.record_id
    {% if incremental_is_active() %}
        where stg_web__events.anonymous_id in (select anonymous_id from affected_devices)
    {% endif %}

),

final as (

    select
        *,
        -- the campaign a hit arrives with; null when it carries none
        case
            when
                coalesce(
                    utm_source, utm_medium, utm_campaign, utm_content, utm_term, fbclid, gclid
                ) is not null
                then concat_ws(
                    '|',
                    coalesce(utm_source, ''),
                    coalesce(utm_medium, ''),
                    coalesce(utm_campaign, ''),
                    coalesce(utm_content, ''),
                    coalesce(utm_term, ''),
                    coalesce(fbclid, ''),
                    coalesce(gclid, '')
                )
        end as campaign_key
    from resolved

)

select * from final
