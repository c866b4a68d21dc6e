{#- Generic tests for the identity models (no dbt_utils here: hub packages cannot be fetched). -#}

{#- The combination of `columns` is unique (a composite key). -#}
{% test identity_unique_columns(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}


{#- Every edge of `edges` (src_node_id, dst_node_id) joins two nodes with the same label:
    the components really are closed under the edges (the propagation converged). -#}
{% test identity_components_closed(model, edges) %}
    select
        edges.src_node_id,
        edges.dst_node_id
    from {{ edges }} as edges
    inner join {{ model }} as src_labels
        on edges.src_node_id = src_labels.node_id
    inner join {{ model }} as dst_labels
        on edges.dst_node_id = dst_labels.node_id
    where src_labels.component_node_id <> dst_labels.component_node_id
{% endtest %}


{#- A label is the smallest node of its component, and a member of it. -#}
{% test identity_labels_are_minimal(model) %}
    select node_id
    from {{ model }}
    where component_node_id > node_id
    union all
    select labels.node_id
    from {{ model }} as labels
    left join {{ model }} as roots
        on labels.component_node_id = roots.node_id
    where roots.component_node_id is null or roots.component_node_id <> roots.node_id
{% endtest %}
