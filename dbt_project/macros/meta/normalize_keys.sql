{#-
    Meta's documented normalisation per user_data key (reference/meta-capi.md section 3;
    where Meta's own SDKs disagree, the documented rule wins, section 10). Each
    normalize_<key> returns plain text for hash_normalised, or null; issue_<key> says why.
    Everything that is not a passthrough hash is trimmed first; blank input is null with no
    issue.
-#}

{#- Letters of any script (after NFC, lowercase), nothing else: names, city, foreign state. -#}
{% macro _letters_only(expr) -%}
    nullif({{ regexp_replace_all(unicode_nfc("lower(" ~ unicode_nfc("trim(" ~ expr ~ ")") ~ ")"), "[^\p{L}\p{M}]", "") }}, '')
{%- endmacro %}

{#- The key the reference seeds are indexed by: accents folded, lowercase, a-z only. -#}
{% macro country_lookup_key(expr) -%}
    {{ regexp_replace_all("lower(" ~ strip_accents(unicode_nfc("trim(" ~ expr ~ ")")) ~ ")", "[^a-z]", "") }}
{%- endmacro %}

{# ---- em: trim, lowercase; must look like local@domain.tld ---------------------------- #}
{% macro _em_pattern() %}^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+${% endmacro %}

{% macro normalize_em(expr) -%}
    case
        when {{ is_sha256_hex(expr) }} then {{ hashed_passthrough(expr) }}
        when {{ regexp_like("lower(trim(" ~ expr ~ "))", _em_pattern()) }}
            then lower(trim({{ expr }}))
    end
{%- endmacro %}

{% macro issue_em(expr, normalised=none) -%}
    {%- set value = "lower(trim(" ~ expr ~ "))" -%}
    {{ _issue_wrapper(expr, normalised or normalize_em(expr),
        "case
            when instr(" ~ value ~ ", '@') = 0 then 'email_without_at'
            when " ~ regexp_like(value, "@[^@.]*$") ~ " or " ~ regexp_like(value, "\.$") ~ "
                then 'email_without_domain'
            when " ~ regexp_like(value, "\s") ~ " then 'email_with_spaces'
            else 'email_invalid'
        end") }}
{%- endmacro %}

{# ---- fn, ln: NFC, lowercase, letters only (punctuation and spaces removed) ------------- #}
{% macro normalize_fn(expr) -%}
    coalesce({{ hashed_passthrough(expr) }}, {{ _letters_only(expr) }})
{%- endmacro %}

{% macro issue_fn(expr, normalised=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_fn(expr), "'name_without_letters'") }}
{%- endmacro %}

{% macro normalize_ln(expr) %}{{ normalize_fn(expr) }}{% endmacro %}

{% macro issue_ln(expr, normalised=none) %}{{ issue_fn(expr, normalised) }}{% endmacro %}

{# ---- ct: lowercase, no punctuation, special characters or spaces ---------------------- #}
{% macro normalize_ct(expr) -%}
    coalesce({{ hashed_passthrough(expr) }}, {{ _letters_only(expr) }})
{%- endmacro %}

{% macro issue_ct(expr, normalised=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_ct(expr), "'city_without_letters'") }}
{%- endmacro %}

{# ---- ge: f or m ---------------------------------------------------------------------- #}
{#- Hand-written word list (English and the sample's languages): no maintained library maps
    gender words; Meta's Parameter Builder keeps its list in JavaScript. -#}
{% macro _gender_words() -%}
    {{ return({
        'f': ['f', 'female', 'woman', 'girl', 'mrs', 'ms', 'miss', 'frau', 'weiblich', 'femme', 'mme'],
        'm': ['m', 'male', 'man', 'boy', 'mr', 'herr', 'männlich', 'homme'],
    }) }}
{%- endmacro %}

{% macro normalize_ge(expr) -%}
    {%- set words = _gender_words() -%}
    {%- set value = "regexp_replace(lower(trim(" ~ expr ~ ")), '[.]', '')" -%}
    case
        when {{ is_sha256_hex(expr) }} then {{ hashed_passthrough(expr) }}
        {%- for code in ['f', 'm'] %}
        when {{ value }} in ({% for word in words[code] %}'{{ word }}'{% if not loop.last %}, {% endif %}{% endfor %}) then '{{ code }}'
        {%- endfor %}
    end
{%- endmacro %}

{% macro issue_ge(expr, normalised=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_ge(expr), "'gender_not_f_or_m'") }}
{%- endmacro %}

{# ---- db: YYYYMMDD from common formats --------------------------------------------------- #}
{#- ISO (1997-02-16, 1997/02/16, 19970216, with a time part), US slashes (2/16/1997; day first
    when the first number is above 12), European dots or dashes (16.02.1997; month first when
    the second number is above 12). Year 1900 to the current year. Returns 'YYYY-MM-DD' text
    or null; the date itself is checked by normalize_db. -#}
{% macro _db_part(v, pattern, n) -%}
    regexp_extract({{ v }}, '{{ pattern }}', {{ n }})
{%- endmacro %}

{#- 'YYYY-MM-DD' from the three groups of a pattern, listed in year, month, day order. -#}
{% macro _db_ymd(v, pattern, y, m, d) -%}
    {{ _db_part(v, pattern, y) }} || '-' || lpad({{ _db_part(v, pattern, m) }}, 2, '0')
    || '-' || lpad({{ _db_part(v, pattern, d) }}, 2, '0')
{%- endmacro %}

{#- A birth date as 'YYYY-MM-DD' text (not yet checked to be a real date), or null. -#}
{% macro birth_date_iso_text(expr) %}{{ _db_iso_text(expr) }}{% endmacro %}

{% macro _db_iso_text(expr) -%}
    {%- set v = "trim(" ~ expr ~ ")" -%}
    {%- set iso = "^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})([T ].*)?$" -%}
    {%- set compact = "^([0-9]{4})([0-9]{2})([0-9]{2})$" -%}
    {%- set slashes = "^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$" -%}
    {%- set dots = "^([0-9]{1,2})[.-]([0-9]{1,2})[.-]([0-9]{4})$" -%}
    case
        when {{ regexp_like(v, iso) }} then {{ _db_ymd(v, iso, 1, 2, 3) }}
        when {{ regexp_like(v, compact) }} then {{ _db_ymd(v, compact, 1, 2, 3) }}
        when {{ regexp_like(v, slashes) }} and cast({{ _db_part(v, slashes, 1) }} as integer) > 12
            then {{ _db_ymd(v, slashes, 3, 2, 1) }}
        when {{ regexp_like(v, slashes) }} then {{ _db_ymd(v, slashes, 3, 1, 2) }}
        when {{ regexp_like(v, dots) }} and cast({{ _db_part(v, dots, 2) }} as integer) > 12
            then {{ _db_ymd(v, dots, 3, 1, 2) }}
        when {{ regexp_like(v, dots) }} then {{ _db_ymd(v, dots, 3, 2, 1) }}
    end
{%- endmacro %}

{% macro _db_valid(iso_text) -%}
    ({{ try_cast_date(iso_text) }} is not null
        and cast(substr({{ iso_text }}, 1, 4) as integer)
        between 1900 and extract(year from current_date))
{%- endmacro %}

{#- iso_text: a column holding birth_date_iso_text(expr), when the model has one. -#}
{% macro normalize_db(expr, iso_text=none) -%}
    {%- set iso_text = iso_text or _db_iso_text(expr) -%}
    case
        when {{ is_sha256_hex(expr) }} then {{ hashed_passthrough(expr) }}
        when {{ _db_valid(iso_text) }} then replace({{ iso_text }}, '-', '')
    end
{%- endmacro %}

{% macro issue_db(expr, normalised=none, iso_text=none) -%}
    {%- set iso_text = iso_text or _db_iso_text(expr) -%}
    {{ _issue_wrapper(expr, normalised or normalize_db(expr, iso_text),
        "case
            when " ~ iso_text ~ " is null then 'birth_date_unparseable'
            when " ~ try_cast_date(iso_text) ~ " is null
                then 'birth_date_not_a_date'
            else 'birth_date_year_out_of_range'
        end") }}
{%- endmacro %}

{# ---- country: ISO 3166-1 alpha-2, lowercase -------------------------------------------- #}
{% macro normalize_country(expr) -%}
    coalesce(
        {{ hashed_passthrough(expr) }},
        {{ seed_lookup(ref('meta_country_codes'), 'country_key', 'country_code', country_lookup_key(expr)) }}
    )
{%- endmacro %}

{% macro issue_country(expr, normalised=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_country(expr), "'country_unrecognised'") }}
{%- endmacro %}

{# ---- st: US states and Canadian provinces to 2-letter codes ----------------------------- #}
{#- Names and AP abbreviations map to the code; anything else keeps its letters (Meta's rule
    outside the US). When the row's country is us or ca the result must be a 2-letter code. -#}
{% macro normalize_st(expr, country=none) -%}
    {%- set mapped = seed_lookup(ref('meta_state_codes'), 'state_key', 'state_code', country_lookup_key(expr)) -%}
    {%- set value = "coalesce(" ~ mapped ~ ", " ~ _letters_only(expr) ~ ")" -%}
    case
        when {{ is_sha256_hex(expr) }} then {{ hashed_passthrough(expr) }}
        {%- if country is not none %}
        when {{ country }} in ('us', 'ca') and length({{ value }}) <> 2 then null
        {%- endif %}
        else {{ value }}
    end
{%- endmacro %}

{% macro issue_st(expr, normalised=none, country=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_st(expr, country),
        "case when " ~ _letters_only(expr) ~ " is null then 'state_without_letters'
            else 'state_not_a_us_or_canadian_code' end") }}
{%- endmacro %}

{# ---- zp: US 5 digits; elsewhere lowercase without spaces or dashes --------------------- #}
{% macro normalize_zp(expr, country=none) -%}
    {%- set compact = regexp_replace_all("lower(trim(" ~ expr ~ "))", "\s", "") -%}
    {%- set us_zip = regexp_like(compact, "^[0-9]{5}(-?[0-9]{4})?$") -%}
    {%- set is_us = "coalesce(" ~ country ~ " = 'us', false)" if country is not none else "false" -%}
    case
        when {{ is_sha256_hex(expr) }} then {{ hashed_passthrough(expr) }}
        when {{ us_zip }} then substr({{ compact }}, 1, 5)
        when {{ is_us }} then null
        else nullif({{ regexp_replace_all(compact, "[^\p{L}\p{N}]", "") }}, '')
    end
{%- endmacro %}

{% macro issue_zp(expr, normalised=none, country=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_zp(expr, country),
        "case when " ~ (country or "null") ~ " = 'us' then 'zip_not_a_us_zip'
            else 'zip_without_letters_or_digits' end") }}
{%- endmacro %}

{# ---- external_id: lowercase, no whitespace (Meta's Parameter Builder rule) -------------- #}
{% macro normalize_external_id(expr) -%}
    coalesce(
        {{ hashed_passthrough(expr) }},
        nullif({{ regexp_replace_all("lower(trim(" ~ expr ~ "))", "\s", "") }}, '')
    )
{%- endmacro %}

{% macro issue_external_id(expr, normalised=none) -%}
    {{ _issue_wrapper(expr, normalised or normalize_external_id(expr), "'external_id_invalid'") }}
{%- endmacro %}
