{#- One row per person and Meta click id (person_id, fbclid): when we first saw it, the
    first `_fbc` cookie that carried it, and the fbc rebuilt from it. Observations: the
    fbclid query parameter of a web hit or form page, and the `_fbc` cookie of a web hit
    (its click id is the 4th dot-part, its creation time the 3rd, in milliseconds). -#}

with

int_web_hits_resolved as (

    select
        event_id,
        person_id,
        occurred_at,
        fbclid,
        fbc
    from {{ ref('int_web_hits_resolved') }}

),

stg_forms__submissions as (

    select
        submission_id,
        submitted_at,
        fbclid
    from {{ ref('stg_forms__submissions') }}
    where fbclid is not null

),

int_record_persons as (

    select
        record_id,
        person_id
    from {{ ref('int_record_persons') }}
    where source_table = 'form_submissions'

),

url_observations as (

    select
        person_id,
        fbclid,
        occurred_at as observed_at,
        cast(null as {{ dbt.type_string() }}) as cookie_fbc,
        cast(null as bigint) as cookie_created_ms
    from int_web_hits_resolved
    where fbclid is not null

    union all

    select
        int_record_persons.person_id,
        stg_forms__submissions.fbclid,
        stg_forms__submissions.submitted_at as observed_at,
        cast(null as {{ dbt.type_string() }}) as cookie_fbc,
        cast(null as bigint) as cookie_created_ms
    from stg_forms__submissions
    inner join int_record_persons
        on stg_forms__submissions.submission_id = int_record_persons.record_id

),

cookie_observations as (

    select
        person_id,
        {{ dbt.split_part('fbc', "'.'", 4) }} as fbclid,
        occurred_at as observed_at,
        fbc as cookie_fbc,
        {{ dbt.safe_cast(dbt.split_part('fbc', "'.'", 3), api.Column.translate_type('bigint')) }}
            as cookie_created_ms
    from int_web_hits_resolved
    where fbc is not null

),

observations as (

    select * from url_observations
    union all
    select * from cookie_observations

),

first_cookies as (

    select
        person_id,
        fbclid,
        cookie_fbc,
        observed_at as first_cookie_seen_at,
        cookie_created_ms,
        row_number() over (
            partition by person_id, fbclid
            order by observed_at, cookie_fbc
        ) as cookie_rank
    from observations
    where cookie_fbc is not null

),

click_ids as (

    select
        person_id,
        fbclid,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as observations
    from observations
    where person_id is not null and fbclid is not null and fbclid <> ''
    group by person_id, fbclid

),

final as (

    select
        click_ids.person_id,
        click_ids.fbclid,
        click_ids.first_seen_at,
        click_ids.last_seen_at,
        click_ids.observations,
        first_cookies.cookie_fbc,
        first_cookies.first_cookie_seen_at,
        -- the click happened when the cookie was set; a creation time later than we first
        -- saw the click id, or more than the cookie life earlier, is not believed
        case
            when
                first_cookies.cookie_created_ms is not null
                and {{ journeys_timestamp_from_epoch_ms('first_cookies.cookie_created_ms') }}
                <= click_ids.first_seen_at
                and {{ journeys_timestamp_from_epoch_ms('first_cookies.cookie_created_ms') }}
                >= {{ dbt.dateadd(
                    'day', -var('journeys_click_window_days', 90), 'click_ids.first_seen_at'
                ) }}
                then {{ journeys_timestamp_from_epoch_ms('first_cookies.cookie_created_ms') }}
            else click_ids.first_seen_at
        end as clicked_at,
        -- Meta: without a stored _fbc cookie, build fb.1.<first seen, ms>.<fbclid>
        concat(
            'fb.1.',
            cast({{ journeys_epoch_ms('click_ids.first_seen_at') }} as {{ dbt.type_string() }}),
            '.',
            click_ids.fbclid
        ) as rebuilt_fbc
    from click_ids
    left join first_cookies
        on
            click_ids.person_id = first_cookies.person_id
            and click_ids.fbclid = first_cookies.fbclid
            and first_cookies.cookie_rank = 1

)

select * from final
