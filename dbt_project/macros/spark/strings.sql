{#- Spark implementations of the portable string macros (macros/portable/strings.sql).

    The spark profile sets spark.sql.parser.escapedStringLiterals, so a backslash in a
    string literal stays a backslash, as in DuckDB: patterns are written once for both.
    Spark's regular expressions are Java's; the patterns used here (classes, \p{L},
    (?i), anchors, groups) mean the same in RE2 and Java. -#}

{% macro spark__sha256(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{#- Java writes group references as $1 where RE2 writes \1, and reads a bare $ as one. -#}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    {%- set java_replacement = replacement | replace('$', '\\$') -%}
    {%- for group in range(10) -%}
        {%- set java_replacement = java_replacement | replace('\\' ~ group, '$' ~ group) -%}
    {%- endfor -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ java_replacement }}')
{%- endmacro %}

{% macro spark__regexp_like(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_group(expr, pattern, group) -%}
    case
        when {{ expr }} rlike '{{ pattern }}'
            then regexp_extract({{ expr }}, '{{ pattern }}', {{ group }})
    end
{%- endmacro %}

{#- Spark SQL has no Unicode normalisation function; ICU, which Spark ships for its
    collations, does it (Normalizer.compose(text, false) is NFC). reflect fails on a null
    argument, hence the guard. -#}
{% macro spark__unicode_nfc(expr) -%}
    case
        when {{ expr }} is not null
            then reflect('com.ibm.icu.text.Normalizer', 'compose', {{ expr }}, false)
    end
{%- endmacro %}

{#- Canonical decomposition, then every combining mark dropped: "Núñez" -> "Nunez", while
    letters without a decomposition ("ł", "ø", "ß") stay, as DuckDB's strip_accents does. -#}
{% macro spark__strip_accents(expr) -%}
    case
        when {{ expr }} is not null
            then regexp_replace(
                reflect('com.ibm.icu.text.Normalizer', 'decompose', {{ expr }}, false), '\p{M}', ''
            )
    end
{%- endmacro %}

{#- try_url_decode is null on malformed escapes; on bytes that are not UTF-8 it yields
    U+FFFD instead, so that case keeps the text as it was too (DuckDB's behaviour). A "+"
    stays a "+" (the callers turn it into a space first when they mean to). -#}
{% macro spark__url_decode(expr) -%}
    {%- set replacement_character = "decode(unhex('EFBFBD'), 'UTF-8')" -%}
    case
        when instr(try_url_decode(replace({{ expr }}, '+', '%2B')), {{ replacement_character }}) > 0
            and instr({{ expr }}, {{ replacement_character }}) = 0
            then {{ expr }}
        else coalesce(try_url_decode(replace({{ expr }}, '+', '%2B')), {{ expr }})
    end
{%- endmacro %}

{#- dbt-spark's split_part splits on a regex it escapes with '\\', which under
    escapedStringLiterals is two backslashes, so '|' split every character and '.' matched
    nothing. Spark's own split_part takes the delimiter as text, counts negative parts from
    the end and gives '' out of range, as DuckDB's does. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}
