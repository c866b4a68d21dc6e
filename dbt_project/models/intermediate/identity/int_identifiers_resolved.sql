{#- One row per identifier ever seen, with the person it resolves to (null when excluded). -#}

with

int_identity_nodes as (
    select
        node_id,
        identifier_type,
        identifier_value,
        is_strong,
        is_excluded,
        exclusion_reason,
        first_seen_at,
        last_seen_at,
        records
    from {{ ref('int_identity_nodes') }}
),

int_identity_nodes_resolved as (
    select
        node_id,
        person_node_id,
        resolution
    from {{ ref('int_identity_nodes_resolved') }}
),

person_nodes as (
    select
        node_id,
        identifier_type,
        identifier_value
    from int_identity_nodes
),

final as (
    select
        int_identity_nodes.identifier_type,
        int_identity_nodes.identifier_value,
        case
            when person_nodes.node_id is not null
                then {{ identity_person_id(
                    'person_nodes.identifier_type', 'person_nodes.identifier_value'
                ) }}
        end as person_id,
        int_identity_nodes.is_strong,
        int_identity_nodes.first_seen_at,
        int_identity_nodes.last_seen_at,
        int_identity_nodes.records,
        coalesce(int_identity_nodes_resolved.resolution, 'excluded') as resolution,
        int_identity_nodes.exclusion_reason,
        int_identity_nodes.node_id
    from int_identity_nodes
    left join int_identity_nodes_resolved
        on int_identity_nodes.node_id = int_identity_nodes_resolved.node_id
    left join person_nodes
        on int_identity_nodes_resolved.person_node_id = person_nodes.node_id
)

select * from final
