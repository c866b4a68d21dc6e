{#- Boolean expressions telling a visitor's browser from our own machines. -#}

{#- True when an IP address is ours or cannot be a visitor's: var journeys_server_ip_addresses,
    plus private, loopback, link-local and unspecified ranges. -#}
{% macro journeys_is_server_ip(column) -%}
    {%- set prefixes = [
        '10.', '127.', '192.168.', '169.254.', '0.',
        '172.16.', '172.17.', '172.18.', '172.19.', '172.20.', '172.21.', '172.22.', '172.23.',
        '172.24.', '172.25.', '172.26.', '172.27.', '172.28.', '172.29.', '172.30.', '172.31.',
        '::1', 'fc', 'fd', 'fe80:',
    ] -%}
    {%- set server_ips = var('journeys_server_ip_addresses', []) -%}
    (
    {%- for prefix in prefixes %}lower({{ column }}) like '{{ prefix }}%'{{ ' or ' if not loop.last }}{% endfor -%}
    {%- for ip in server_ips %} or {{ column }} = '{{ ip }}'{% endfor -%}
    )
{%- endmacro %}

{#- True when a user agent is a program, not a browser: var journeys_server_user_agent_patterns
    (SQL like patterns on the lowercased agent). -#}
{% macro journeys_is_server_user_agent(column) -%}
    {%- set patterns = var('journeys_server_user_agent_patterns', [
        '%python-requests%', '%python-httpx%', '%aiohttp%', '%curl/%', '%wget/%',
        '%go-http-client%', '%java/%', '%okhttp%', '%node-fetch%', '%axios/%', '%postman%',
        '%bot%', '%spider%', '%crawler%', '%headlesschrome%',
    ]) -%}
    (
    {%- for pattern in patterns %}lower({{ column }}) like '{{ pattern }}'{{ ' or ' if not loop.last }}{% endfor -%}
    )
{%- endmacro %}
