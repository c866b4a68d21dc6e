{#- One row per candidate outcome record (source_system, source_record_id): every form step,
    CRM stage change, booking state and order, with the status the seed outcome_map maps
    and the scope (dedup_scope) within which repeats of one outcome type are collapsed. -#}

with

stg_forms__submissions as (

    select
        submission_id,
        submitted_at,
        anonymous_id,
        form_id,
        pixel_event_id,
        em,
        ph,
        meta_lead_id,
        page_url,
        client_ip_address,
        client_user_agent,
        _loaded_at
    from {{ ref('stg_forms__submissions') }}

),

stg_crm__stage_changes as (

    select
        change_id,
        crm_contact_id,
        deal_id,
        stage,
        changed_at,
        value,
        currency,
        _loaded_at
    from {{ ref('stg_crm__stage_changes') }}

),

stg_booking__bookings as (

    select
        booking_state_id,
        booking_id,
        status,
        updated_at,
        crm_contact_id,
        _loaded_at
    from {{ ref('stg_booking__bookings') }}

),

stg_shop__orders as (

    select
        order_id,
        ordered_at,
        channel,
        status,
        is_refund,
        crm_contact_id,
        value,
        currency,
        items,
        num_items,
        pixel_event_id,
        _loaded_at
    from {{ ref('stg_shop__orders') }}

),

int_crm_contacts_merged as (

    select
        crm_contact_id,
        surviving_crm_contact_id,
        submission_id
    from {{ ref('int_crm_contacts_merged') }}

),

submission_contacts as (

    select
        submission_id,
        min(surviving_crm_contact_id) as crm_contact_id
    from int_crm_contacts_merged
    where submission_id is not null
    group by submission_id

),

form_outcomes as (

    select
        'form_submissions' as source_system,
        stg_forms__submissions.submission_id as source_record_id,
        case
            when
                stg_forms__submissions.meta_lead_id is not null
                and stg_forms__submissions.page_url is null
                then 'lead_ad_submitted'
            when
                stg_forms__submissions.em is not null
                or stg_forms__submissions.ph is not null
                then 'contact_submitted'
            else 'step_submitted'
        end as source_status,
        stg_forms__submissions.submitted_at as occurred_at,
        stg_forms__submissions._loaded_at,
        concat_ws('|', 'form_submissions', stg_forms__submissions.submission_id) as dedup_scope,
        submission_contacts.crm_contact_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as booking_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as order_channel,
        cast(null as double) as value,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ dbt.type_string() }}) as items,
        cast(null as integer) as num_items,
        stg_forms__submissions.pixel_event_id,
        stg_forms__submissions.meta_lead_id as record_meta_lead_id,
        stg_forms__submissions.page_url as record_page_url,
        stg_forms__submissions.client_ip_address as record_client_ip_address,
        stg_forms__submissions.client_user_agent as record_client_user_agent
    from stg_forms__submissions
    left join submission_contacts
        on stg_forms__submissions.submission_id = submission_contacts.submission_id

),

crm_outcomes as (

    select
        'crm_stage_changes' as source_system,
        stg_crm__stage_changes.change_id as source_record_id,
        stg_crm__stage_changes.stage as source_status,
        {{ journeys_crm_local_to_utc('stg_crm__stage_changes.changed_at') }} as occurred_at,
        stg_crm__stage_changes._loaded_at,
        -- the survivor of CRM merges and the deal, when the stage has one
        concat_ws(
            '|',
            'crm_stage_changes',
            coalesce(
                int_crm_contacts_merged.surviving_crm_contact_id,
                stg_crm__stage_changes.crm_contact_id
            ),
            coalesce(stg_crm__stage_changes.deal_id, '')
        ) as dedup_scope,
        coalesce(
            int_crm_contacts_merged.surviving_crm_contact_id,
            stg_crm__stage_changes.crm_contact_id
        ) as crm_contact_id,
        stg_crm__stage_changes.deal_id,
        cast(null as {{ dbt.type_string() }}) as booking_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as order_channel,
        cast(stg_crm__stage_changes.value as double) as value,
        stg_crm__stage_changes.currency,
        cast(null as {{ dbt.type_string() }}) as items,
        cast(null as integer) as num_items,
        cast(null as {{ dbt.type_string() }}) as pixel_event_id,
        cast(null as {{ dbt.type_string() }}) as record_meta_lead_id,
        cast(null as {{ dbt.type_string() }}) as record_page_url,
        cast(null as {{ dbt.type_string() }}) as record_client_ip_address,
        cast(null as {{ dbt.type_string() }}) as record_client_user_agent
    from stg_crm__stage_changes
    left join int_crm_contacts_merged
        on stg_crm__stage_changes.crm_contact_id = int_crm_contacts_merged.crm_contact_id

),

booking_outcomes as (

    select
        'bookings' as source_system,
        stg_booking__bookings.booking_state_id as source_record_id,
        stg_booking__bookings.status as source_status,
        stg_booking__bookings.updated_at as occurred_at,
        stg_booking__bookings._loaded_at,
        concat_ws('|', 'bookings', stg_booking__bookings.booking_id) as dedup_scope,
        coalesce(
            int_crm_contacts_merged.surviving_crm_contact_id,
            stg_booking__bookings.crm_contact_id
        ) as crm_contact_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        stg_booking__bookings.booking_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as order_channel,
        cast(null as double) as value,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ dbt.type_string() }}) as items,
        cast(null as integer) as num_items,
        cast(null as {{ dbt.type_string() }}) as pixel_event_id,
        cast(null as {{ dbt.type_string() }}) as record_meta_lead_id,
        cast(null as {{ dbt.type_string() }}) as record_page_url,
        cast(null as {{ dbt.type_string() }}) as record_client_ip_address,
        cast(null as {{ dbt.type_string() }}) as record_client_user_agent
    from stg_booking__bookings
    left join int_crm_contacts_merged
        on stg_booking__bookings.crm_contact_id = int_crm_contacts_merged.crm_contact_id

),

order_outcomes as (

    select
        'orders' as source_system,
        stg_shop__orders.order_id as source_record_id,
        case
            when stg_shop__orders.is_refund then 'refunded'
            else coalesce(stg_shop__orders.status, 'paid')
        end as source_status,
        stg_shop__orders.ordered_at as occurred_at,
        stg_shop__orders._loaded_at,
        concat_ws('|', 'orders', stg_shop__orders.order_id) as dedup_scope,
        coalesce(
            int_crm_contacts_merged.surviving_crm_contact_id,
            stg_shop__orders.crm_contact_id
        ) as crm_contact_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as booking_id,
        stg_shop__orders.order_id,
        stg_shop__orders.channel as order_channel,
        cast(stg_shop__orders.value as double) as value,
        stg_shop__orders.currency,
        stg_shop__orders.items,
        cast(stg_shop__orders.num_items as integer) as num_items,
        stg_shop__orders.pixel_event_id,
        cast(null as {{ dbt.type_string() }}) as record_meta_lead_id,
        cast(null as {{ dbt.type_string() }}) as record_page_url,
        cast(null as {{ dbt.type_string() }}) as record_client_ip_address,
        cast(null as {{ dbt.type_string() }}) as record_client_user_agent
    from stg_shop__orders
    left join int_crm_contacts_merged
        on stg_shop__orders.crm_contact_id = int_crm_contacts_merged.crm_contact_id

),

final as (

    select * from form_outcomes
    union all
    select * from crm_outcomes
    union all
    select * from booking_outcomes
    union all
    select * from order_outcomes

)

select * from final
