{#-
    URL parsing for staging. Query parameter names match case-sensitively (utm_source, not
    UTM_SOURCE), and the first occurrence wins, as browsers' URLSearchParams.get does.
-#}

{#- The value of query parameter `name` in a URL, or null when absent or empty.
    decode=true: "+" becomes a space and %XX escapes are decoded (utm_* values).
    decode=false: the bytes exactly as they stand in the URL (click ids: fbclid, gclid). -#}
{% macro url_query_param(url, name, decode=true) -%}
    {%- set raw = "nullif(" ~ regexp_group(url, "[?&]" ~ name ~ "=([^&#]*)") ~ ", '')" -%}
    {%- if decode -%}
        nullif({{ url_decode("replace(" ~ raw ~ ", '+', ' ')") }}, '')
    {%- else -%}
        {{ raw }}
    {%- endif -%}
{%- endmacro %}

{#- The lowercase host of an absolute URL ("https://User@WWW.Example.com:8080/x" -> "www.example.com"). -#}
{% macro url_host(url) -%}
    nullif(lower({{ regexp_group(url, "^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)") }}), '')
{%- endmacro %}

{#- The path of an absolute URL, "/" when it has none. -#}
{% macro url_path(url) -%}
    case
        when {{ url }} is not null
            then coalesce(
                nullif({{ regexp_group(url, "^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)") }}, ''),
                '/'
            )
    end
{%- endmacro %}

{#- fbc / fbp as sent to Meta: the value when it has the form fb.<int>.<ms>.<value>[.<appendix>],
    else null. The value is kept byte for byte. -#}
{% macro meta_browser_id(expr) -%}
    case
        when {{ regexp_like(clean_text(expr), "^fb\.[0-9]+\.[0-9]{10,13}\.[^.\s]+(\.[A-Za-z0-9_-]{2,8})?$") }}
            then {{ clean_text(expr) }}
    end
{%- endmacro %}

{#- A Meta Lead Ads lead id: 15 to 17 digits, else null. -#}
{% macro meta_lead_id(expr) -%}
    case when {{ regexp_like(clean_text(expr), "^[0-9]{15,17}$") }} then {{ clean_text(expr) }} end
{%- endmacro %}

{#- The URL without query parameters that carry personal data, so a page or referrer URL can
    leave staging (marts, event_source_url, referrer_url) without plaintext PII: a parameter
    is dropped when its name says contact or identity data (email, phone, name, address, zip,
    birth date; any case) or when its value holds an email address (an "@", or "%40" encoded).
    Other parameters (utm_*, fbclid, gclid) and the fragment stay byte for byte; a query left
    empty loses its "?". -#}
{% macro url_without_pii(url) -%}
    {%- set names = "e-?mail|email_?address|mail|phone|phone_?number|tel|mobile|"
        ~ "first_?name|last_?name|full_?name|fname|lname|name|address|street|zip|zip_?code|"
        ~ "postcode|postal_?code|dob|birthday|birth_?date|date_of_birth" -%}
    {%- set by_name = regexp_replace_all(url, "([?&])(?i:" ~ names ~ ")=[^&#]*", "\\1") -%}
    {%- set by_value = regexp_replace_all(by_name, "([?&])[^=&#]*=[^&#]*(?:@|%40)[^&#]*", "\\1") -%}
    {%- set no_runs = regexp_replace_all(by_value, "&&+", "&") -%}
    {%- set no_lead = regexp_replace_all(no_runs, "[?]&", "?") -%}
    {{ regexp_replace_all(no_lead, "[?&](#|$)", "\\1") }}
{%- endmacro %}
