{#- Use the configured schema name as is (staging, intermediate, marts), not
    <target schema>_<name>, so Python and people find tables where DESIGN.md says. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
