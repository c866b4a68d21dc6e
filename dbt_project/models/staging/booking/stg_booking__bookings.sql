{#- One appointment state: a booking appears once per status change (booked, rescheduled,
    canceled, showed, no_show), keyed by booking_state_id. -#}
with

source_rows as (
    select * from {{ source('booking', 'bookings') }}
    where {{ incremental_landed_since() }}
),

keyed as (
    select
        source_rows.*,
        {{ clean_text('source_rows.booking_id') }} || '|' || {{ clean_text('source_rows.status') }}
        || '|' || cast(source_rows.updated_at as {{ dbt.type_string() }}) as booking_state_id
    from source_rows
),

ranked as (
    select
        keyed.*,
        row_number() over (
            partition by keyed.booking_state_id
            order by keyed._loaded_at desc, keyed._source_file desc, keyed._source_row desc
        ) as load_rank
    from keyed
),

renamed as (
    select
        booking_state_id,
        {{ clean_text('booking_id') }} as booking_id,
        {{ clean_text('status') }} as status,
        cast(updated_at as timestamp) as updated_at,
        cast(starts_at as timestamp) as starts_at,
        {{ clean_text('crm_contact_id') }} as crm_contact_id,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        email,
        phone,
        _source_file,
        _source_row,
        _loaded_at
    from ranked
    where load_rank = 1
),

phones_prepared as (
    select
        renamed.*,
        {{ ph_candidate('renamed.phone') }} as ph_candidate
    from renamed
),

normalised as (
    select
        phones_prepared.*,
        {{ normalize_em('phones_prepared.email') }} as em_normalised,
        coalesce(
            {{ hashed_passthrough('phones_prepared.phone') }},
            {{ ph_from_candidate('phones_prepared.ph_candidate') }}
        ) as ph_normalised
    from phones_prepared
),

final as (
    select
        booking_state_id,
        booking_id,
        status,
        updated_at,
        starts_at,
        crm_contact_id,
        anonymous_id,
        {{ hash_normalised('em_normalised') }} as em,
        {{ issue_em('email', 'em_normalised') }} as em_issue,
        {{ hash_normalised('ph_normalised') }} as ph,
        {{ issue_ph('phone', 'ph_normalised', candidate='ph_candidate') }} as ph_issue,
        _source_file,
        _source_row,
        _loaded_at
    from normalised
)

select * from final
