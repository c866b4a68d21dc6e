{#-
    One row per distinct identifier, numbered: the graph's nodes. node_id follows
    (identifier_type, identifier_value) order, so a component's smallest node is its smallest
    identifier and person ids come out the same for the same data.
-#}

with

int_identity_occurrences as (
    select
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
    select
        identifier_type,
        identifier_value,
        is_strong,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        count(*) as records
    from int_identity_occurrences
    group by identifier_type, identifier_value, is_strong
),

final as (
    select
        row_number() over (
            order by identifiers.identifier_type, identifiers.identifier_value
        ) as node_id,
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
