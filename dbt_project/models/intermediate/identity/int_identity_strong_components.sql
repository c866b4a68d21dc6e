{{
    config(
        pre_hook="{{ identity_connected_components(
            ref('int_identity_strong_edges'), identity_work_relation('__labels'),
            incremental=not flags.FULL_REFRESH,
        ) }}",
    )
}}
{#-
    Connected components of the strong-identifier graph: min-label contraction with pointer
    jumping (macro identity_connected_components, run by the pre-hook; incremental unless
    --full-refresh: only components touched by changed edges are recomputed). Nodes
    without an edge are their own component.
-#}
-- depends_on: {{ ref('int_identity_strong_edges') }}

with

int_identity_nodes as (
    select node_id
    from {{ ref('int_identity_nodes') }}
    where is_strong and not is_excluded
),

labels as (
    select
        node_id,
        component_node_id
    from {{ identity_work_relation('__labels') }}
),

final as (
    select
        int_identity_nodes.node_id,
        coalesce(labels.component_node_id, int_identity_nodes.node_id) as component_node_id
    from int_identity_nodes
    left join labels
        on int_identity_nodes.node_id = labels.node_id
)

select * from final
