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
