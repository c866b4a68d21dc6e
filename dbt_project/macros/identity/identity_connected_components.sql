{#-
    Connected components of an undirected graph, in plain SQL that any engine runs.

    identity_connected_components(edges, labels_relation, incremental=false) reads `edges`
    (columns src_node_id, dst_node_id: integers, every edge present in both directions) and
    leaves the table `labels_relation` (node_id, component_node_id), where component_node_id
    is the smallest node id of the node's component. Nodes without an edge are not in it.

    Algorithm: min-label contraction (the hash-to-min family). Each round every node hooks
    to the smallest of itself and its neighbours, jumps once more to that node's own choice
    (label := label of label), and the edge list is rewritten onto the labels, dropping the
    edges that fall inside one label. The graph shrinks every round and the loop stops when
    no edge is left; the labels of the rounds are then composed back onto the original
    nodes. With node ids spread at random (identity_node_id is an MD5 prefix) a round keeps
    about a third of the nodes, so rounds grow with the logarithm of component size and the
    later rounds touch a small fraction of the edges. Each round is a group-by and two joins,
    so it scales with the warehouse rather than with one machine's memory. A recursive CTE
    would keep every path and blow up around hubs; DuckDB's `USING KEY` is not portable.

    Incremental (incremental=true and the previous run's labels_relation and its edge
    snapshot `<labels_relation>__edges` exist): only the components that changed are
    recomputed. The edges added or removed since the snapshot (set differences of the edge
    list and the snapshot), the previous components of their endpoints, and every node of
    those components form the affected set; the components of the current edges among the
    affected nodes are computed from scratch and every other node keeps its previous label.
    An unaffected component has exactly the edges it had, so its label (its smallest node)
    is unchanged, and the result equals a full computation.

    The loop runs from a model's pre-hook (hooks render only when a model executes, so parse,
    compile and SQLFluff never touch the warehouse). It fails loudly after
    `identity_max_rounds` rounds. Dispatched, so an engine with a faster native primitive can
    override it; the spark__ variant, if any, must accept the same arguments.
-#}
{% macro identity_connected_components(edges, labels_relation, incremental=false) -%}
    {{ return(adapter.dispatch('identity_connected_components', 'journey_memory')(
        edges, labels_relation, incremental)) }}
{%- endmacro %}


{% macro identity_components_work(relation, suffix) -%}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ suffix})) }}
{%- endmacro %}


{% macro identity_components_replace(source, destination) -%}
    {#- move a finished work table into place (a copy: a rename would go around dbt's
        relation cache, which still lists the destination) -#}
    {%- do run_query('drop table if exists ' ~ destination) -%}
    {%- do run_query(
        'create table ' ~ destination ~ ' as select node_id, component_node_id from ' ~ source) -%}
    {%- do run_query('drop table if exists ' ~ source) -%}
{%- endmacro %}


