{#- Views on the local Spark session are built as tables.

    The session method keeps its metastore in Derby, which stores a view's SQL in a column of
    at most 32,700 characters; the staging views compile to far more (the Meta normalisation
    macros inline their rules), so Spark cannot record them. A table has no such limit and is
    computed once instead of being re-planned by every downstream query. On a cluster
    (thrift or odbc method, a real metastore) views stay views. -#}
{% materialization view, adapter='spark' -%}
    {%- if target.method == 'session' -%}
        {{ return(context['materialization_table_spark']()) }}
    {%- else -%}
        {{ return(context['materialization_view_default']()) }}
    {%- endif -%}
{%- endmaterialization %}
