-- One row per hashed user_data key seen on a staged record of a person: the journey's memory
-- of em, ph, fn, ln, ge, db, ct, st, zp, country and external_id, with the time each was
-- observed, so an event can take the best key known as of its event_time.
-- external_id is the SHA-256 of the CRM contact id that survives merges.

{%- set sources = [
    {'model': 'stg_forms__submissions', 'table': 'form_submissions',
     'keys': ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country']},
    {'model': 'stg_crm__contacts', 'table': 'crm_contacts',
     'keys': ['em', 'ph', 'fn', 'ln', 'ct', 'st', 'zp', 'country']},
    {'model': 'stg_booking__bookings', 'table': 'bookings', 'keys': ['em', 'ph']},
    {'model': 'stg_shop__orders', 'table': 'orders', 'keys': ['em', 'ph']},
] %}

with

stg_forms__submissions as (

    select
        submission_id as record_id,
        submitted_at as observed_at,
        em,
        ph,
        fn,
        ln,
        ge,
        db,
        ct,
        st,
        zp,
        country
    from {{ ref('stg_forms__submissions') }}

),

stg_crm__contacts as (

    select
        crm_contact_id as record_id,
        -- CRM timestamps may be local time (var crm_source_timezone), like the outcomes'
        {{ journeys_crm_local_to_utc('created_at') }} as observed_at,
        coalesce(merged_into_crm_contact_id, crm_contact_id) as surviving_crm_contact_id,
        em,
        ph,
        fn,
        ln,
        ct,
        st,
        zp,
        country
    from {{ ref('stg_crm__contacts') }}

),

stg_booking__bookings as (

    select
        booking_state_id as record_id,
        updated_at as observed_at,
        em,
        ph
    from {{ ref('stg_booking__bookings') }}

),

stg_shop__orders as (

    select
        order_id as record_id,
        ordered_at as observed_at,
        em,
        ph
    from {{ ref('stg_shop__orders') }}

),

int_record_persons as (

    select
        source_table,
        record_id,
        person_id
    from {{ ref('int_record_persons') }}

),

keys_unpivoted as (

    {% for source in sources %}
        {%- for key in source['keys'] %}
            select
                '{{ source.table }}' as source_table,
                record_id,
                observed_at,
                '{{ key }}' as key_name,
                {{ key }} as key_value
            from {{ source.model }}
            where {{ key }} is not null
            union all
        {% endfor %}
    {%- endfor %}
    select
        'crm_contacts' as source_table,
        record_id,
        observed_at,
        'external_id' as key_name,
        {{ meta_capi_sha256('lower(trim(surviving_crm_contact_id))') }} as key_value
    from stg_crm__contacts
    where surviving_crm_contact_id is not null

),

final as (

    select
        int_record_persons.person_id,
        keys_unpivoted.source_table,
        keys_unpivoted.record_id,
        keys_unpivoted.observed_at,
        keys_unpivoted.key_name,
        keys_unpivoted.key_value
    from keys_unpivoted
    left join int_record_persons
        on
            keys_unpivoted.source_table = int_record_persons.source_table
            and keys_unpivoted.record_id = int_record_persons.record_id

)

select * from final
