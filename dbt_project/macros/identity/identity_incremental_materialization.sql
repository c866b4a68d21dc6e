{#-
    The materialization of the incremental identity models: incremental, except on Spark,
    where plain parquet tables have no merge or delete+insert and the models build as tables.
    TODO(identity): fold into the project-level switch in dbt_project.yml once it lands on
    main (the lead merges `scale`'s), then this macro can go.
-#}
{% macro identity_incremental_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}
