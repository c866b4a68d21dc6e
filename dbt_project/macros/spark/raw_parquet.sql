{#- Carry the raw tables from a DuckDB warehouse into Spark through Parquet files, so the same
    models build on both engines from the same landed data (landing itself is DuckDB's).

        dbt run-operation export_raw_parquet --args '{path: /abs/dir}'                 # duckdb
        dbt run-operation import_raw_parquet --args '{path: /abs/dir}' --target spark  # spark

    The folder must exist. Every table declared as a dbt source is carried, one
    `<table>.parquet` file each. A team whose raw tables already live in Spark needs neither:
    point the sources at them. -#}

{% macro _raw_source_tables() -%}
    {%- set tables = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- do tables.append((source.schema, source.identifier)) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}

{% macro export_raw_parquet(path) -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error(
            "export_raw_parquet reads the DuckDB warehouse; run it with the duckdb target") }}
    {%- endif -%}
    {#- The send ledger's tables are sources too: on a warehouse no dbt build ran on yet (just
        landed), create them empty, as the build's on-run-start hook would. -#}
    {%- do run_query(reporting_ensure_send_ledger()) -%}
    {%- for schema, table in _raw_source_tables() -%}
        {%- set file = path ~ '/' ~ table ~ '.parquet' -%}
        {%- do run_query(
            "copy (select * from " ~ schema ~ "." ~ table ~ ") to '" ~ file
            ~ "' (format parquet)") -%}
        {{ log("exported " ~ schema ~ "." ~ table ~ " to " ~ file, info=true) }}
    {%- endfor -%}
{%- endmacro %}

{% macro import_raw_parquet(path) -%}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error(
            "import_raw_parquet writes Spark tables; run it with the spark target") }}
    {%- endif -%}
    {%- for schema, table in _raw_source_tables() -%}
        {%- set file = path ~ '/' ~ table ~ '.parquet' -%}
        {%- do run_query("create database if not exists " ~ schema) -%}
        {%- do run_query("drop table if exists " ~ schema ~ "." ~ table) -%}
        {%- do run_query(
            "create table " ~ schema ~ "." ~ table ~ " using parquet as select * from parquet.`"
            ~ file ~ "`") -%}
        {%- set counted = run_query("select count(*) from " ~ schema ~ "." ~ table) -%}
        {{ log("imported " ~ counted.columns[0].values()[0] ~ " rows into " ~ schema ~ "."
            ~ table, info=true) }}
    {%- endfor -%}
{%- endmacro %}
