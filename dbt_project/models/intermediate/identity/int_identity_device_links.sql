{#-
    One row per (device group, strong component) seen in the same record. A device group is
    a weak component (a cookie with its fbp); a strong component is what the strong
    identifiers alone connect. A device group may join the strong components it touches into
    one person only when they do not look like different people: no two of them hold an
    identifier of the same defining type (two emails, two phones, two CRM contacts, two
    logins, two lead ids). Otherwise is_bridging is true and the group joins none of them.
    Components over var identity_max_component_size are quarantined and take no links.

    A device is claimed only through a record that also carries a system-of-record
    identifier (a login, a CRM contact, a lead id, a form step): an email or phone typed at a
    checkout or a booking identifies that record, not the browser, because households share
    checkout emails. Set var identity_contact_keys_claim_devices to true to let them claim
    devices too (on generated funnels: recall +2 points, precision 0.9999 -> 0.9987).
-#}
{%- set contact_keys_claim_devices = var('identity_contact_keys_claim_devices') -%}
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

int_identity_record_nodes as (
    select
        source_table,
        record_id,
        node_id,
        is_strong
    from {{ ref('int_identity_record_nodes') }}
),

int_identity_all_nodes as (
    select
        node_id,
        identifier_type
    from {{ ref('int_identity_nodes') }}
),

int_identity_nodes as (
    select
        node_id,
        identifier_type
    from {{ ref('int_identity_nodes') }}
    where identifier_type in (
        {%- for defining_type in defining_types %}
            '{{ defining_type }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )
),

record_system_nodes as (
    select
        int_identity_record_nodes.source_table,
        int_identity_record_nodes.record_id,
        int_identity_record_nodes.node_id
    from int_identity_record_nodes
    inner join int_identity_all_nodes
        on int_identity_record_nodes.node_id = int_identity_all_nodes.node_id
    where
        int_identity_record_nodes.is_strong
        {%- if not contact_keys_claim_devices %}
            and int_identity_all_nodes.identifier_type not in ('em', 'ph')
        {%- endif %}
),

strong_components as (
    select
        component_node_id,
        count(*) as component_size
    from int_identity_strong_components
    group by component_node_id
),

mergeable_strong_nodes as (
    select
        int_identity_strong_components.node_id,
        int_identity_strong_components.component_node_id
    from int_identity_strong_components
    inner join strong_components
        on
            int_identity_strong_components.component_node_id
            = strong_components.component_node_id
    where strong_components.component_size <= {{ max_component_size }}
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
        case
            when weak_sizes.component_size > {{ max_component_size }}
                then int_identity_weak_components.node_id
            else int_identity_weak_components.component_node_id
        end as device_group_node_id
    from int_identity_weak_components
    inner join weak_sizes
        on int_identity_weak_components.component_node_id = weak_sizes.component_node_id
),

touches as (
    select distinct
        device_groups.device_group_node_id,
        mergeable_strong_nodes.component_node_id as strong_component_node_id
    from int_identity_record_nodes as weak_nodes
    inner join record_system_nodes as strong_nodes
        on
            weak_nodes.source_table = strong_nodes.source_table
            and weak_nodes.record_id = strong_nodes.record_id
    inner join device_groups
        on weak_nodes.node_id = device_groups.node_id
    inner join mergeable_strong_nodes
        on strong_nodes.node_id = mergeable_strong_nodes.node_id
    where not weak_nodes.is_strong
),

component_defining_types as (
    select distinct
        mergeable_strong_nodes.component_node_id,
        int_identity_nodes.identifier_type
    from mergeable_strong_nodes
    inner join int_identity_nodes
        on mergeable_strong_nodes.node_id = int_identity_nodes.node_id
),

device_group_type_counts as (
    select
        touches.device_group_node_id,
        component_defining_types.identifier_type,
        count(*) as components_with_type
    from touches
    inner join component_defining_types
        on touches.strong_component_node_id = component_defining_types.component_node_id
    group by touches.device_group_node_id, component_defining_types.identifier_type
),

device_group_conflicts as (
    select
        device_group_node_id,
        max(components_with_type) > 1 as is_bridging
    from device_group_type_counts
    group by device_group_node_id
),

touch_counts as (
    select
        device_group_node_id,
        count(*) as strong_components
    from touches
    group by device_group_node_id
),

final as (
    select
        touches.device_group_node_id,
        touches.strong_component_node_id,
        touch_counts.strong_components,
        coalesce(device_group_conflicts.is_bridging, false) as is_bridging
    from touches
    inner join touch_counts
        on touches.device_group_node_id = touch_counts.device_group_node_id
    left join device_group_conflicts
        on touches.device_group_node_id = device_group_conflicts.device_group_node_id
)

select * from final
