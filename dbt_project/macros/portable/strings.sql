{#-
    Engine-specific string functions behind adapter.dispatch, so models stay portable.
    default__ is the DuckDB form (the project's engine); another engine adds its own
    <adapter>__ implementation beside it (Spark: sha2(x, 256), regexp_replace without flags,
    doubled backslashes in patterns, rlike).
    Known shortcoming: only DuckDB implementations exist (default__ uses DuckDB's try(),
    lambda and 'g' regex flag); remove this note when spark__ versions land and a Spark run
    of `dbt build -s staging` passes.
    Patterns are passed as Python strings and emitted inside single quotes: they must not
    contain a single quote.
-#}

{#- Lowercase hex SHA-256 of the UTF-8 bytes of a text expression. -#}
{% macro sha256(expr) -%}
    {{ return(adapter.dispatch('sha256', 'journey_memory')(expr)) }}
{%- endmacro %}

{% macro default__sha256(expr) -%}
    lower(sha256({{ expr }}))
{%- endmacro %}

{#- Replace every match of a regular expression (RE2 syntax). -#}
{% macro regexp_replace_all(expr, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'journey_memory')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- True when the pattern matches somewhere in the text (anchor it for a full match). -#}
{% macro regexp_like(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_like', 'journey_memory')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_like(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- The text of capture group 1, or null when the pattern does not match. -#}
{% macro regexp_group(expr, pattern, group=1) -%}
    {{ return(adapter.dispatch('regexp_group', 'journey_memory')(expr, pattern, group)) }}
{%- endmacro %}

{% macro default__regexp_group(expr, pattern, group) -%}
    case
        when regexp_matches({{ expr }}, '{{ pattern }}')
            then regexp_extract({{ expr }}, '{{ pattern }}', {{ group }})
    end
{%- endmacro %}

{#- Unicode NFC composition (a decomposed "e" + combining acute becomes one "é"). -#}
{% macro unicode_nfc(expr) -%}
    {{ return(adapter.dispatch('unicode_nfc', 'journey_memory')(expr)) }}
{%- endmacro %}

{% macro default__unicode_nfc(expr) -%}
    nfc_normalize({{ expr }})
{%- endmacro %}

{#- Drop accents and other combining marks ("Núñez" -> "Nunez"); letters such as "ł" stay. -#}
{% macro strip_accents(expr) -%}
    {{ return(adapter.dispatch('strip_accents', 'journey_memory')(expr)) }}
{%- endmacro %}

{% macro default__strip_accents(expr) -%}
    strip_accents({{ expr }})
{%- endmacro %}

{#- Percent-decode; text that does not decode to valid UTF-8 is kept as it was. -#}
{% macro url_decode(expr) -%}
    {{ return(adapter.dispatch('url_decode', 'journey_memory')(expr)) }}
{%- endmacro %}

{% macro default__url_decode(expr) -%}
    coalesce(try(url_decode({{ expr }})), {{ expr }})
{%- endmacro %}

{#- Trimmed text, null when blank: CSV files carry missing values as empty strings. -#}
{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}
