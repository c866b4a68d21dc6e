{#- One CRM contact. Contact fields leave this model only as Meta-normalised SHA-256 hashes
    (with <key>_issue for rejected values); ldu_state is the only address trace. -#}
with

source_rows as (
    select * from {{ source('crm', 'crm_contacts') }}
    where {{ incremental_landed_since() }}
),

ranked as (
    select
        source_rows.*,
        row_number() over (
            partition by source_rows.crm_contact_id
            order by
                source_rows._loaded_at desc,
                source_rows._source_file desc,
                source_rows._source_row desc
        ) as load_rank
    from source_rows
),

renamed as (
    select
        {{ clean_text('crm_contact_id') }} as crm_contact_id,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        email,
        phone,
        first_name,
        last_name,
        city,
        state,
        zip,
        country,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('submission_id') }} as submission_id,
        {{ meta_lead_id('meta_lead_id') }} as meta_lead_id,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        cast(consent_ads as boolean) as has_ads_consent,
        {{ clean_text('merged_into_crm_contact_id') }} as merged_into_crm_contact_id,
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

phones_prepared as (
    select
        countries_normalised.*,
        {{ ph_candidate('countries_normalised.phone', 'countries_normalised.country_normalised') }}
            as ph_candidate
    from countries_normalised
),

normalised as (
    select
        phones_prepared.*,
        {{ normalize_em('phones_prepared.email') }} as em_normalised,
        coalesce(
            {{ hashed_passthrough('phones_prepared.phone') }},
            {{ ph_from_candidate('phones_prepared.ph_candidate') }}
        ) as ph_normalised,
        {{ normalize_fn('phones_prepared.first_name') }} as fn_normalised,
        {{ normalize_ln('phones_prepared.last_name') }} as ln_normalised,
        {{ normalize_ct('phones_prepared.city') }} as ct_normalised,
        {{ normalize_st('phones_prepared.state', 'phones_prepared.country_normalised') }}
            as st_normalised,
        {{ normalize_zp('phones_prepared.zip', 'phones_prepared.country_normalised') }}
            as zp_normalised
    from phones_prepared
),

final as (
    select
        crm_contact_id,
        created_at,
        updated_at,
        {{ hash_normalised('em_normalised') }} as em,
        {{ issue_em('email', 'em_normalised') }} as em_issue,
        {{ hash_normalised('ph_normalised') }} as ph,
        {{ issue_ph('phone', 'ph_normalised', candidate='ph_candidate') }} as ph_issue,
        {{ hash_normalised('fn_normalised') }} as fn,
        {{ issue_fn('first_name', 'fn_normalised') }} as fn_issue,
        {{ hash_normalised('ln_normalised') }} as ln,
        {{ issue_ln('last_name', 'ln_normalised') }} as ln_issue,
        {{ hash_normalised('ct_normalised') }} as ct,
        {{ issue_ct('city', 'ct_normalised') }} as ct_issue,
        {{ hash_normalised('st_normalised') }} as st,
        {{ issue_st('state', 'st_normalised', 'country_normalised') }} as st_issue,
        {{ hash_normalised('zp_normalised') }} as zp,
        {{ issue_zp('zip', 'zp_normalised', 'country_normalised') }} as zp_issue,
        {{ hash_normalised('country_normalised') }} as country,
        {{ issue_country('country', 'country_normalised') }} as country_issue,
        {{ ldu_state('st_normalised', 'country_normalised') }} as ldu_state,
        anonymous_id,
        submission_id,
        meta_lead_id,
        lead_source,
        utm_source,
        utm_medium,
        utm_campaign,
        has_ads_consent,
        merged_into_crm_contact_id,
        _source_file,
        _source_row,
        _loaded_at
    from normalised
)

select * from final
