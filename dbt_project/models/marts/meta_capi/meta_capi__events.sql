-- One row per candidate Meta CAPI event, columns named after Meta's fields
-- (sinks/meta_capi/contract.py), with send_status and status_reason. Everything Meta receives
-- is decided here; the sink only sends rows that are `ready`.

{%- set hashed_keys = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country',
                       'external_id'] %}
{%- set clear_keys = ['client_ip_address', 'client_user_agent', 'fbc', 'fbp', 'lead_id'] %}
{%- set action_sources = meta_capi_action_sources() %}
{%- set opt_in = var('consent_policy', 'opt_in') != 'opt_out' %}

with

meta_capi__outcomes_mapped as (

    select
        outcome_id,
        event_id,
        event_name,
        action_source,
        event_source,
        value_rule,
        person_id,
        occurred_at,
        outcome_type
    from {{ ref('meta_capi__outcomes_mapped') }}
    where is_candidate

),

fct_qualified_outcomes as (

    select
        outcome_id,
        value,
        currency,
        pixel_event_id,
        lead_created_at,
        order_id,
        items,
        num_items,
        event_source_url
    from {{ ref('fct_qualified_outcomes') }}

),

meta_capi__event_user_data as (

    select
        event_id,
        key_name,
        key_value
    from {{ ref('meta_capi__event_user_data') }}

),

int_person_properties_observed as (

    select
        person_id,
        observed_at,
        source,
        source_key,
        property_value
    from {{ ref('int_person_properties_observed') }}

),

meta_capi_custom_properties as (

    select
        property_name,
        source,
        source_key,
        outcome_type
    from {{ ref('meta_capi_custom_properties') }}

),

dim_persons as (

    select
        person_id,
        has_ads_consent,
        ldu_state
    from {{ ref('dim_persons') }}

),

int_web_hits_resolved as (

    select
        event_id,
        referrer_url
    from {{ ref('int_web_hits_resolved') }}

),

meta_capi__sent_events as (

    select event_id
    from {{ ref('meta_capi__sent_events') }}

),

as_of as (

    select {{ meta_capi_as_of() }} as as_of_at

),

