{#-
    Edges between a device group and each strong component it may join (not bridging), in
    both directions: the graph whose components are people.
-#}

with

int_identity_device_links as (
    select
        device_group_node_id,
        strong_component_node_id
    from {{ ref('int_identity_device_links') }}
    where not is_bridging
),

final as (
    select
        device_group_node_id as src_node_id,
        strong_component_node_id as dst_node_id
    from int_identity_device_links
    union all
    select
        strong_component_node_id as src_node_id,
        device_group_node_id as dst_node_id
    from int_identity_device_links
)

select * from final