{% macro default__identity_connected_components(edges, labels_relation, incremental=false) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set snapshot = identity_components_work(labels_relation, '__edges') -%}
    {%- set previous_labels = adapter.get_relation(
        database=labels_relation.database, schema=labels_relation.schema,
        identifier=labels_relation.identifier) -%}
    {%- set previous_snapshot = adapter.get_relation(
        database=snapshot.database, schema=snapshot.schema, identifier=snapshot.identifier) -%}
    {%- set result = identity_components_work(labels_relation, '__result') -%}

    {%- if incremental and previous_labels is not none and previous_snapshot is not none -%}
        {%- set changed = identity_components_work(labels_relation, '__changed') -%}
        {%- set affected = identity_components_work(labels_relation, '__affected') -%}
        {%- set sub_edges = identity_components_work(labels_relation, '__sub_edges') -%}
        {%- set sub_labels = identity_components_work(labels_relation, '__sub_labels') -%}
        {%- do run_query('drop table if exists ' ~ changed) -%}
        {%- set changed_query -%}
            create table {{ changed }} as
            select src_node_id, dst_node_id
            from (
                select src_node_id, dst_node_id from {{ edges }}
                except
                select src_node_id, dst_node_id from {{ snapshot }}
            ) as added
            union all
            select src_node_id, dst_node_id
            from (
                select src_node_id, dst_node_id from {{ snapshot }}
                except
                select src_node_id, dst_node_id from {{ edges }}
            ) as removed
        {%- endset -%}
        {%- do run_query(changed_query) -%}
        {%- set changed_edges = run_query(
            'select count(*) from ' ~ changed).columns[0].values()[0] | int -%}
        {%- if changed_edges == 0 -%}
            {#- same edges as last time: the labels and the snapshot stand -#}
            {%- do run_query('drop table if exists ' ~ changed) -%}
            {{ log('identity components ' ~ labels_relation
                ~ ': incremental, no edge changed', info=true) }}
            {{ return('') }}
        {%- endif -%}
        {%- do run_query('drop table if exists ' ~ affected) -%}
        {%- set affected_query -%}
            create table {{ affected }} as
            with endpoints as (
                select src_node_id as node_id from {{ changed }}
                union
                select dst_node_id as node_id from {{ changed }}
            ),

            touched_components as (
                select distinct previous_labels.component_node_id
                from endpoints
                inner join {{ labels_relation }} as previous_labels
                    on endpoints.node_id = previous_labels.node_id
            )

            select node_id from endpoints
            union
            select previous_labels.node_id
            from {{ labels_relation }} as previous_labels
            inner join touched_components
                on previous_labels.component_node_id = touched_components.component_node_id
        {%- endset -%}
        {%- do run_query(affected_query) -%}
        {%- do run_query('drop table if exists ' ~ sub_edges) -%}
        {%- do run_query(
            'create table ' ~ sub_edges ~ ' as select edges.src_node_id, edges.dst_node_id from '
            ~ edges ~ ' as edges inner join ' ~ affected ~ ' as affected'
            ~ ' on edges.src_node_id = affected.node_id') -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ changed ~ '), (select count(*) from ' ~ affected
            ~ '), (select count(*) from ' ~ sub_edges ~ ')').rows[0] -%}
        {{ log('identity components ' ~ labels_relation ~ ': incremental, ' ~ counts[0]
            ~ ' edges changed, ' ~ counts[1] ~ ' nodes affected, ' ~ counts[2]
            ~ ' edges recomputed', info=true) }}
        {%- do identity_components_contract(sub_edges, sub_labels) -%}
        {%- do run_query('drop table if exists ' ~ result) -%}
        {%- set merge_query -%}
            create table {{ result }} as
            select previous_labels.node_id, previous_labels.component_node_id
            from {{ labels_relation }} as previous_labels
            left join {{ affected }} as affected
                on previous_labels.node_id = affected.node_id
            where affected.node_id is null
            union all
            select node_id, component_node_id from {{ sub_labels }}
        {%- endset -%}
        {%- do run_query(merge_query) -%}
        {%- for work in [changed, affected, sub_edges, sub_labels] -%}
            {%- do run_query('drop table if exists ' ~ work) -%}
        {%- endfor -%}
        {#- snapshot first: labels without their snapshot make the next run a full one -#}
        {%- do run_query('drop table if exists ' ~ snapshot) -%}
        {%- do identity_components_replace(result, labels_relation) -%}
    {%- else -%}
        {%- do run_query('drop table if exists ' ~ snapshot) -%}
        {%- do identity_components_contract(edges, labels_relation) -%}
    {%- endif -%}

    {%- do run_query(
        'create table ' ~ snapshot ~ ' as select src_node_id, dst_node_id from ' ~ edges) -%}
    {{ return('') }}
{%- endmacro %}


{#- The contraction loop: components of `edges` into the new table `out_relation`. -#}
{% macro identity_components_contract(edges, out_relation) -%}
    {%- set max_rounds = var('identity_max_rounds', 64) | int -%}
    {%- set state = namespace(done=false, rounds=0) -%}
    {%- set edge_levels = [edges] -%}
    {%- set label_levels = [] -%}
    {%- for round in range(0, max_rounds) -%}
        {%- if not state.done -%}
            {%- set level_edges = edge_levels[round] -%}
            {%- set level_labels = identity_components_work(out_relation, '__m' ~ round) -%}
            {%- set next_edges = identity_components_work(out_relation, '__e' ~ (round + 1)) -%}
            {%- do run_query('drop table if exists ' ~ level_labels) -%}
            {%- set hook_query -%}
                create table {{ level_labels }} as
                with hooked as (
                    select
                        src_node_id as node_id,
                        least(src_node_id, min(dst_node_id)) as label_node_id
                    from {{ level_edges }}
                    group by src_node_id
                )

                select
                    hooked.node_id,
                    coalesce(label_of_label.label_node_id, hooked.label_node_id)
                        as label_node_id
                from hooked
                left join hooked as label_of_label
                    on hooked.label_node_id = label_of_label.node_id
            {%- endset -%}
            {%- do run_query(hook_query) -%}
            {%- do label_levels.append(level_labels) -%}
            {%- do run_query('drop table if exists ' ~ next_edges) -%}
            {%- set contract_query -%}
                create table {{ next_edges }} as
                select distinct
                    src_labels.label_node_id as src_node_id,
                    dst_labels.label_node_id as dst_node_id
                from {{ level_edges }} as level_edges
                inner join {{ level_labels }} as src_labels
                    on level_edges.src_node_id = src_labels.node_id
                inner join {{ level_labels }} as dst_labels
                    on level_edges.dst_node_id = dst_labels.node_id
                where src_labels.label_node_id <> dst_labels.label_node_id
            {%- endset -%}
            {%- do run_query(contract_query) -%}
            {%- if round > 0 -%}
                {%- do run_query('drop table if exists ' ~ level_edges) -%}
            {%- endif -%}
            {%- set remaining = run_query(
                'select count(*) from ' ~ next_edges).columns[0].values()[0] | int -%}
            {%- do edge_levels.append(next_edges) -%}
            {%- set state.rounds = round + 1 -%}
            {{ log('identity components ' ~ out_relation ~ ': round ' ~ (round + 1) ~ ', '
                ~ remaining ~ ' edges left', info=true) }}
            {%- if remaining == 0 -%}
                {%- set state.done = true -%}
                {%- do run_query('drop table if exists ' ~ next_edges) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if not state.done -%}
        {%- do run_query('drop table if exists ' ~ edge_levels[-1]) -%}
        {%- for level_labels in label_levels -%}
            {%- do run_query('drop table if exists ' ~ level_labels) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            'identity components ' ~ out_relation ~ ' did not converge in '
            ~ max_rounds ~ ' rounds; raise the identity_max_rounds var') }}
    {%- endif -%}

    {#- compose the rounds back: a node's label is its round-0 label's final label -#}
    {%- do run_query('drop table if exists ' ~ out_relation) -%}
    {%- set last_level = label_levels | length - 1 -%}
    {%- if last_level == 0 -%}
        {%- do run_query(
            'create table ' ~ out_relation ~ ' as select node_id, label_node_id as'
            ~ ' component_node_id from ' ~ label_levels[0]) -%}
        {%- do run_query('drop table if exists ' ~ label_levels[0]) -%}
    {%- endif -%}
    {%- set composed = namespace(relation=label_levels[-1]) -%}
    {%- for level in range(last_level - 1, -1, -1) -%}
        {%- set level_labels = label_levels[level] -%}
        {%- set composed_next = identity_components_work(out_relation, '__f' ~ level) -%}
        {%- do run_query('drop table if exists ' ~ composed_next) -%}
        {%- set compose_query -%}
            create table {{ out_relation if level == 0 else composed_next }} as
            select
                level_labels.node_id,
                coalesce(later.label_node_id, level_labels.label_node_id)
                    as {{ 'component_node_id' if level == 0 else 'label_node_id' }}
            from {{ level_labels }} as level_labels
            left join {{ composed.relation }} as later
                on level_labels.label_node_id = later.node_id
        {%- endset -%}
        {%- do run_query(compose_query) -%}
        {%- do run_query('drop table if exists ' ~ composed.relation) -%}
        {%- do run_query('drop table if exists ' ~ level_labels) -%}
        {%- set composed.relation = composed_next -%}
    {%- endfor -%}
    {{ log('identity components ' ~ out_relation ~ ': converged in ' ~ state.rounds
        ~ ' rounds', info=true) }}
{%- endmacro %}
