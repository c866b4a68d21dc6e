{#- One CRM lifecycle change (lead, mql, sql, booked, showed, won, lost, ...). -#}
with

source_rows as (
    select * from {{ source('crm', 'crm_stage_changes') }}
    where {{ incremental_landed_since() }}
),

ranked as (
    select
        source_rows.*,
        row_number() over (
            partition by source_rows.change_id
            order by
                source_rows._loaded_at desc,
                source_rows._source_file desc,
                source_rows._source_row desc
        ) as load_rank
    from source_rows
),

final as (
    select
        {{ clean_text('change_id') }} as change_id,
        {{ clean_text('crm_contact_id') }} as crm_contact_id,
        {{ clean_text('deal_id') }} as deal_id,
        lower({{ clean_text('stage') }}) as stage,
        cast(changed_at as timestamp) as changed_at,
        cast(value as double) as value,
        {{ currency_code('currency') }} as currency,
        _source_file,
        _source_row,
        _loaded_at
    from ranked
    where load_rank = 1
)

select * from final
