{#-
    One row per person (int_record_persons): when they were first and last seen, how many
    identifiers of each type resolve to them, their latest hashed contact keys (Meta's
    user_data names; blocklisted junk values skipped), their latest ad-consent answer and
    Limited Data Use state, and their primary CRM contact.
-#}
{%- set keyed_sources = [
    ('stg_forms__submissions', 'form_submissions', 'submission_id', 'submitted_at',
        ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'ldu_state']),
    ('stg_crm__contacts', 'crm_contacts', 'crm_contact_id', 'coalesce(updated_at, created_at)',
        ['em', 'ph', 'fn', 'ln', 'ct', 'st', 'zp', 'country', 'ldu_state']),
    ('stg_booking__bookings', 'bookings', 'booking_state_id', 'updated_at', ['em', 'ph']),
    ('stg_shop__orders', 'orders', 'order_id', 'ordered_at', ['em', 'ph']),
] -%}

with

int_record_persons as (
    select
        source_table,
        record_id,
        person_id
    from {{ ref('int_record_persons') }}
),

int_identifiers_resolved as (
    select
        person_id,
        identifier_type
    from {{ ref('int_identifiers_resolved') }}
    where person_id is not null
),

identity_blocklist as (
    select
        identifier_type,
        identifier_value
    from {{ ref('identity_blocklist') }}
),

stg_web__events as (
    select
        cast(event_id as {{ dbt.type_string() }}) as record_id,
        occurred_at as seen_at,
        has_ads_consent
    from {{ ref('stg_web__events') }}
),

stg_forms__submissions as (
    select
        cast(submission_id as {{ dbt.type_string() }}) as record_id,
        submitted_at as seen_at,
        has_ads_consent,
        em,
        ph,
        fn,
        ln,
        ge,
        db,
        ct,
        st,
        zp,
        country,
        ldu_state
    from {{ ref('stg_forms__submissions') }}
),

stg_crm__contacts as (
    select
        cast(crm_contact_id as {{ dbt.type_string() }}) as record_id,
        coalesce(updated_at, created_at) as seen_at,
        has_ads_consent,
        em,
        ph,
        fn,
        ln,
        ct,
        st,
        zp,
        country,
        ldu_state
    from {{ ref('stg_crm__contacts') }}
),

stg_booking__bookings as (
    select
        cast(booking_state_id as {{ dbt.type_string() }}) as record_id,
        updated_at as seen_at,
        em,
        ph
    from {{ ref('stg_booking__bookings') }}
),

stg_shop__orders as (
    select
        cast(order_id as {{ dbt.type_string() }}) as record_id,
        ordered_at as seen_at,
        em,
        ph
    from {{ ref('stg_shop__orders') }}
),

stg_crm__stage_changes as (
    select
        cast(change_id as {{ dbt.type_string() }}) as record_id,
        changed_at as seen_at
    from {{ ref('stg_crm__stage_changes') }}
),

stg_crm__contacts_primary as (
    select
        cast(crm_contact_id as {{ dbt.type_string() }}) as record_id,
        crm_contact_id,
        created_at,
        merged_into_crm_contact_id
    from {{ ref('stg_crm__contacts') }}
),

record_times as (
    select
        'web_events' as source_table,
        record_id,
        seen_at
    from stg_web__events
    {%- for model, source_table, key, seen_at, columns in keyed_sources %}
        union all
        select
            '{{ source_table }}' as source_table,
            record_id,
            seen_at
        from {{ model }}
    {%- endfor %}
    union all
    select
        'crm_stage_changes' as source_table,
        record_id,
        seen_at
    from stg_crm__stage_changes
),

person_activity as (
    select
        int_record_persons.person_id,
        min(record_times.seen_at) as first_seen_at,
        max(record_times.seen_at) as last_seen_at,
        count(*) as records
    from int_record_persons
    inner join record_times
        on
            int_record_persons.source_table = record_times.source_table
            and int_record_persons.record_id = record_times.record_id
    group by int_record_persons.person_id
),

identifier_counts as (
    select
        person_id,
        count(case when identifier_type = 'anonymous_id' then 1 end) as anonymous_id_count,
        count(case when identifier_type = 'user_id' then 1 end) as user_id_count,
        count(case when identifier_type = 'fbp' then 1 end) as fbp_count,
        count(case when identifier_type = 'em' then 1 end) as em_count,
        count(case when identifier_type = 'ph' then 1 end) as ph_count,
        count(case when identifier_type = 'crm_contact_id' then 1 end) as crm_contact_id_count,
        count(case when identifier_type = 'meta_lead_id' then 1 end) as meta_lead_id_count,
        count(case when identifier_type = 'submission_id' then 1 end) as submission_id_count
    from int_identifiers_resolved
    group by person_id
),

