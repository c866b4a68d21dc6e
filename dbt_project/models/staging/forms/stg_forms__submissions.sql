{#- One submitted form step. Contact fields leave this model only as Meta-normalised SHA-256
    hashes (with <key>_issue for rejected values); ldu_state is the only address trace. -#}
with

source_rows as (
    select * from {{ source('forms', 'form_submissions') }}
    where {{ incremental_landed_since() }}
),

ranked as (
    select
        source_rows.*,
        row_number() over (
            partition by source_rows.submission_id
            order by
                source_rows._loaded_at desc,
                source_rows._source_file desc,
                source_rows._source_row desc
        ) as load_rank
    from source_rows
),

renamed as (
    select
        {{ clean_text('submission_id') }} as submission_id,
        cast(submitted_at as timestamp) as submitted_at,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('form_id') }} as form_id,
        cast(step as integer) as step,
        {{ clean_text('pixel_event_id') }} as pixel_event_id,
        email,
        phone,
        first_name,
        last_name,
        date_of_birth,
        gender,
        city,
        state,
        zip,
        country,
        {{ clean_text('answers') }} as answers,
        cast(consent_ads as boolean) as has_ads_consent,
        {{ clean_text('page_url') }} as page_url,
        {{ clean_text('client_ip') }} as client_ip_address,
        {{ clean_text('user_agent') }} as client_user_agent,
        {{ meta_lead_id('meta_lead_id') }} as meta_lead_id,
        _source_file,
        _source_row,
        _loaded_at
    from ranked
    where load_rank = 1
),

countries_normalised as (
    select
        renamed.*,
        {{ normalize_country('renamed.country') }} as country_normalised
    from renamed
),

prepared as (
    select
        countries_normalised.*,
        {{ ph_candidate('countries_normalised.phone', 'countries_normalised.country_normalised') }}
            as ph_candidate,
        {{ birth_date_iso_text('countries_normalised.date_of_birth') }} as db_iso_text
    from countries_normalised
),

normalised as (
    select
        prepared.*,
        {{ normalize_em('prepared.email') }} as em_normalised,
        coalesce(
            {{ hashed_passthrough('prepared.phone') }},
            {{ ph_from_candidate('prepared.ph_candidate') }}
        ) as ph_normalised,
        {{ normalize_fn('prepared.first_name') }} as fn_normalised,
        {{ normalize_ln('prepared.last_name') }} as ln_normalised,
        {{ normalize_db('prepared.date_of_birth', 'prepared.db_iso_text') }} as db_normalised,
        {{ normalize_ge('prepared.gender') }} as ge_normalised,
        {{ normalize_ct('prepared.city') }} as ct_normalised,
        {{ normalize_st('prepared.state', 'prepared.country_normalised') }}
            as st_normalised,
        {{ normalize_zp('prepared.zip', 'prepared.country_normalised') }}
            as zp_normalised
    from prepared
),

final as (
    select
        submission_id,
        submitted_at,
        anonymous_id,
        form_id,
        step,
        pixel_event_id,
        {{ hash_normalised('em_normalised') }} as em,
        {{ issue_em('email', 'em_normalised') }} as em_issue,
        {{ hash_normalised('ph_normalised') }} as ph,
        {{ issue_ph('phone', 'ph_normalised', candidate='ph_candidate') }} as ph_issue,
        {{ hash_normalised('fn_normalised') }} as fn,
        {{ issue_fn('first_name', 'fn_normalised') }} as fn_issue,
        {{ hash_normalised('ln_normalised') }} as ln,
        {{ issue_ln('last_name', 'ln_normalised') }} as ln_issue,
        {{ hash_normalised('db_normalised') }} as db,
        {{ issue_db('date_of_birth', 'db_normalised', 'db_iso_text') }} as db_issue,
        {{ hash_normalised('ge_normalised') }} as ge,
        {{ issue_ge('gender', 'ge_normalised') }} as ge_issue,
        {{ hash_normalised('ct_normalised') }} as ct,
        {{ issue_ct('city', 'ct_normalised') }} as ct_issue,
        {{ hash_normalised('st_normalised') }} as st,
        {{ issue_st('state', 'st_normalised', 'country_normalised') }} as st_issue,
        {{ hash_normalised('zp_normalised') }} as zp,
        {{ issue_zp('zip', 'zp_normalised', 'country_normalised') }} as zp_issue,
        {{ hash_normalised('country_normalised') }} as country,
        {{ issue_country('country', 'country_normalised') }} as country_issue,
        {{ ldu_state('st_normalised', 'country_normalised') }} as ldu_state,
        answers,
        has_ads_consent,
        -- personal data in a query string (a GET form's ?email=) never leaves staging
        {{ url_without_pii('page_url') }} as page_url,
        {{ url_query_param('page_url', 'utm_source') }} as utm_source,
        {{ url_query_param('page_url', 'utm_medium') }} as utm_medium,
        {{ url_query_param('page_url', 'utm_campaign') }} as utm_campaign,
        {{ url_query_param('page_url', 'utm_content') }} as utm_content,
        {{ url_query_param('page_url', 'utm_term') }} as utm_term,
        {{ url_query_param('page_url', 'fbclid', decode=false) }} as fbclid,
        {{ url_query_param('page_url', 'gclid', decode=false) }} as gclid,
        client_ip_address,
        client_user_agent,
        meta_lead_id,
        _source_file,
        _source_row,
        _loaded_at
    from normalised
)

select * from final
