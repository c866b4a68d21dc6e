{{
    config(
        pre_hook="{{ identity_connected_components(
            ref('int_identity_person_edges'), identity_work_relation('__labels'),
            incremental=not flags.FULL_REFRESH,
        ) }}",
    )
}}
{#-
    Connected components of the person graph (device groups joined to the strong components
    they touch): one row per device group or strong component with at least one such edge.
    Same algorithm as int_identity_strong_components.
-#}
-- depends_on: {{ ref('int_identity_person_edges') }}

with

labels as (
    select
        node_id,
        component_node_id
    from {{ identity_work_relation('__labels') }}
),

final as (
    select
        node_id,
        component_node_id
    from labels
)

select * from final
