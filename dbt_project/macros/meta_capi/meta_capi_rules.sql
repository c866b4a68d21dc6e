{#- Meta's rules written once, in portable SQL, so the mart and the sink agree
    (sinks/meta_capi/payload.py checks the same rules again before anything is sent). -#}

{#- Meta's nine action_source values. -#}
{% macro meta_capi_action_sources() -%}
    {{ return(['email', 'website', 'app', 'phone_call', 'chat', 'physical_store',
               'system_generated', 'business_messaging', 'other']) }}
{%- endmacro %}

{#- The user_data keys the mart fills, and Meta's matching baseline: an event whose only
    keys are a subset of one of these sets is invalid (reference/meta-capi.md section 3;
    the same sets as payload._WEAK_IDENTIFIER_SETS). -#}
{% macro meta_capi_user_data_keys() -%}
    {{ return(['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id',
               'client_ip_address', 'client_user_agent', 'fbc', 'fbp', 'lead_id']) }}
{%- endmacro %}

{% macro meta_capi_weak_key_sets() -%}
    {{ return([
        ['ct', 'country', 'st', 'zp', 'ge', 'client_user_agent'],
        ['db', 'client_user_agent'],
        ['fn', 'ge'],
        ['ln', 'ge'],
    ]) }}
{%- endmacro %}

{#- True when no user_data key is present. -#}
{% macro meta_capi_has_no_keys(relation_alias) -%}
    (
    {%- for key in meta_capi_user_data_keys() %}
        {{ relation_alias }}.{{ key }} is null{% if not loop.last %} and{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{#- Label of the weak set the present keys fall within (e.g. 'fn+ge'), else null. -#}
{% macro meta_capi_weak_key_set_label(relation_alias) -%}
    case
    {%- for weak in meta_capi_weak_key_sets() %}
        when
        {%- for key in meta_capi_user_data_keys() if key not in weak %}
            {{ relation_alias }}.{{ key }} is null{% if not loop.last %} and{% endif %}
        {%- endfor %}
            then '{{ weak | join("+") }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- Meta's data_processing_options_state for a lowercase US state code under Limited Data
    Use: 1000 is California (the only code Meta documents); 0 asks Meta to geolocate. -#}
{% macro meta_capi_ldu_state_code(state_expression) -%}
    case {{ state_expression }} when 'ca' then 1000 else 0 end
{%- endmacro %}

{#- Event ids of the send ledger whose delivery is `sent` (any pixel), or an empty set when
    the ledger does not exist yet (a fresh warehouse). The ledger is written by the sink after
    this mart builds, so it is read directly, not declared as a source (that would be a cycle
    in the asset graph). -#}
{% macro meta_capi_sent_event_ids() -%}
    {%- set ledger = none -%}
    {%- if execute -%}
        {%- set ledger = adapter.get_relation(
            database=target.database, schema='sync', identifier='meta_capi_deliveries') -%}
    {%- endif -%}
    {%- if ledger is not none -%}
        select distinct event_id from {{ ledger }} where status = 'sent'
    {%- else -%}
        select cast(null as {{ dbt.type_string() }}) as event_id where 1 = 0
    {%- endif -%}
{%- endmacro %}
