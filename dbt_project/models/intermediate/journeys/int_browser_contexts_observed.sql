{#- One row per browser hit (event_id) that carries an fbp, a client IP or a user agent a
    real browser sent. Our own servers' addresses (var journeys_server_ip_addresses, and
    private, loopback and link-local ranges) and non-browser agents (var
    journeys_server_user_agent_patterns) are nulled: Meta must get the visitor's. -#}

with

int_web_hits_resolved as (

    select
        event_id,
        person_id,
        anonymous_id,
        occurred_at,
        fbp,
        client_ip_address,
        client_user_agent
    from {{ ref('int_web_hits_resolved') }}

),

screened as (

    select
        event_id,
        person_id,
        anonymous_id,
        occurred_at,
        fbp,
        case
            when {{ journeys_is_server_ip('client_ip_address') }} then null
            else client_ip_address
        end as client_ip_address,
        case
            when {{ journeys_is_server_user_agent('client_user_agent') }} then null
            else client_user_agent
        end as client_user_agent
    from int_web_hits_resolved
    where person_id is not null

),

final as (

    select *
    from screened
    where
        fbp is not null
        or client_ip_address is not null
        or client_user_agent is not null

)

select * from final
