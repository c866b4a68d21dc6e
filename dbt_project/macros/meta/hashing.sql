{#-
    Meta user_data hashing (reference/meta-capi.md section 3).

    For every key there are three macros; `country` arguments are optional expressions that
    hold an already normalised lowercase alpha-2 country (see normalize_country):
      normalize_<key>(expr, ...)   Meta-normalised plain text, or the input lowercased when it
                                   already is SHA-256 hex, or null when blank or invalid
      issue_<key>(expr, normalised=none, ...)
                                   why a non-blank input gave null (a short snake_case reason),
                                   else null; pass the normalised column when a model has it
      hash_<key>(expr, ...)        lowercase SHA-256 hex of the normalised value, never of
                                   garbage, never hashed twice
    Keys: em, ph, fn, ln, ge, db, ct, st, zp, country, external_id.
    meta_normalize / meta_issue / meta_hash take the key as their first argument.
-#}

{#- True when the text, trimmed and lowercased, is 64 hex digits (already SHA-256). -#}
{% macro is_sha256_hex(expr) -%}
    coalesce({{ regexp_like("lower(trim(" ~ expr ~ "))", "^[0-9a-f]{64}$") }}, false)
{%- endmacro %}

{#- The lowercased hash when the input already is SHA-256 hex, else null. -#}
{% macro hashed_passthrough(expr) -%}
    case when {{ is_sha256_hex(expr) }} then lower(trim({{ expr }})) end
{%- endmacro %}

{#- Hash a normalised value; a value that already is a hash passes through. -#}
{% macro hash_normalised(normalised) -%}
    case
        when {{ normalised }} is null then null
        when {{ is_sha256_hex(normalised) }} then {{ normalised }}
        else {{ sha256(normalised) }}
    end
{%- endmacro %}

{#- The reason shared by every key: blank input has no reason; an MD5 hash is not accepted. -#}
{% macro _issue_wrapper(expr, normalised, reasons) -%}
    case
        when {{ clean_text(expr) }} is null then null
        when {{ normalised }} is not null then null
        when {{ regexp_like("lower(trim(" ~ expr ~ "))", "^[0-9a-f]{32}$") }} then 'hashed_with_md5'
        else {{ reasons }}
    end
{%- endmacro %}

{% macro meta_normalize(key, expr, country=none) -%}
    {%- if key == 'em' -%}
        {{ normalize_em(expr) }}
    {%- elif key == 'ph' -%}
        {{ normalize_ph(expr, country) }}
    {%- elif key == 'fn' -%}
        {{ normalize_fn(expr) }}
    {%- elif key == 'ln' -%}
        {{ normalize_ln(expr) }}
    {%- elif key == 'ge' -%}
        {{ normalize_ge(expr) }}
    {%- elif key == 'db' -%}
        {{ normalize_db(expr) }}
    {%- elif key == 'ct' -%}
        {{ normalize_ct(expr) }}
    {%- elif key == 'st' -%}
        {{ normalize_st(expr, country) }}
    {%- elif key == 'zp' -%}
        {{ normalize_zp(expr, country) }}
    {%- elif key == 'country' -%}
        {{ normalize_country(expr) }}
    {%- elif key == 'external_id' -%}
        {{ normalize_external_id(expr) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('unknown Meta user_data key: ' ~ key) }}
    {%- endif -%}
{%- endmacro %}

{% macro meta_issue(key, expr, normalised=none, country=none) -%}
    {#- the phone's prepared candidate can be given to issue_ph directly -#}
    {%- if key == 'em' -%}
        {{ issue_em(expr, normalised) }}
    {%- elif key == 'ph' -%}
        {{ issue_ph(expr, normalised, country) }}
    {%- elif key == 'fn' -%}
        {{ issue_fn(expr, normalised) }}
    {%- elif key == 'ln' -%}
        {{ issue_ln(expr, normalised) }}
    {%- elif key == 'ge' -%}
        {{ issue_ge(expr, normalised) }}
    {%- elif key == 'db' -%}
        {{ issue_db(expr, normalised) }}
    {%- elif key == 'ct' -%}
        {{ issue_ct(expr, normalised) }}
    {%- elif key == 'st' -%}
        {{ issue_st(expr, normalised, country) }}
    {%- elif key == 'zp' -%}
        {{ issue_zp(expr, normalised, country) }}
    {%- elif key == 'country' -%}
        {{ issue_country(expr, normalised) }}
    {%- elif key == 'external_id' -%}
        {{ issue_external_id(expr, normalised) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('unknown Meta user_data key: ' ~ key) }}
    {%- endif -%}
{%- endmacro %}

{% macro meta_hash(key, expr, country=none) -%}
    {{ hash_normalised(meta_normalize(key, expr, country)) }}
{%- endmacro %}

{#- Convenience: one macro per key. -#}
{% macro hash_em(expr) %}{{ meta_hash('em', expr) }}{% endmacro %}
{% macro hash_ph(expr, country=none) %}{{ meta_hash('ph', expr, country) }}{% endmacro %}
{% macro hash_fn(expr) %}{{ meta_hash('fn', expr) }}{% endmacro %}
{% macro hash_ln(expr) %}{{ meta_hash('ln', expr) }}{% endmacro %}
{% macro hash_ge(expr) %}{{ meta_hash('ge', expr) }}{% endmacro %}
{% macro hash_db(expr) %}{{ meta_hash('db', expr) }}{% endmacro %}
{% macro hash_ct(expr) %}{{ meta_hash('ct', expr) }}{% endmacro %}
{% macro hash_st(expr, country=none) %}{{ meta_hash('st', expr, country) }}{% endmacro %}
{% macro hash_zp(expr, country=none) %}{{ meta_hash('zp', expr, country) }}{% endmacro %}
{% macro hash_country(expr) %}{{ meta_hash('country', expr) }}{% endmacro %}
{% macro hash_external_id(expr) %}{{ meta_hash('external_id', expr) }}{% endmacro %}

{#- Limited Data Use: the state code when it is one of var('ldu_states') and the country is
    the US or unknown, else null. Takes normalised (not hashed) st and country. -#}
{% macro ldu_state(st_normalised, country_normalised) -%}
    {%- set states = var('ldu_states') | map('lower') | list -%}
    case
        when coalesce({{ country_normalised }}, 'us') = 'us'
            and {{ st_normalised }} in ({% for state in states %}'{{ state }}'{% if not loop.last %}, {% endif %}{% endfor %})
            then {{ st_normalised }}
    end
{%- endmacro %}