user_data_pivoted as (

    select
        event_id,
        {%- for key in hashed_keys + clear_keys %}
            max(case when key_name = '{{ key }}' then key_value end) as {{ key }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from meta_capi__event_user_data
    group by event_id

),

custom_property_values as (

    -- per event and property, the person's latest value as of event_time
    select
        meta_capi__outcomes_mapped.event_id,
        meta_capi_custom_properties.property_name,
        int_person_properties_observed.property_value,
        row_number() over (
            partition by
                meta_capi__outcomes_mapped.event_id,
                meta_capi_custom_properties.property_name
            order by
                int_person_properties_observed.observed_at desc,
                int_person_properties_observed.property_value asc
        ) as value_rank
    from meta_capi__outcomes_mapped
    inner join meta_capi_custom_properties
        on
            meta_capi_custom_properties.outcome_type is null
            or meta_capi__outcomes_mapped.outcome_type = meta_capi_custom_properties.outcome_type
    inner join int_person_properties_observed
        on
            meta_capi__outcomes_mapped.person_id = int_person_properties_observed.person_id
            and meta_capi_custom_properties.source = int_person_properties_observed.source
            and meta_capi_custom_properties.source_key = int_person_properties_observed.source_key
            and meta_capi__outcomes_mapped.occurred_at >= int_person_properties_observed.observed_at

),

custom_properties_aggregated as (

    select
        event_id,
        {{ meta_capi_json_object_agg('property_name', 'property_value') }} as custom_properties
    from custom_property_values
    where value_rank = 1
    group by event_id

),

events_joined as (

    select
        meta_capi__outcomes_mapped.event_id,
        meta_capi__outcomes_mapped.event_name,
        meta_capi__outcomes_mapped.occurred_at,
        {{ meta_capi_unix_seconds('meta_capi__outcomes_mapped.occurred_at') }} as event_time,
        meta_capi__outcomes_mapped.action_source,
        fct_qualified_outcomes.event_source_url,
        int_web_hits_resolved.referrer_url,
        false as opt_out,
        {%- for key in hashed_keys + clear_keys %}
            user_data_pivoted.{{ key }},
        {%- endfor %}
        case
            when
                meta_capi__outcomes_mapped.value_rule in ('outcome', 'required')
                and fct_qualified_outcomes.value is not null
                and fct_qualified_outcomes.currency is not null
                then cast(fct_qualified_outcomes.value as double)
        end as value,  -- noqa: RF04
        case
            when
                meta_capi__outcomes_mapped.value_rule in ('outcome', 'required')
                and fct_qualified_outcomes.value is not null
                and fct_qualified_outcomes.currency is not null
                then upper(fct_qualified_outcomes.currency)
        end as currency,
        {{ meta_capi_content_ids_from_items('fct_qualified_outcomes.items') }} as content_ids,
        {{ meta_capi_contents_from_items('fct_qualified_outcomes.items') }} as contents,
        case
            when fct_qualified_outcomes.items is not null then 'product'
        end as content_type,
        fct_qualified_outcomes.order_id,
        cast(fct_qualified_outcomes.num_items as integer) as num_items,
        case
            when meta_capi__outcomes_mapped.event_source = 'crm'
                then '{{ var("crm_name") | replace("'", "''") }}'
        end as lead_event_source,
        meta_capi__outcomes_mapped.event_source,
        custom_properties_aggregated.custom_properties,
        case
            when dim_persons.ldu_state is not null then '["LDU"]' else '[]'
        end as data_processing_options,
        case when dim_persons.ldu_state is not null then 1 end
            as data_processing_options_country,
        case
            when dim_persons.ldu_state is not null
                then {{ meta_capi_ldu_state_code('dim_persons.ldu_state') }}
        end as data_processing_options_state,
        -- inputs of the eligibility rules
        meta_capi__outcomes_mapped.value_rule,
        fct_qualified_outcomes.lead_created_at,
        dim_persons.has_ads_consent,
        as_of.as_of_at
    from meta_capi__outcomes_mapped
    cross join as_of
    inner join fct_qualified_outcomes
        on meta_capi__outcomes_mapped.outcome_id = fct_qualified_outcomes.outcome_id
    left join user_data_pivoted
        on meta_capi__outcomes_mapped.event_id = user_data_pivoted.event_id
    left join custom_properties_aggregated
        on meta_capi__outcomes_mapped.event_id = custom_properties_aggregated.event_id
    left join dim_persons
        on meta_capi__outcomes_mapped.person_id = dim_persons.person_id
    left join int_web_hits_resolved
        on fct_qualified_outcomes.pixel_event_id = int_web_hits_resolved.event_id

),

events_checked as (

    -- the first rule an event breaks decides its status; the order is the order of the
    -- checks below (consent, then shape, then matching, then age)
    select
        events_joined.*,
        case
            {%- if opt_in %}
                when events_joined.has_ads_consent is null
                    then 'no_consent|no ad consent granted (consent_policy opt_in)'
            {%- endif %}
            when not events_joined.has_ads_consent
                then 'no_consent|the person denied ad consent'
            when
                events_joined.action_source not in (
                    {%- for source in action_sources %}
                        '{{ source }}'{% if not loop.last %},{% endif %}
                    {%- endfor %}
                )
                or events_joined.action_source is null
                then 'invalid|action_source is not one of Meta''s values'
            when
                events_joined.occurred_at
                > {{ dbt.dateadd('second', 300, 'events_joined.as_of_at') }}
                then 'invalid|event_time is in the future'
            when events_joined.action_source = 'website' and events_joined.event_source_url is null
                then 'invalid|website event without event_source_url'
            when events_joined.action_source = 'website' and events_joined.client_user_agent is null
                then 'invalid|website event without client_user_agent'
            when
                (events_joined.value_rule = 'required' or events_joined.event_name = 'Purchase')
                and (events_joined.value is null or events_joined.currency is null)
                then 'invalid|' || events_joined.event_name || ' without value or currency'
            when events_joined.event_source = 'crm' and events_joined.lead_id is null
                then 'invalid|Conversion Leads event without lead_id'
            when
                events_joined.event_source = 'crm'
                and events_joined.action_source != 'system_generated'
                then 'invalid|Conversion Leads event must be system_generated'
            when
                events_joined.event_source = 'crm'
                and events_joined.occurred_at <= events_joined.lead_created_at
                then 'invalid|event_time is not after the lead''s creation'
            when {{ meta_capi_has_no_keys('events_joined') }}
                then 'no_match_keys|no user_data key'
            when {{ meta_capi_weak_key_set_label('events_joined') }} is not null
                then
                    'no_match_keys|only ' || {{ meta_capi_weak_key_set_label('events_joined') }}
                    || ', below Meta''s matching baseline'
            when
                events_joined.action_source = 'physical_store'
                and events_joined.occurred_at
                < {{ dbt.dateadd('day', -62, 'events_joined.as_of_at') }}
                then 'expired|event_time older than 62 days (physical_store) at as_of'
            when
                events_joined.action_source != 'physical_store'
                and events_joined.occurred_at
                < {{ dbt.dateadd('day', -7, 'events_joined.as_of_at') }}
                then 'expired|event_time older than 7 days at as_of'
            else 'ready|'
        end as own_check
    from events_joined

),

events_with_own_status as (

    select
        events_checked.*,
        {{ dbt.split_part('own_check', "'|'", 1) }} as own_status,
        nullif({{ dbt.split_part('own_check', "'|'", 2) }}, '') as own_reason,
        meta_capi__sent_events.event_id is not null as is_sent_before
    from events_checked
    left join meta_capi__sent_events
        on events_checked.event_id = meta_capi__sent_events.event_id

),

conversion_leads_blockers as (

    -- Conversion Leads: a stage waits for every earlier stage of the same lead to be ready
    -- or already sent; the earliest one that is neither decides the status
    select
        later_stage.event_id,
        earlier_stage.event_name as blocking_event_name,
        earlier_stage.own_status as blocking_status,
        row_number() over (
            partition by later_stage.event_id
            order by earlier_stage.occurred_at, earlier_stage.event_id
        ) as blocker_rank
    from events_with_own_status as later_stage
    inner join events_with_own_status as earlier_stage
        on
            later_stage.lead_id = earlier_stage.lead_id
            and earlier_stage.event_source = 'crm'
            and (
                later_stage.occurred_at > earlier_stage.occurred_at
                or (
                    later_stage.occurred_at = earlier_stage.occurred_at
                    and later_stage.event_id > earlier_stage.event_id
                )
            )
    where
        later_stage.event_source = 'crm'
        and later_stage.own_status = 'ready'
        and earlier_stage.own_status != 'ready'
        and not earlier_stage.is_sent_before

),

final as (

    select
        events_with_own_status.event_id,
        events_with_own_status.event_name,
        events_with_own_status.event_time,
        events_with_own_status.action_source,
        events_with_own_status.event_source_url,
        events_with_own_status.referrer_url,
        events_with_own_status.opt_out,
        {%- for key in hashed_keys + clear_keys %}
            events_with_own_status.{{ key }},
        {%- endfor %}
        events_with_own_status.value,
        events_with_own_status.currency,
        events_with_own_status.content_ids,
        events_with_own_status.contents,
        events_with_own_status.content_type,
        events_with_own_status.order_id,
        events_with_own_status.num_items,
        events_with_own_status.lead_event_source,
        events_with_own_status.event_source,
        events_with_own_status.custom_properties,
        events_with_own_status.data_processing_options,
        events_with_own_status.data_processing_options_country,
        events_with_own_status.data_processing_options_state,
        coalesce(
            conversion_leads_blockers.blocking_status, events_with_own_status.own_status
        ) as send_status,
        case
            when conversion_leads_blockers.event_id is not null
                then
                    'earlier stage ' || conversion_leads_blockers.blocking_event_name
                    || ' of this lead is ' || conversion_leads_blockers.blocking_status
                    || ' and was not sent'
            else events_with_own_status.own_reason
        end as status_reason
    from events_with_own_status
    left join conversion_leads_blockers
        on
            events_with_own_status.event_id = conversion_leads_blockers.event_id
            and conversion_leads_blockers.blocker_rank = 1

)

select * from final
