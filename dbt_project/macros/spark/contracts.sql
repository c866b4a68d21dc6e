{#- Model contracts on Spark. The YAML types are DuckDB's names: the empty-schema query that
    dbt compares a model's columns against casts to the Spark spelling (spark_type_name).
    Spark enforces not_null/check constraints only on Delta tables; the project's tables
    are plain Parquet, so there the contract is the columns' names and types, which dbt
    still asserts before building. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- if column['data_type'] is defined and column['data_type'] is not none -%}
            {%- do translated.update({name: dict(column, data_type=spark_type_name(column['data_type']))}) -%}
        {%- else -%}
            {%- do translated.update({name: column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}

{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- endif -%}
{% endmacro %}
