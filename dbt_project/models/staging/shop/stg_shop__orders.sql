{#- One order or refund (a refund is its own row, status refunded, negative value). -#}
with

source_rows as (
    select * from {{ source('shop', 'orders') }}
    where {{ incremental_landed_since() }}
),

ranked as (
    select
        source_rows.*,
        row_number() over (
            partition by source_rows.order_id
            order by
                source_rows._loaded_at desc,
                source_rows._source_file desc,
                source_rows._source_row desc
        ) as load_rank
    from source_rows
),

renamed as (
    select
        {{ clean_text('order_id') }} as order_id,
        cast(ordered_at as timestamp) as ordered_at,
        {{ clean_text('channel') }} as channel,
        {{ clean_text('status') }} as status,
        {{ clean_text('crm_contact_id') }} as crm_contact_id,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        email,
        phone,
        cast(value as double) as value,
        {{ currency_code('currency') }} as currency,
        {{ clean_text('items') }} as items,
        {{ clean_text('pixel_event_id') }} as pixel_event_id,
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
        order_id,
        ordered_at,
        channel,
        status,
        coalesce(status = 'refunded', false) as is_refund,
        crm_contact_id,
        anonymous_id,
        {{ hash_normalised('em_normalised') }} as em,
        {{ issue_em('email', 'em_normalised') }} as em_issue,
        {{ hash_normalised('ph_normalised') }} as ph,
        {{ issue_ph('phone', 'ph_normalised', candidate='ph_candidate') }} as ph_issue,
        value,
        currency,
        items,
        {{ json_items_quantity('items') }} as num_items,
        pixel_event_id,
        _source_file,
        _source_row,
        _loaded_at
    from normalised
)

select * from final
