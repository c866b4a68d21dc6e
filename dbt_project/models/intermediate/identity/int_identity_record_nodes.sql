{#- One row per usable (not excluded) identifier node seen in one staged record. -#}

with

int_identity_occurrences as (
    select
        source_table,
        record_id,
        identifier_type,
        identifier_value
    from {{ ref('int_identity_occurrences') }}
),

int_identity_nodes as (
    select
        node_id,
        identifier_type,
        identifier_value,
        is_strong
    from {{ ref('int_identity_nodes') }}
    where not is_excluded
),

final as (
    select
        int_identity_occurrences.source_table,
        int_identity_occurrences.record_id,
        int_identity_nodes.node_id,
        int_identity_nodes.is_strong
    from int_identity_occurrences
    inner join int_identity_nodes
        on
            int_identity_occurrences.identifier_type = int_identity_nodes.identifier_type
            and int_identity_occurrences.identifier_value = int_identity_nodes.identifier_value
)

select * from final