keyed_values as (
    {%- for model, source_table, key, seen_at, columns in keyed_sources %}
        {%- set outer_loop = loop %}
        {%- for column in columns %}
            select
                '{{ source_table }}' as source_table,
                record_id,
                seen_at,
                '{{ column }}' as key_name,
                {{ column }} as key_value
            from {{ model }}
            where {{ column }} is not null
            {%- if not (outer_loop.last and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

usable_keyed_values as (
    select
        int_record_persons.person_id,
        keyed_values.seen_at,
        keyed_values.key_name,
        keyed_values.key_value
    from keyed_values
    inner join int_record_persons
        on
            keyed_values.source_table = int_record_persons.source_table
            and keyed_values.record_id = int_record_persons.record_id
    left join identity_blocklist
        on
            keyed_values.key_name = identity_blocklist.identifier_type
            and keyed_values.key_value = identity_blocklist.identifier_value
    where identity_blocklist.identifier_value is null
),

ranked_keyed_values as (
    select
        person_id,
        key_name,
        key_value,
        row_number() over (
            partition by person_id, key_name
            order by seen_at desc, key_value desc
        ) as recency_rank
    from usable_keyed_values
),

latest_keys as (
    select
        person_id,
        max(case when key_name = 'em' then key_value end) as em,
        max(case when key_name = 'ph' then key_value end) as ph,
        max(case when key_name = 'fn' then key_value end) as fn,
        max(case when key_name = 'ln' then key_value end) as ln,
        max(case when key_name = 'ge' then key_value end) as ge,
        max(case when key_name = 'db' then key_value end) as db,
        max(case when key_name = 'ct' then key_value end) as ct,
        max(case when key_name = 'st' then key_value end) as st,
        max(case when key_name = 'zp' then key_value end) as zp,
        max(case when key_name = 'country' then key_value end) as country,
        max(case when key_name = 'ldu_state' then key_value end) as ldu_state
    from ranked_keyed_values
    where recency_rank = 1
    group by person_id
),

consent_answers as (
    select
        'web_events' as source_table,
        record_id,
        seen_at,
        has_ads_consent
    from stg_web__events
    where has_ads_consent is not null
    union all
    select
        'form_submissions' as source_table,
        record_id,
        seen_at,
        has_ads_consent
    from stg_forms__submissions
    where has_ads_consent is not null
    union all
    select
        'crm_contacts' as source_table,
        record_id,
        seen_at,
        has_ads_consent
    from stg_crm__contacts
    where has_ads_consent is not null
),

ranked_consent as (
    select
        int_record_persons.person_id,
        consent_answers.has_ads_consent,
        row_number() over (
            partition by int_record_persons.person_id
            order by
                consent_answers.seen_at desc,
                consent_answers.source_table asc,
                consent_answers.record_id asc
        ) as recency_rank
    from consent_answers
    inner join int_record_persons
        on
            consent_answers.source_table = int_record_persons.source_table
            and consent_answers.record_id = int_record_persons.record_id
),

ranked_contacts as (
    select
        int_record_persons.person_id,
        stg_crm__contacts_primary.crm_contact_id,
        row_number() over (
            partition by int_record_persons.person_id
            order by
                case
                    when stg_crm__contacts_primary.merged_into_crm_contact_id is null then 0
                    else 1
                end,
                stg_crm__contacts_primary.created_at asc,
                stg_crm__contacts_primary.crm_contact_id asc
        ) as primary_rank
    from stg_crm__contacts_primary
    inner join int_record_persons
        on
            int_record_persons.source_table = 'crm_contacts'
            and stg_crm__contacts_primary.record_id = int_record_persons.record_id
),

final as (
    select
        person_activity.person_id,
        person_activity.first_seen_at,
        person_activity.last_seen_at,
        person_activity.records,
        coalesce(identifier_counts.anonymous_id_count, 0) as anonymous_id_count,
        coalesce(identifier_counts.user_id_count, 0) as user_id_count,
        coalesce(identifier_counts.fbp_count, 0) as fbp_count,
        coalesce(identifier_counts.em_count, 0) as em_count,
        coalesce(identifier_counts.ph_count, 0) as ph_count,
        coalesce(identifier_counts.crm_contact_id_count, 0) as crm_contact_id_count,
        coalesce(identifier_counts.meta_lead_id_count, 0) as meta_lead_id_count,
        coalesce(identifier_counts.submission_id_count, 0) as submission_id_count,
        latest_keys.em,
        latest_keys.ph,
        latest_keys.fn,
        latest_keys.ln,
        latest_keys.ge,
        latest_keys.db,
        latest_keys.ct,
        latest_keys.st,
        latest_keys.zp,
        latest_keys.country,
        ranked_consent.has_ads_consent,
        latest_keys.ldu_state,
        ranked_contacts.crm_contact_id as primary_crm_contact_id
    from person_activity
    left join identifier_counts
        on person_activity.person_id = identifier_counts.person_id
    left join latest_keys
        on person_activity.person_id = latest_keys.person_id
    left join ranked_consent
        on
            person_activity.person_id = ranked_consent.person_id
            and ranked_consent.recency_rank = 1
    left join ranked_contacts
        on
            person_activity.person_id = ranked_contacts.person_id
            and ranked_contacts.primary_rank = 1
)

select * from final
