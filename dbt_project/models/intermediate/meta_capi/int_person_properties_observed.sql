-- One row per custom-property value seen on a staged record of a person, limited to the
-- (source, source_key) pairs that meta_capi_custom_properties lists: form answers are free
-- JSON, so only keys a seed allows can reach Meta.

{%- set crm_contact_columns = ['lead_source', 'utm_source', 'utm_medium', 'utm_campaign'] %}

with

stg_forms__submissions as (

    select
        submission_id,
        submitted_at,
        answers
    from {{ ref('stg_forms__submissions') }}

),

stg_crm__contacts as (

    select
        crm_contact_id,
        {{ journeys_crm_local_to_utc('created_at') }} as created_at,
        {{ crm_contact_columns | join(',\n        ') }}
    from {{ ref('stg_crm__contacts') }}

),

int_record_persons as (

    select
        source_table,
        record_id,
        person_id
    from {{ ref('int_record_persons') }}

),

meta_capi_custom_properties as (

    select distinct
        source,
        source_key
    from {{ ref('meta_capi_custom_properties') }}

),

form_answers as (

    select
        'form_submissions' as source_table,
        stg_forms__submissions.submission_id as record_id,
        stg_forms__submissions.submitted_at as observed_at,
        meta_capi_custom_properties.source,
        meta_capi_custom_properties.source_key,
        {{ meta_capi_json_text(
            'stg_forms__submissions.answers', 'meta_capi_custom_properties.source_key'
        ) }} as property_value
    from stg_forms__submissions
    cross join meta_capi_custom_properties
    where
        meta_capi_custom_properties.source = 'form_answers'
        and stg_forms__submissions.answers is not null

),

crm_contact_fields as (

    {% for column in crm_contact_columns %}
        select
            'crm_contacts' as source_table,
            stg_crm__contacts.crm_contact_id as record_id,
            stg_crm__contacts.created_at as observed_at,
            meta_capi_custom_properties.source,
            meta_capi_custom_properties.source_key,
            stg_crm__contacts.{{ column }} as property_value
        from stg_crm__contacts
        inner join meta_capi_custom_properties
            on
                meta_capi_custom_properties.source = 'crm_contact'
                and meta_capi_custom_properties.source_key = '{{ column }}'
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

properties_unioned as (

    select * from form_answers
    union all
    select * from crm_contact_fields

),

final as (

    select
        int_record_persons.person_id,
        properties_unioned.source_table,
        properties_unioned.record_id,
        properties_unioned.observed_at,
        properties_unioned.source,
        properties_unioned.source_key,
        properties_unioned.property_value
    from properties_unioned
    left join int_record_persons
        on
            properties_unioned.source_table = int_record_persons.source_table
            and properties_unioned.record_id = int_record_persons.record_id
    where properties_unioned.property_value is not null

)

select * from final
