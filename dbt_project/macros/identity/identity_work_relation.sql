{#- A scratch table beside the current model (`<model><suffix>`), for multi-statement builds. -#}
{% macro identity_work_relation(suffix) -%}
    {{ return(api.Relation.create(
        database=this.database,
        schema=this.schema,
        identifier=this.identifier ~ suffix,
        type='table',
    )) }}
{%- endmacro %}
