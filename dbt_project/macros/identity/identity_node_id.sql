{#-
    The graph node id of an identifier: a 63-bit hash of (type, value) as a positive bigint
    (DuckDB's hash; elsewhere the first 60 bits of MD5('<type>:<value>')). Stable across runs (an identifier keeps its node id however
    the data grows, which the incremental build relies on), spread at random (so the
    connected-components contraction shrinks the graph by a constant factor each round, see
    identity_connected_components), and an integer (every join and group-by of the graph runs
    on 8-byte keys instead of type and value strings). Two identifiers sharing an id (about
    1e-6 chance at 5M identifiers with 63 bits) fail the unique test on int_identity_nodes.node_id.
-#}
{% macro identity_node_id(identifier_type, identifier_value) -%}
    {{ return(adapter.dispatch('identity_node_id', 'journey_memory')(
        identifier_type, identifier_value)) }}
{%- endmacro %}


{% macro default__identity_node_id(identifier_type, identifier_value) -%}
    {{ exceptions.raise_compiler_error(
        'identity_node_id has no implementation for ' ~ target.type
        ~ ': add ' ~ target.type ~ '__identity_node_id (the first 15 hex digits of the MD5'
        ~ ' as a bigint, so node ids match the other engines)') }}
{%- endmacro %}


{% macro duckdb__identity_node_id(identifier_type, identifier_value) -%}
    {#- DuckDB's own 64-bit hash, shifted to a positive bigint: four times cheaper than MD5
        over tens of millions of occurrences. Node ids (and so which identifier names a
        person) differ from Spark's; the persons themselves do not. -#}
    cast(hash({{ identifier_type }}, {{ identifier_value }}) >> 1 as bigint)
{%- endmacro %}


{% macro spark__identity_node_id(identifier_type, identifier_value) -%}
    cast(conv(substr(md5(concat({{ identifier_type }}, ':', {{ identifier_value }})), 1, 15), 16, 10) as bigint)
{%- endmacro %}
