{#-
    Connected components of an undirected graph, in plain SQL that any engine runs.

    identity_connected_components(edges, labels_relation) reads `edges` (columns src_node_id,
    dst_node_id: integers, every edge present in both directions) and leaves the table
    `labels_relation` (node_id, component_node_id), where component_node_id is the smallest
    node id of the node's component. Nodes without an edge are not in it.

    Algorithm: min-label propagation with hooking and pointer jumping (the hash-to-min /
    Shiloach-Vishkin family). Each round, every node takes the smallest label among its own,
    its neighbours' and (hooking) any label offered to the node it points to; then every node
    jumps to the label of its label. Rounds grow with the logarithm of component size, not
    with the longest chain, and each round is two joins and a group-by over the edge list, so
    it scales with the warehouse rather than with one machine's memory. A recursive CTE would
    keep every path and blow up around hubs; DuckDB's `USING KEY` is not portable.

    The loop runs from a model's pre-hook (hooks render only when a model executes, so parse,
    compile and SQLFluff never touch the warehouse). Each round is one `create table as
    select` plus one count of changed labels; the loop stops when no label changed and fails
    loudly after `identity_max_rounds` rounds. Dispatched, so an engine with a faster native
    primitive can override it.
-#}
{% macro identity_connected_components(edges, labels_relation) -%}
    {{ return(adapter.dispatch('identity_connected_components', 'journey_memory')(edges, labels_relation)) }}
{%- endmacro %}


{% macro default__identity_connected_components(edges, labels_relation) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set max_rounds = var('identity_max_rounds', 64) | int -%}
    {%- set rounds = [] -%}
    {%- for round in range(0, max_rounds + 1) -%}
        {%- do rounds.append(labels_relation.incorporate(
            path={'identifier': labels_relation.identifier ~ '__round_' ~ round})) -%}
    {%- endfor -%}

    {%- do run_query('drop table if exists ' ~ rounds[0]) -%}
    {%- set init_query -%}
        create table {{ rounds[0] }} as
        select
            src_node_id as node_id,
            least(src_node_id, min(dst_node_id)) as component_node_id
        from {{ edges }}
        group by src_node_id
    {%- endset -%}
    {%- do run_query(init_query) -%}

    {%- set state = namespace(done=false, rounds=0) -%}
    {%- for round in range(1, max_rounds + 1) -%}
        {%- if not state.done -%}
            {%- set previous = rounds[round - 1] -%}
            {%- set current = rounds[round] -%}
            {%- do run_query('drop table if exists ' ~ current) -%}
            {%- set round_query -%}
                create table {{ current }} as
                with offers as (
                    select
                        edges.src_node_id as node_id,
                        src_labels.component_node_id as own_label,
                        dst_labels.component_node_id as offered_label
                    from {{ edges }} as edges
                    inner join {{ previous }} as src_labels
                        on edges.src_node_id = src_labels.node_id
                    inner join {{ previous }} as dst_labels
                        on edges.dst_node_id = dst_labels.node_id
                ),

                candidates as (
                    select node_id, offered_label as component_node_id from offers
                    union all
                    -- hooking: the node a label points to learns the smaller label too
                    select own_label as node_id, offered_label as component_node_id
                    from offers
                    where offered_label < own_label
                    union all
                    select node_id, component_node_id from {{ previous }}
                ),

                propagated as (
                    select
                        node_id,
                        min(component_node_id) as component_node_id
                    from candidates
                    group by node_id
                ),

                jumped as (
                    select
                        propagated.node_id,
                        least(
                            propagated.component_node_id,
                            coalesce(
                                label_of_label.component_node_id,
                                propagated.component_node_id
                            )
                        ) as component_node_id
                    from propagated
                    left join propagated as label_of_label
                        on propagated.component_node_id = label_of_label.node_id
                )

                select * from jumped
            {%- endset -%}
            {%- do run_query(round_query) -%}
            {%- set changed_query -%}
                select count(*) as changed
                from {{ current }} as current_labels
                inner join {{ previous }} as previous_labels
                    on current_labels.node_id = previous_labels.node_id
                where current_labels.component_node_id <> previous_labels.component_node_id
            {%- endset -%}
            {%- set changed = run_query(changed_query).columns[0].values()[0] | int -%}
            {%- do run_query('drop table if exists ' ~ previous) -%}
            {%- set state.rounds = round -%}
            {{ log('identity components ' ~ labels_relation ~ ': round ' ~ round ~ ', '
                ~ changed ~ ' labels changed', info=true) }}
            {%- if changed == 0 -%}
                {%- set state.done = true -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if not state.done -%}
        {%- do run_query('drop table if exists ' ~ rounds[state.rounds]) -%}
        {{ exceptions.raise_compiler_error(
            'identity components ' ~ labels_relation ~ ' did not converge in '
            ~ max_rounds ~ ' rounds; raise the identity_max_rounds var') }}
    {%- endif -%}

    {%- do run_query('drop table if exists ' ~ labels_relation) -%}
    {%- do run_query(
        'create table ' ~ labels_relation ~ ' as select node_id, component_node_id from '
        ~ rounds[state.rounds]) -%}
    {%- do run_query('drop table if exists ' ~ rounds[state.rounds]) -%}
    {{ return('') }}
{%- endmacro %}
