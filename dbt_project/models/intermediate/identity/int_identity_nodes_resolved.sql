{#-
    One row per usable node: the node of the person it belongs to and how it got there.

    Strong identifiers define people: the strong identifiers connected by records form a
    strong component. A component with more than var identity_max_component_size members is
    quarantined (each member stays a person of its own) rather than merged: that size means
    shared identifiers percolating, not one human.
    Weak identifiers (cookies, fbp) attach but never bridge two people: a device group joins
    the strong components it touches only when they do not look like different people (see
    int_identity_device_links), and a person assembled that way is checked once more as a
    whole (no defining type held by two of its strong components, not oversized); if the
    check fails, its strong components stay apart and its devices attach only where they
    touch one component. A device group that touches none is an anonymous person of its own.
    The person node is the smallest strong identifier of the person (the device group's
    smallest identifier for anonymous people), so person ids repeat for the same data.
-#}
{%- set max_component_size = var('identity_max_component_size') | int -%}
{%- set defining_types = ['user_id', 'crm_contact_id', 'meta_lead_id', 'em', 'ph'] -%}

with

int_identity_strong_components as (
    select
        node_id,
        component_node_id
    from {{ ref('int_identity_strong_components') }}
),

int_identity_weak_components as (
    select
        node_id,
        component_node_id
    from {{ ref('int_identity_weak_components') }}
),

int_identity_device_links as (
    select
        device_group_node_id,
        strong_component_node_id,
        strong_components,
        is_bridging
    from {{ ref('int_identity_device_links') }}
),

int_identity_person_components as (
    select
        node_id,
        component_node_id
    from {{ ref('int_identity_person_components') }}
),

int_identity_nodes as (
    select
        node_id,
        identifier_type
    from {{ ref('int_identity_nodes') }}
),

strong_sizes as (
    select
        component_node_id,
        count(*) as component_size
    from int_identity_strong_components
    group by component_node_id
),

strong_components as (
    select
        strong_sizes.component_node_id,
        strong_sizes.component_size,
        coalesce(
            int_identity_person_components.component_node_id,
            strong_sizes.component_node_id
        ) as person_group_node_id
    from strong_sizes
    left join int_identity_person_components
        on strong_sizes.component_node_id = int_identity_person_components.node_id
    where strong_sizes.component_size <= {{ max_component_size }}
),

strong_component_types as (
    select distinct
        int_identity_strong_components.component_node_id,
        int_identity_nodes.identifier_type
    from int_identity_strong_components
    inner join int_identity_nodes
        on int_identity_strong_components.node_id = int_identity_nodes.node_id
    where int_identity_nodes.identifier_type in (
        {%- for defining_type in defining_types %}
            '{{ defining_type }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )
),

person_group_type_counts as (
    select
        strong_components.person_group_node_id,
        strong_component_types.identifier_type,
        count(*) as components_with_type
    from strong_components
    inner join strong_component_types
        on strong_components.component_node_id = strong_component_types.component_node_id
    group by strong_components.person_group_node_id, strong_component_types.identifier_type
),

person_group_conflicts as (
    select
        person_group_node_id,
        max(components_with_type) as max_components_with_type
    from person_group_type_counts
    group by person_group_node_id
),

person_groups as (
    select
        strong_components.person_group_node_id,
        min(strong_components.component_node_id) as person_node_id,
        sum(strong_components.component_size) as strong_identifiers,
        count(*) as strong_component_count
    from strong_components
    group by strong_components.person_group_node_id
),

valid_person_groups as (
    select
        person_groups.person_group_node_id,
        person_groups.person_node_id
    from person_groups
    left join person_group_conflicts
        on person_groups.person_group_node_id = person_group_conflicts.person_group_node_id
    where
        coalesce(person_group_conflicts.max_components_with_type, 0) <= 1
        and person_groups.strong_identifiers <= {{ max_component_size }}
),

strong_resolved as (
    select
        int_identity_strong_components.node_id,
        case
            when strong_components.component_node_id is null
                then int_identity_strong_components.node_id
            else coalesce(
                valid_person_groups.person_node_id,
                int_identity_strong_components.component_node_id
            )
        end as person_node_id,
        case
            when strong_components.component_node_id is null then 'quarantined_component'
            else 'strong_component'
        end as resolution,
        strong_sizes.component_size as linked_count
    from int_identity_strong_components
    inner join strong_sizes
        on int_identity_strong_components.component_node_id = strong_sizes.component_node_id
    left join strong_components
        on
            int_identity_strong_components.component_node_id
            = strong_components.component_node_id
    left join valid_person_groups
        on strong_components.person_group_node_id = valid_person_groups.person_group_node_id
),

weak_sizes as (
    select
        component_node_id,
        count(*) as component_size
    from int_identity_weak_components
    group by component_node_id
),

device_groups as (
    select
        int_identity_weak_components.node_id,
        weak_sizes.component_size > {{ max_component_size }} as is_quarantined,
        case
            when weak_sizes.component_size > {{ max_component_size }}
                then int_identity_weak_components.node_id
            else int_identity_weak_components.component_node_id
        end as device_group_node_id,
        weak_sizes.component_size
    from int_identity_weak_components
    inner join weak_sizes
        on int_identity_weak_components.component_node_id = weak_sizes.component_node_id
),

device_group_touches as (
    select
        device_group_node_id,
        max(strong_components) as strong_components,
        min(strong_component_node_id) as only_strong_component_node_id,
        max(case when is_bridging then 1 else 0 end) = 1 as is_bridging
    from int_identity_device_links
    group by device_group_node_id
),

device_group_persons as (
    select
        device_groups.node_id,
        device_groups.device_group_node_id,
        device_groups.is_quarantined,
        device_groups.component_size,
        device_group_touches.strong_components,
        device_group_touches.is_bridging,
        case
            when valid_person_groups.person_node_id is not null
                then valid_person_groups.person_node_id
            when device_group_touches.strong_components = 1
                then only_strong.person_node_id
        end as attached_person_node_id
    from device_groups
    left join device_group_touches
        on device_groups.device_group_node_id = device_group_touches.device_group_node_id
    left join int_identity_person_components
        on device_groups.device_group_node_id = int_identity_person_components.node_id
    left join valid_person_groups
        on
            int_identity_person_components.component_node_id
            = valid_person_groups.person_group_node_id
    left join strong_resolved as only_strong
        on device_group_touches.only_strong_component_node_id = only_strong.node_id
),

weak_resolved as (
    select
        node_id,
        coalesce(attached_person_node_id, device_group_node_id) as person_node_id,
        case
            when attached_person_node_id is not null then 'attached'
            when strong_components > 1 then 'bridges_persons'
            when is_quarantined then 'quarantined_component'
            else 'device_only'
        end as resolution,
        case
            when attached_person_node_id is null and strong_components > 1
                then strong_components
            else component_size
        end as linked_count
    from device_group_persons
),

final as (
    select
        node_id,
        person_node_id,
        resolution,
        linked_count
    from strong_resolved
    union all
    select
        node_id,
        person_node_id,
        resolution,
        linked_count
    from weak_resolved
)

select * from final
