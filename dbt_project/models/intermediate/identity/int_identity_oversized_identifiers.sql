{#-
    One row per identifier value that was not used to merge people, with why and how widely
    it was linked: blocked by hand, linked to too many cookies or contacts, a weak identifier
    seen with several people, or a member of a quarantined (oversized) component.
-#}

with

int_identity_identifiers_excluded as (
    select
        identifier_type,
        identifier_value,
        linked_cookies,
        linked_contacts,
        reason
    from {{ ref('int_identity_identifiers_excluded') }}
),

int_identity_nodes as (
    select
        node_id,
        identifier_type,
        identifier_value
    from {{ ref('int_identity_nodes') }}
),

int_identity_nodes_resolved as (
    select
        node_id,
        resolution,
        linked_count
    from {{ ref('int_identity_nodes_resolved') }}
    where resolution in ('bridges_persons', 'quarantined_component')
),

excluded as (
    select
        identifier_type,
        identifier_value,
        case
            when linked_contacts > linked_cookies then linked_contacts
            else linked_cookies
        end as linked_count,
        reason
    from int_identity_identifiers_excluded
),

unmerged as (
    select
        int_identity_nodes.identifier_type,
        int_identity_nodes.identifier_value,
        int_identity_nodes_resolved.linked_count,
        case int_identity_nodes_resolved.resolution
            when 'bridges_persons' then 'weak_identifier_seen_with_several_persons'
            else 'in_oversized_component'
        end as reason
    from int_identity_nodes_resolved
    inner join int_identity_nodes
        on int_identity_nodes_resolved.node_id = int_identity_nodes.node_id
),

final as (
    select * from excluded
    union all
    select * from unmerged
)

select * from final
