{#- One row per usable (not excluded) identifier node seen in one staged record. -#}

with

int_identity_occurrences as (
    select
        source_table,
        record_id,
        node_id,
        is_strong
    from {{ ref('int_identity_occurrences') }}
),

excluded_nodes as (
    select node_id
    from {{ ref('int_identity_nodes') }}
    where is_excluded
),

final as (
    {#- an anti-join on the few excluded nodes, not a join on every node -#}
    select
        int_identity_occurrences.source_table,
        int_identity_occurrences.record_id,
        int_identity_occurrences.node_id,
        int_identity_occurrences.is_strong
    from int_identity_occurrences
    left join excluded_nodes
        on int_identity_occurrences.node_id = excluded_nodes.node_id
    where excluded_nodes.node_id is null
)

select * from final
