{#- One row per (source_system, source_record_id, anonymous_id): the browser an outcome record
    itself names (a web order's or a booking's anonymous_id, a form step's). Identity does not
    let a contact key typed at checkout claim the browser (var
    identity_contact_keys_claim_devices), so that browser can stay another person; the
    outcome's journey still includes it, as a Pixel mirror would use the converting hit's own
    cookies. The keys are those of int_outcomes_unioned. -#}

with

stg_shop__orders as (

    select
        order_id,
        anonymous_id
    from {{ ref('stg_shop__orders') }}
    where anonymous_id is not null

),

stg_booking__bookings as (

    select
        booking_state_id,
        anonymous_id
    from {{ ref('stg_booking__bookings') }}
    where anonymous_id is not null

),

stg_forms__submissions as (

    select
        submission_id,
        anonymous_id
    from {{ ref('stg_forms__submissions') }}
    where anonymous_id is not null

),

record_devices as (

    select
        'orders' as source_system,
        order_id as source_record_id,
        anonymous_id
    from stg_shop__orders

    union

    select
        'bookings' as source_system,
        booking_state_id as source_record_id,
        anonymous_id
    from stg_booking__bookings

    union

    select
        'form_submissions' as source_system,
        submission_id as source_record_id,
        anonymous_id
    from stg_forms__submissions

),

final as (

    select * from record_devices

)

select * from final
