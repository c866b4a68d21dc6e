{#-
    ph: digits only, with the country calling code, no leading zeros (Meta's documented rule),
    checked against phonenumbers' metadata in the seeds meta_phone_prefixes and
    meta_phone_regions (dbt_project/scripts/build_reference_seeds.py).

    1. Drop an extension ("ext. 12", "x12") and a trunk "(0)" ("+44 (0)20 ..." -> "+44 20 ...").
    2. International form: a leading "+", or the exit code 00 (011 when the default country
       is in the +1 plan). National form: anything else; the calling code of the row's
       country (or var('default_phone_country')) is put in front.
    3. The calling code is the one of the first three digits (codes are prefix-free). A trunk
       prefix right after it (0 in most of Europe, 1 in the +1 plan) is dropped when what
       remains has a possible length.
    4. Valid when the national number has a possible length for that code and does not begin
       with 0 (except where phonenumbers' examples show it may, as in Italy).

    Known shortcoming: validity is length and leading zero only, not phonenumbers' per-type
    number patterns, so a +1 number with an unassigned area code (123...) still hashes. Remove
    this note when the seed carries phonenumbers' national number patterns and the macro uses
    them.
-#}

{#- The digits to look up (calling code first), or null when the text holds letters or no digit. -#}
{% macro ph_candidate(expr, country=none) -%}
    {%- set no_extension = regexp_replace_all("trim(" ~ expr ~ ")", "(?i)\s*(ext\.?|extension|x|#)\s*[0-9]+$", "") -%}
    {%- set cleaned = regexp_replace_all(no_extension, "\(\s*0\s*\)", "") -%}
    {%- set digits = regexp_replace_all(cleaned, "[^0-9]", "") -%}
    {%- set default_region = "'" ~ (var('default_phone_country') | lower) ~ "'" -%}
    {%- set region = "coalesce(" ~ country ~ ", " ~ default_region ~ ")" if country is not none else default_region -%}
    {%- set default_code -%}
        coalesce(
            (
                select max(phone_regions.calling_code)
                from {{ ref('meta_phone_regions') }} as phone_regions
                where phone_regions.region = {{ region }}
            ),
            (
                select max(phone_regions.calling_code)
                from {{ ref('meta_phone_regions') }} as phone_regions
                where phone_regions.region = {{ default_region }}
            )
        )
    {%- endset -%}
    case
        when {{ regexp_like(cleaned, "[A-Za-z]") }} then null
        when {{ digits }} = '' then null
        when {{ regexp_like(cleaned, "^[(]?[+]") }} then {{ digits }}
        when {{ digits }} like '00%' then substr({{ digits }}, 3)
        when {{ digits }} like '011%' and {{ default_code }} = '1' then substr({{ digits }}, 4)
        else {{ default_code }} || {{ digits }}
    end
{%- endmacro %}

{#- E.164 digits (no "+") from a candidate, or null when it is not a possible number.
    The seed row is read in a derived table and max() taken outside it: Spark refuses an
    aggregate that mixes the outer candidate with the seed's columns (dial_prefix is unique,
    so max() only turns "no row" into null), and both engines accept this form. -#}
{% macro ph_from_candidate(candidate) -%}
    {%- set nsn_raw = "substr(" ~ candidate ~ ", length(phone_prefixes.calling_code) + 1)" -%}
    {%- set np = "phone_prefixes.national_prefix" -%}
    {%- set lengths = "phone_prefixes.possible_lengths" -%}
    {%- set nsn -%}
        case
            when {{ np }} is not null and {{ nsn_raw }} like {{ np }} || '%'
                and {{ lengths }} like '%|' || cast(length({{ nsn_raw }}) - length({{ np }}) as {{ dbt.type_string() }}) || '|%'
                then substr({{ nsn_raw }}, length({{ np }}) + 1)
            else {{ nsn_raw }}
        end
    {%- endset -%}
    (
        select max(prefix_matches.e164)
        from (
            select
                case
                    when {{ lengths }} like '%|' || cast(length({{ nsn }}) as {{ dbt.type_string() }}) || '|%'
                        and ({{ nsn }} not like '0%' or phone_prefixes.leading_zero_possible)
                        then phone_prefixes.calling_code || {{ nsn }}
                end as e164
            from {{ ref('meta_phone_prefixes') }} as phone_prefixes
            where phone_prefixes.dial_prefix = substr({{ candidate }}, 1, 3)
        ) as prefix_matches
    )
{%- endmacro %}

{#- Why a candidate gave no number (only meaningful when ph_from_candidate is null). -#}
{% macro ph_candidate_issue(candidate) -%}
    {%- set nsn_raw = "substr(" ~ candidate ~ ", length(phone_prefixes.calling_code) + 1)" -%}
    {%- set np = "phone_prefixes.national_prefix" -%}
    {%- set nsn -%}
        case
            when {{ np }} is not null and {{ nsn_raw }} like {{ np }} || '%'
                and phone_prefixes.possible_lengths like '%|' || cast(length({{ nsn_raw }}) - length({{ np }}) as {{ dbt.type_string() }}) || '|%'
                then substr({{ nsn_raw }}, length({{ np }}) + 1)
            else {{ nsn_raw }}
        end
    {%- endset -%}
    coalesce(
        (
            select max(prefix_matches.issue)
            from (
                select
                    case
                        when length({{ nsn }}) < phone_prefixes.min_length then 'phone_too_short'
                        when length({{ nsn }}) > phone_prefixes.max_length then 'phone_too_long'
                        when phone_prefixes.possible_lengths not like '%|' || cast(length({{ nsn }}) as {{ dbt.type_string() }}) || '|%'
                            then 'phone_impossible_length'
                        else 'phone_leading_zero'
                    end as issue
                from {{ ref('meta_phone_prefixes') }} as phone_prefixes
                where phone_prefixes.dial_prefix = substr({{ candidate }}, 1, 3)
            ) as prefix_matches
        ),
        case when length({{ candidate }}) < 3 then 'phone_too_short' else 'phone_unknown_country_code' end
    )
{%- endmacro %}

{% macro normalize_ph(expr, country=none) -%}
    coalesce({{ hashed_passthrough(expr) }}, {{ ph_from_candidate(ph_candidate(expr, country)) }})
{%- endmacro %}

{#- candidate: the ph_candidate column when the model has one (keeps the SQL small). -#}
{% macro issue_ph(expr, normalised=none, country=none, candidate=none) -%}
    {%- set candidate = candidate or ph_candidate(expr, country) -%}
    {{ _issue_wrapper(expr, normalised or normalize_ph(expr, country),
        "case
            when " ~ regexp_like("trim(" ~ expr ~ ")", "[A-Za-z]") ~ " and " ~ candidate ~ " is null
                then 'phone_has_letters'
            when " ~ candidate ~ " is null then 'phone_without_digits'
            else " ~ ph_candidate_issue(candidate) ~ "
        end") }}
{%- endmacro %}
