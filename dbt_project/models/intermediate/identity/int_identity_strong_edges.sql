{#-
    Edges between strong identifiers (user, CRM contact, lead, submission ids, em, ph)
    seen in one record, as a star on the record's smallest such node (k nodes give k - 1
    edges, not k squared), in both directions as identity_connected_components expects.
-#}

with

int_identity_record_nodes as (
    select
        source_table,
        record_id,
        node_id
    from {{ ref('int_identity_record_nodes') }}
    where is_strong
),

record_anchors as (
    select
        source_table,
        record_id,
        min(node_id) as anchor_node_id
    from int_identity_record_nodes
    group by source_table, record_id
),

star as (
    select
        int_identity_record_nodes.node_id as src_node_id,
        record_anchors.anchor_node_id as dst_node_id
    from int_identity_record_nodes
    inner join record_anchors
        on
            int_identity_record_nodes.source_table = record_anchors.source_table
            and int_identity_record_nodes.record_id = record_anchors.record_id
    where int_identity_record_nodes.node_id <> record_anchors.anchor_node_id
),

final as (
    select
        src_node_id,
        dst_node_id
    from star
    union
    select
        dst_node_id as src_node_id,
        src_node_id as dst_node_id
    from star
)

select * from final
