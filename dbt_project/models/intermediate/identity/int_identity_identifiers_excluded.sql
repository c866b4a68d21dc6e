{#-
    Identifier values that must not connect records: blocked by hand (seed identity_blocklist)
    or linked to more than var identity_max_links distinct cookies or CRM contacts (a shared
    office phone, test@test.com, a kiosk browser). Merged CRM duplicates count as the contact
    they were merged into, so a person's own duplicate never makes their phone look shared.

    Hashed emails and phones are also held to per-type limits (var identity_shared_key_limits,
    after Segment's and RudderStack's identity rules): an em or ph seen with more distinct
    CRM contacts, logins, lead ids, other emails / phones, or first names (fn) than the limit
    is a household or office key, not a person's, and does not merge (a family sharing one
    mailbox).
-#}
{%- set max_links = var('identity_max_links') | int -%}
{%- set shared_key_limits = var('identity_shared_key_limits') -%}

with

int_identity_occurrences as (
    select
        source_table,
        record_id,
        identifier_type,
        identifier_value
    from {{ ref('int_identity_occurrences') }}
),

stg_crm__contacts as (
    select
        crm_contact_id,
        merged_into_crm_contact_id
    from {{ ref('stg_crm__contacts') }}
),

stg_forms__submissions as (
    select
        submission_id,
        fn
    from {{ ref('stg_forms__submissions') }}
    where fn is not null
),

stg_crm__contacts_names as (
    select
        crm_contact_id,
        fn
    from {{ ref('stg_crm__contacts') }}
    where fn is not null
),

identity_blocklist as (
    select
        identifier_type,
        identifier_value
    from {{ ref('identity_blocklist') }}
),

contact_roots as (
    select
        crm_contact_id,
        coalesce(
            nullif(trim(merged_into_crm_contact_id), ''), crm_contact_id
        ) as root_crm_contact_id
    from stg_crm__contacts
),

anchors as (
    select
        int_identity_occurrences.source_table,
        int_identity_occurrences.record_id,
        int_identity_occurrences.identifier_type as anchor_type,
        coalesce(
            contact_roots.root_crm_contact_id,
            int_identity_occurrences.identifier_value
        ) as anchor_value
    from int_identity_occurrences
    left join contact_roots
        on
            int_identity_occurrences.identifier_type = 'crm_contact_id'
            and int_identity_occurrences.identifier_value = contact_roots.crm_contact_id
    where int_identity_occurrences.identifier_type in ('anonymous_id', 'crm_contact_id')
),

links as (
    select
        int_identity_occurrences.identifier_type,
        int_identity_occurrences.identifier_value,
        count(distinct case
            when anchors.anchor_type = 'anonymous_id' then anchors.anchor_value
        end) as linked_cookies,
        count(distinct case
            when anchors.anchor_type = 'crm_contact_id' then anchors.anchor_value
        end) as linked_contacts
    from int_identity_occurrences
    inner join anchors
        on
            int_identity_occurrences.source_table = anchors.source_table
            and int_identity_occurrences.record_id = anchors.record_id
            and int_identity_occurrences.identifier_type <> anchors.anchor_type
    group by
        int_identity_occurrences.identifier_type,
        int_identity_occurrences.identifier_value
),

first_names as (
    {#- a first-name hash is not an identifier (people share names) but two of them on one
        email or phone show a household -#}
    select
        'form_submissions' as source_table,
        cast(submission_id as {{ dbt.type_string() }}) as record_id,
        'fn' as identifier_type,
        fn as identifier_value
    from stg_forms__submissions
    union all
    select
        'crm_contacts' as source_table,
        cast(crm_contact_id as {{ dbt.type_string() }}) as record_id,
        'fn' as identifier_type,
        fn as identifier_value
    from stg_crm__contacts_names
),

linkable_values as (
    select
        source_table,
        record_id,
        identifier_type,
        identifier_value
    from int_identity_occurrences
    union all
    select
        source_table,
        record_id,
        identifier_type,
        identifier_value
    from first_names
),

linked_values as (
    select distinct
        int_identity_occurrences.identifier_type,
        int_identity_occurrences.identifier_value,
        linked.identifier_type as linked_type,
        coalesce(contact_roots.root_crm_contact_id, linked.identifier_value) as linked_value
    from int_identity_occurrences
    inner join linkable_values as linked
        on
            int_identity_occurrences.source_table = linked.source_table
            and int_identity_occurrences.record_id = linked.record_id
            and int_identity_occurrences.identifier_type <> linked.identifier_type
    left join contact_roots
        on
            linked.identifier_type = 'crm_contact_id'
            and linked.identifier_value = contact_roots.crm_contact_id
    where
        int_identity_occurrences.identifier_type in ('em', 'ph')
        and linked.identifier_type in (
            {%- for linked_type in shared_key_limits %}
                '{{ linked_type }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
),

linked_value_counts as (
    select
        identifier_type,
        identifier_value,
        linked_type,
        count(*) as linked_count
    from linked_values
    group by identifier_type, identifier_value, linked_type
),

shared_keys as (
    select
        identifier_type,
        identifier_value,
        max(linked_count) as linked_count,
        min(linked_type) as linked_type
    from linked_value_counts
    where
    {%- for linked_type, limit in shared_key_limits.items() %}
            (linked_type = '{{ linked_type }}' and linked_count > {{ limit | int }})
            {{- ' or' if not loop.last }}
    {%- endfor %}
    group by identifier_type, identifier_value
),

over_linked as (
    select
        identifier_type,
        identifier_value,
        linked_cookies,
        linked_contacts,
        case
            when linked_contacts > {{ max_links }} then 'linked_to_too_many_contacts'
            else 'linked_to_too_many_cookies'
        end as reason
    from links
    where
        linked_cookies > {{ max_links }}
        or linked_contacts > {{ max_links }}
    union all
    select
        shared_keys.identifier_type,
        shared_keys.identifier_value,
        coalesce(links.linked_cookies, 0) as linked_cookies,
        coalesce(links.linked_contacts, 0) as linked_contacts,
        'shared_by_several_' || shared_keys.linked_type as reason
    from shared_keys
    left join links
        on
            shared_keys.identifier_type = links.identifier_type
            and shared_keys.identifier_value = links.identifier_value
    where
        coalesce(links.linked_cookies, 0) <= {{ max_links }}
        and coalesce(links.linked_contacts, 0) <= {{ max_links }}
),

blocked as (
    select distinct
        int_identity_occurrences.identifier_type,
        int_identity_occurrences.identifier_value
    from int_identity_occurrences
    inner join identity_blocklist
        on
            int_identity_occurrences.identifier_type = identity_blocklist.identifier_type
            and int_identity_occurrences.identifier_value = identity_blocklist.identifier_value
),

final as (
    select
        blocked.identifier_type,
        blocked.identifier_value,
        coalesce(links.linked_cookies, 0) as linked_cookies,
        coalesce(links.linked_contacts, 0) as linked_contacts,
        'blocklist' as reason
    from blocked
    left join links
        on
            blocked.identifier_type = links.identifier_type
            and blocked.identifier_value = links.identifier_value
    union all
    select
        over_linked.identifier_type,
        over_linked.identifier_value,
        over_linked.linked_cookies,
        over_linked.linked_contacts,
        over_linked.reason
    from over_linked
    left join blocked
        on
            over_linked.identifier_type = blocked.identifier_type
            and over_linked.identifier_value = blocked.identifier_value
    where blocked.identifier_value is null
)

select * from final
