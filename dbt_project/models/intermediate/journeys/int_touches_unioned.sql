{#- One row per touch (touch_id): every web session (its landing hit), and every CRM contact
    that came from a Meta Lead Ads form (the ad interaction happened on Meta, so no web
    session records it). Other CRM contacts are not touches: their utm fields copy the web
    session that created them, which is already a touch. -#}

with

int_sessions_aggregated as (

    select
        session_id,
        person_id,
        started_at,
        landing_page_url,
        landing_page_path,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        fbclid,
        gclid
    from {{ ref('int_sessions_aggregated') }}

),

stg_crm__contacts as (

    select
        crm_contact_id,
        created_at,
        meta_lead_id,
        utm_source,
        utm_medium,
        utm_campaign
    from {{ ref('stg_crm__contacts') }}
    where meta_lead_id is not null

),

int_record_persons as (

    select
        record_id,
        person_id
    from {{ ref('int_record_persons') }}
    where source_table = 'crm_contacts'

),

web_touches as (

    select
        session_id as touch_id,
        'web_session' as touch_type,
        person_id,
        started_at as touched_at,
        session_id,
        cast(null as {{ dbt.type_string() }}) as crm_contact_id,
        landing_page_url,
        landing_page_path,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        fbclid,
        gclid,
        cast(null as {{ dbt.type_string() }}) as meta_lead_id
    from int_sessions_aggregated

),

lead_ad_touches as (

    select
        {{ dbt.hash("concat_ws('|', 'crm_contacts', stg_crm__contacts.crm_contact_id)") }}
            as touch_id,
        'meta_lead_ad' as touch_type,
        int_record_persons.person_id,
        stg_crm__contacts.created_at as touched_at,
        cast(null as {{ dbt.type_string() }}) as session_id,
        stg_crm__contacts.crm_contact_id,
        cast(null as {{ dbt.type_string() }}) as landing_page_url,
        cast(null as {{ dbt.type_string() }}) as landing_page_path,
        cast(null as {{ dbt.type_string() }}) as referrer_host,
        lower(stg_crm__contacts.utm_source) as utm_source,
        lower(stg_crm__contacts.utm_medium) as utm_medium,
        stg_crm__contacts.utm_campaign,
        cast(null as {{ dbt.type_string() }}) as fbclid,
        cast(null as {{ dbt.type_string() }}) as gclid,
        stg_crm__contacts.meta_lead_id
    from stg_crm__contacts
    left join int_record_persons
        on stg_crm__contacts.crm_contact_id = int_record_persons.record_id

),

final as (

    select * from web_touches
    union all
    select * from lead_ad_touches

)

select * from final
