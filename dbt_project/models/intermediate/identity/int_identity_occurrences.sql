{#-
    One row per identifier seen in one staged record: what the identity graph is made of.
    Incremental on `_loaded_at`: a run reads only the staged rows landed since the previous
    one and replaces the occurrences of those records (a record landed again, say a booking
    whose state changed, replaces its earlier identifiers).
-#}
{%- set strong_types = [
    'user_id', 'crm_contact_id', 'meta_lead_id', 'em', 'ph', 'submission_id',
] -%}

with

stg_web__events as (
    select
        event_id,
        occurred_at,
        anonymous_id,
        user_id,
        fbp,
        _loaded_at
    from {{ ref('stg_web__events') }}
    {{ identity_landed_since_last_run() }}
),

stg_forms__submissions as (
    select
        submission_id,
        submitted_at,
        anonymous_id,
        em,
        ph,
        meta_lead_id,
        _loaded_at
    from {{ ref('stg_forms__submissions') }}
    {{ identity_landed_since_last_run() }}
),

stg_crm__contacts as (
    select
        crm_contact_id,
        created_at,
        anonymous_id,
        submission_id,
        meta_lead_id,
        em,
        ph,
        {#- the contact itself is already its crm_contact_id: one row per identifier -#}
        case
            when trim(merged_into_crm_contact_id) <> trim(crm_contact_id)
                then merged_into_crm_contact_id
        end as merged_into_crm_contact_id,
        _loaded_at
    from {{ ref('stg_crm__contacts') }}
    {{ identity_landed_since_last_run() }}
),

stg_crm__stage_changes as (
    select
        change_id,
        crm_contact_id,
        changed_at,
        _loaded_at
    from {{ ref('stg_crm__stage_changes') }}
    {{ identity_landed_since_last_run() }}
),

stg_booking__bookings as (
    select
        booking_state_id,
        updated_at,
        crm_contact_id,
        anonymous_id,
        em,
        ph,
        _loaded_at
    from {{ ref('stg_booking__bookings') }}
    {{ identity_landed_since_last_run() }}
),

stg_shop__orders as (
    select
        order_id,
        ordered_at,
        crm_contact_id,
        anonymous_id,
        em,
        ph,
        _loaded_at
    from {{ ref('stg_shop__orders') }}
    {{ identity_landed_since_last_run() }}
),

web_event_identifiers as (
    {{ identity_unpivot_identifiers(
        'stg_web__events', 'web_events', 'event_id', 'occurred_at',
        {'anonymous_id': 'anonymous_id', 'user_id': 'user_id', 'fbp': 'fbp'}
    ) }}
),

form_submission_identifiers as (
    {{ identity_unpivot_identifiers(
        'stg_forms__submissions', 'form_submissions', 'submission_id', 'submitted_at',
        {
            'submission_id': 'submission_id',
            'anonymous_id': 'anonymous_id',
            'em': 'em',
            'ph': 'ph',
            'meta_lead_id': 'meta_lead_id',
        }
    ) }}
),

crm_contact_identifiers as (
    {#- a merged duplicate names the contact it was merged into: one record, one person -#}
    {{ identity_unpivot_identifiers(
        'stg_crm__contacts', 'crm_contacts', 'crm_contact_id', 'created_at',
        {
            'crm_contact_id': 'crm_contact_id',
            'merged_into_crm_contact_id': 'crm_contact_id',
            'anonymous_id': 'anonymous_id',
            'submission_id': 'submission_id',
            'meta_lead_id': 'meta_lead_id',
            'em': 'em',
            'ph': 'ph',
        }
    ) }}
),

crm_stage_change_identifiers as (
    {{ identity_unpivot_identifiers(
        'stg_crm__stage_changes', 'crm_stage_changes', 'change_id', 'changed_at',
        {'crm_contact_id': 'crm_contact_id'}
    ) }}
),

booking_identifiers as (
    {{ identity_unpivot_identifiers(
        'stg_booking__bookings', 'bookings', 'booking_state_id', 'updated_at',
        {
            'crm_contact_id': 'crm_contact_id',
            'anonymous_id': 'anonymous_id',
            'em': 'em',
            'ph': 'ph',
        }
    ) }}
),

order_identifiers as (
    {{ identity_unpivot_identifiers(
        'stg_shop__orders', 'orders', 'order_id', 'ordered_at',
        {
            'crm_contact_id': 'crm_contact_id',
            'anonymous_id': 'anonymous_id',
            'em': 'em',
            'ph': 'ph',
        }
    ) }}
),

unioned as (
    select * from web_event_identifiers
    union all
    select * from form_submission_identifiers
    union all
    select * from crm_contact_identifiers
    union all
    select * from crm_stage_change_identifiers
    union all
    select * from booking_identifiers
    union all
    select * from order_identifiers
),

final as (
    {#- staged record keys are unique and each column of a record maps to its own identifier
        type (the one pair that shares a type, a contact and the contact it was merged into,
        is kept apart above), so the rows are already one per record and identifier -#}
    select
        source_table,
        record_id,
        identifier_type,
        identifier_value,
        {{ identity_node_id('identifier_type', 'identifier_value') }} as node_id,
        identifier_type in (
            {%- for strong_type in strong_types %}
                '{{ strong_type }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_strong,
        seen_at,
        _loaded_at
    from unioned
)

select * from final
