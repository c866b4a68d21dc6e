{#-
    One row per staged record with its person: through the record's strong identifiers when
    it has any, else through its weak ones (cookie, fbp), else the record is a person of its
    own (all its identifiers excluded, e.g. an order carrying only test@test.com).
    resolved_by says which.
-#}

with

{% set record_keys = [
    ('stg_web__events', 'web_events', 'event_id'),
    ('stg_forms__submissions', 'form_submissions', 'submission_id'),
    ('stg_crm__contacts', 'crm_contacts', 'crm_contact_id'),
    ('stg_crm__stage_changes', 'crm_stage_changes', 'change_id'),
    ('stg_booking__bookings', 'bookings', 'booking_state_id'),
    ('stg_shop__orders', 'orders', 'order_id'),
] -%}
{%- for model, source_table, key in record_keys %}
    {{ model }} as (
        select
            '{{ source_table }}' as source_table,
            cast({{ key }} as {{ dbt.type_string() }}) as record_id
        from {{ ref(model) }}
    ),

{% endfor -%}

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
    {%- for model, source_table, key in record_keys %}
        select
            source_table,
            record_id
        from {{ model }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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

final as (
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
)

select * from final
