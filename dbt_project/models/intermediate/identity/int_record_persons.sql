{#-
    One row per staged record with its person: through the record's strong identifiers when
    it has any, else through its weak ones (cookie, fbp), else the record is a person of its
    own (all its identifiers excluded, e.g. an order carrying only test@test.com).
    resolved_by says which.

    How downstream models see what changed: incremental, every run compares each record's
    person with the one stored and rewrites only the records that are new or whose person_id
    (or resolved_by) changed, stamping them with person_assigned_at (the run's start) and the
    person they had before (previous_person_id). A model built on top re-derives the rows of
    `where person_assigned_at > <its own watermark>`, for both person_id and
    previous_person_id. A full refresh stamps every record and leaves previous_person_id
    null.
-#}
{%- set assigned_at -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endset %}

with

stg_web__events as (
    select
        'web_events' as source_table,
        cast(event_id as {{ dbt.type_string() }}) as record_id
    from {{ ref('stg_web__events') }}
),

stg_forms__submissions as (
    select
        'form_submissions' as source_table,
        cast(submission_id as {{ dbt.type_string() }}) as record_id
    from {{ ref('stg_forms__submissions') }}
),

stg_crm__contacts as (
    select
        'crm_contacts' as source_table,
        cast(crm_contact_id as {{ dbt.type_string() }}) as record_id
    from {{ ref('stg_crm__contacts') }}
),

stg_crm__stage_changes as (
    select
        'crm_stage_changes' as source_table,
        cast(change_id as {{ dbt.type_string() }}) as record_id
    from {{ ref('stg_crm__stage_changes') }}
),

stg_booking__bookings as (
    select
        'bookings' as source_table,
        cast(booking_state_id as {{ dbt.type_string() }}) as record_id
    from {{ ref('stg_booking__bookings') }}
),

stg_shop__orders as (
    select
        'orders' as source_table,
        cast(order_id as {{ dbt.type_string() }}) as record_id
    from {{ ref('stg_shop__orders') }}
),

int_identity_record_nodes as (
    select
        source_table,
        record_id,
        node_id,
        is_strong
    from {{ ref('int_identity_record_nodes') }}
),

int_identifiers_resolved as (
    select
        node_id,
        person_id
    from {{ ref('int_identifiers_resolved') }}
    where person_id is not null
),

records as (
    select
        source_table,
        record_id
    from stg_web__events
    union all
    select
        source_table,
        record_id
    from stg_forms__submissions
    union all
    select
        source_table,
        record_id
    from stg_crm__contacts
    union all
    select
        source_table,
        record_id
    from stg_crm__stage_changes
    union all
    select
        source_table,
        record_id
    from stg_booking__bookings
    union all
    select
        source_table,
        record_id
    from stg_shop__orders
),

record_anchor_nodes as (
    select
        source_table,
        record_id,
        min(case when is_strong then node_id end) as strong_node_id,
        min(case when not is_strong then node_id end) as weak_node_id
    from int_identity_record_nodes
    group by source_table, record_id
),

resolved as (
    select
        records.source_table,
        records.record_id,
        coalesce(
            strong_persons.person_id,
            weak_persons.person_id,
            {{ identity_person_id('records.source_table', 'records.record_id') }}
        ) as person_id,
        case
            when strong_persons.person_id is not null then 'strong'
            when weak_persons.person_id is not null then 'weak'
            else 'record'
        end as resolved_by
    from records
    left join record_anchor_nodes
        on
            records.source_table = record_anchor_nodes.source_table
            and records.record_id = record_anchor_nodes.record_id
    left join int_identifiers_resolved as strong_persons
        on record_anchor_nodes.strong_node_id = strong_persons.node_id
    left join int_identifiers_resolved as weak_persons
        on record_anchor_nodes.weak_node_id = weak_persons.node_id
),

previous as (
    {#- the persons stored by the previous run; none in a full build -#}
    select
        source_table,
        record_id,
        person_id,
        resolved_by
    {% if is_incremental() %}
        from {{ this }}
    {% else %}
        from resolved
        where 1 = 0
    {% endif %}
),

final as (
    {#- only new records and records whose person changed are written -#}
    select
        resolved.source_table,
        resolved.record_id,
        resolved.person_id,
        resolved.resolved_by,
        {{ assigned_at }} as person_assigned_at,
        previous.person_id as previous_person_id
    from resolved
    left join previous
        on
            resolved.source_table = previous.source_table
            and resolved.record_id = previous.record_id
    where
        previous.person_id is null
        or previous.person_id <> resolved.person_id
        or previous.resolved_by <> resolved.resolved_by
)

select * from final
