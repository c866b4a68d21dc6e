{#- The project writes column types (contracts, seed column_types) in DuckDB's names; Spark
    spells some differently and refuses a bare varchar. One mapping, used by the contract
    and seed overrides beside this file. -#}
{% macro spark_type_name(type) -%}
    {%- set name = (type | string | trim | lower) -%}
    {%- if name in ('varchar', 'text', 'string', 'json', 'uuid') or name.startswith('varchar(') -%}
        {{ return('string') }}
    {%- elif name in ('timestamptz', 'timestamp with time zone') -%}
        {{ return('timestamp') }}
    {%- elif name == 'blob' -%}
        {{ return('binary') }}
    {%- endif -%}
    {{ return(type) }}
{%- endmacro %}
