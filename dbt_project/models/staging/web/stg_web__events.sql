{#- One browser hit, with the landing URL parsed into UTMs and click ids; page and referrer
    URLs lose query parameters that carry personal data (url_without_pii). -#}
with

source_rows as (
    select * from {{ source('web', 'web_events') }}
    where {{ incremental_landed_since() }}
),

ranked as (
    select
        source_rows.*,
        row_number() over (
            partition by source_rows.event_id
            order by
                source_rows._loaded_at desc,
                source_rows._source_file desc,
                source_rows._source_row desc
        ) as load_rank
    from source_rows
),

renamed as (
    select
        {{ clean_text('event_id') }} as event_id,
        cast(occurred_at as timestamp) as occurred_at,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('event_type') }} as event_type,
        {{ clean_text('pixel_event_name') }} as pixel_event_name,
        {{ clean_text('page_url') }} as page_url,
        {{ clean_text('referrer_url') }} as referrer_url,
        {{ meta_browser_id('fbp') }} as fbp,
        {{ meta_browser_id('fbc') }} as fbc,
        {{ clean_text('client_ip') }} as client_ip_address,
        {{ clean_text('user_agent') }} as client_user_agent,
        cast(consent_ads as boolean) as has_ads_consent,
        {{ clean_text('properties') }} as properties,
        _source_file,
        _source_row,
        _loaded_at
    from ranked
    where load_rank = 1
),

final as (
    select
        event_id,
        occurred_at,
        anonymous_id,
        user_id,
        event_type,
        pixel_event_name,
        -- personal data in a query string (a GET form's ?email=) never leaves staging
        {{ url_without_pii('page_url') }} as page_url,
        {{ url_host('page_url') }} as page_host,
        {{ url_path('page_url') }} as page_path,
        {{ url_without_pii('referrer_url') }} as referrer_url,
        {{ url_host('referrer_url') }} as referrer_host,
        {{ url_query_param('page_url', 'utm_source') }} as utm_source,
        {{ url_query_param('page_url', 'utm_medium') }} as utm_medium,
        {{ url_query_param('page_url', 'utm_campaign') }} as utm_campaign,
        {{ url_query_param('page_url', 'utm_content') }} as utm_content,
        {{ url_query_param('page_url', 'utm_term') }} as utm_term,
        {{ url_query_param('page_url', 'fbclid', decode=false) }} as fbclid,
        {{ url_query_param('page_url', 'gclid', decode=false) }} as gclid,
        fbp,
        fbc,
        client_ip_address,
        client_user_agent,
        has_ads_consent,
        properties,
        _source_file,
        _source_row,
        _loaded_at
    from renamed
)

select * from final
