-- One row per (event, user_data key) the event carries: the value, and where it came from.
-- key_source is `converting_record` when the record that produced the outcome holds the key
-- itself (for a CRM stage change, the CRM contact it belongs to), else `journey_memory`: the
-- latest value any record of the same person held as of event_time (external_id: the oldest
-- CRM contact, the stablest id). Hashed keys come from int_person_keys_observed, click ids, IP
-- and user agent from the outcome's journey columns.

{%- set clear_keys = ['client_ip_address', 'client_user_agent', 'fbc', 'fbp'] %}

with

meta_capi__outcomes_mapped as (

    select
        outcome_id,
        event_id,
        person_id,
        occurred_at,
        source_system,
        source_record_id
    from {{ ref('meta_capi__outcomes_mapped') }}
    where is_candidate

),

fct_qualified_outcomes as (

    select
        outcome_id,
        crm_contact_id,
        meta_lead_id,
        {%- for key in clear_keys %}
            {{ key }},
            record_{{ key }},
        {%- endfor %}
        fbc_source
    from {{ ref('fct_qualified_outcomes') }}

),

int_person_keys_observed as (

    select
        person_id,
        source_table,
        record_id,
        observed_at,
        key_name,
        key_value
    from {{ ref('int_person_keys_observed') }}

),

events as (

    select
        meta_capi__outcomes_mapped.*,
        fct_qualified_outcomes.crm_contact_id,
        fct_qualified_outcomes.meta_lead_id,
        {%- for key in clear_keys %}
            fct_qualified_outcomes.{{ key }},
            fct_qualified_outcomes.record_{{ key }},
        {%- endfor %}
        fct_qualified_outcomes.fbc_source,
        -- the staged records whose own keys count as the converting record's
        meta_capi__outcomes_mapped.source_system as converting_table,
        case
            when meta_capi__outcomes_mapped.source_system = 'crm_stage_changes'
                then fct_qualified_outcomes.crm_contact_id
        end as converting_contact_id
    from meta_capi__outcomes_mapped
    inner join fct_qualified_outcomes
        on meta_capi__outcomes_mapped.outcome_id = fct_qualified_outcomes.outcome_id

),

keys_of_converting_record as (

    select
        events.event_id,
        events.outcome_id,
        int_person_keys_observed.key_name,
        int_person_keys_observed.key_value,
        int_person_keys_observed.source_table,
        int_person_keys_observed.record_id,
        int_person_keys_observed.observed_at,
        true as is_converting_record
    from events
    inner join int_person_keys_observed
        on
            events.converting_table = int_person_keys_observed.source_table
            and events.source_record_id = int_person_keys_observed.record_id

    union all

    select
        events.event_id,
        events.outcome_id,
        int_person_keys_observed.key_name,
        int_person_keys_observed.key_value,
        int_person_keys_observed.source_table,
        int_person_keys_observed.record_id,
        int_person_keys_observed.observed_at,
        true as is_converting_record
    from events
    inner join int_person_keys_observed
        on
            events.converting_contact_id = int_person_keys_observed.record_id
            and int_person_keys_observed.source_table = 'crm_contacts'

),

keys_of_journey as (

    select
        events.event_id,
        events.outcome_id,
        int_person_keys_observed.key_name,
        int_person_keys_observed.key_value,
        int_person_keys_observed.source_table,
        int_person_keys_observed.record_id,
        int_person_keys_observed.observed_at,
        false as is_converting_record
    from events
    inner join int_person_keys_observed
        on
            events.person_id = int_person_keys_observed.person_id
            and events.occurred_at >= int_person_keys_observed.observed_at

),

hashed_keys_ranked as (

    select
        *,
        row_number() over (
            partition by event_id, key_name
            order by
                case when is_converting_record then 0 else 1 end,
                case when key_name = 'external_id' then observed_at end asc,
                observed_at desc,
                source_table asc,
                record_id asc
        ) as key_rank
    from (
        select * from keys_of_converting_record
        union all
        select * from keys_of_journey
    ) as hashed_keys

),

hashed_keys as (

    select
        event_id,
        outcome_id,
        key_name,
        key_value,
        case
            when is_converting_record then 'converting_record' else 'journey_memory'
        end as key_source,
        source_table,
        record_id,
        observed_at
    from hashed_keys_ranked
    where key_rank = 1

),

clear_keys as (

    {% for key in clear_keys %}
        select
            event_id,
            outcome_id,
            '{{ key }}' as key_name,
            coalesce(nullif(record_{{ key }}, ''), nullif({{ key }}, '')) as key_value,
            case
                when nullif(record_{{ key }}, '') is not null
                    then 'converting_record'
                else 'journey_memory'
            end as key_source,
            case when nullif(record_{{ key }}, '') is not null then source_system end
                as source_table,
            case
                when nullif(record_{{ key }}, '') is not null then source_record_id
            end as record_id,
            cast(null as timestamp) as observed_at
        from events
        where coalesce(nullif(record_{{ key }}, ''), nullif({{ key }}, '')) is not null
        union all
    {% endfor %}
    select
        event_id,
        outcome_id,
        'lead_id' as key_name,
        meta_lead_id as key_value,
        case
            when source_system in ('crm_contacts', 'crm_stage_changes', 'form_submissions')
                then 'converting_record'
            else 'journey_memory'
        end as key_source,
        source_system as source_table,
        source_record_id as record_id,
        cast(null as timestamp) as observed_at
    from events
    where meta_lead_id is not null

),

final as (

    select * from hashed_keys
    union all
    select * from clear_keys

)

select * from final
