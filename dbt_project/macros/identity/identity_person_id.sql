{#-
    person_id of the person whose smallest defining identifier is (type, value): 'p_' and an
    MD5 of '<type>:<value>'. Deterministic for the same data; it changes when people merge,
    so nothing that must stay stable (event ids, ledger keys) may be derived from it.
-#}
{% macro identity_person_id(identifier_type, identifier_value) -%}
    'p_' || {{ dbt.hash(dbt.concat([identifier_type, "':'", identifier_value])) }}
{%- endmacro %}
