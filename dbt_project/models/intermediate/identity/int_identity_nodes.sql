{#-
    One row per distinct identifier: the graph's nodes. node_id is identity_node_id(type,
    value), an MD5 prefix: the same identifier keeps the same node id however the data grows
    (the incremental component computation depends on it) and person ids come out the same
    for the same data.
-#}

with

int_identity_occurrences as (
    select
        node_id,
        identifier_type,
        identifier_value,
        is_strong,
        seen_at
    from {{ ref('int_identity_occurrences') }}
),

int_identity_identifiers_excluded as (
    select
        identifier_type,
        identifier_value,
        reason
    from {{ ref('int_identity_identifiers_excluded') }}
),

identifiers as (
    {#- grouped by the integer id alone: type and value are the same on every row of it -#}
    select
        node_id,
        min(identifier_type) as identifier_type,
        min(identifier_value) as identifier_value,
        max(case when is_strong then 1 else 0 end) = 1 as is_strong,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        count(*) as records
    from int_identity_occurrences
    group by node_id
),

final as (
    select
        identifiers.node_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.is_strong,
        int_identity_identifiers_excluded.reason is not null as is_excluded,
        int_identity_identifiers_excluded.reason as exclusion_reason,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        identifiers.records
    from identifiers
    left join int_identity_identifiers_excluded
        on
            identifiers.identifier_type = int_identity_identifiers_excluded.identifier_type
            and identifiers.identifier_value = int_identity_identifiers_excluded.identifier_value
)

select * from final
