{#- One row per business outcome (outcome_id) with its person and what the journey knew at
    occurred_at, never later:
    - fbc: of the person's Meta click ids first seen at or before occurred_at and clicked
      within var journeys_click_window_days (Meta's 90-day cookie life), the latest click;
      its `_fbc` cookie when one was seen by then (fbc_source cookie), else rebuilt as
      fb.1.<first seen ms>.<fbclid> (fbc_source rebuilt);
    - fbp: the latest fbp a browser hit carried in that window;
    - client_ip_address, client_user_agent: the latest real browser hit in that window;
    - touches: first and last touch and last Meta touch at or before occurred_at;
    - whose journey: the record's person's, plus its own Pixel hit's person's and the person
      of the browser the record names (int_outcome_record_devices) when identity put them
      with someone else (a checkout email does not claim a browser);
    - record_*: the converting record's own cookies and browser (the pixel-mirror view):
      the Pixel hit it names (pixel_event_id), else its own columns.
    A booking tool does not know the Pixel's event id: an appointment_booked outcome takes
    the person's `booking` web hit nearest to it within var
    journeys_booking_pixel_window_minutes (default 30), so the server event can reuse the
    browser Schedule event's id. -#}

{%- set window_days = var('journeys_click_window_days', 90) %}
{%- set booking_minutes = var('journeys_booking_pixel_window_minutes', 30) %}

with

int_outcomes_deduplicated as (

    select * from {{ ref('int_outcomes_deduplicated') }}

),

int_record_persons as (

    select
        source_table,
        record_id,
        person_id
    from {{ ref('int_record_persons') }}

),

int_click_ids_observed as (

    select * from {{ ref('int_click_ids_observed') }}

),

int_browser_contexts_observed as (

    select * from {{ ref('int_browser_contexts_observed') }}

),

int_touches_classified as (

    select
        touch_id,
        person_id,
        touched_at,
        channel,
        utm_campaign,
        landing_page_url
    from {{ ref('int_touches_classified') }}

),

int_web_hits_resolved as (

    select
        event_id,
        person_id,
        occurred_at,
        event_type,
        pixel_event_name,
        page_url,
        fbc,
        fbp,
        client_ip_address,
        client_user_agent
    from {{ ref('int_web_hits_resolved') }}

),

int_outcome_record_devices as (

    select * from {{ ref('int_outcome_record_devices') }}

),

device_persons as (

    select
        identifier_value as anonymous_id,
        person_id
    from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'anonymous_id'

),

int_crm_contacts_merged as (

    select
        crm_contact_id,
        lead_created_at,
        meta_lead_id
    from {{ ref('int_crm_contacts_merged') }}

),

outcomes_personed as (

    select
        int_outcomes_deduplicated.*,
        int_record_persons.person_id,
        {{ dbt.dateadd('day', -window_days, 'int_outcomes_deduplicated.occurred_at') }}
            as window_start_at
    from int_outcomes_deduplicated
    left join int_record_persons
        on
            int_outcomes_deduplicated.source_system = int_record_persons.source_table
            and int_outcomes_deduplicated.source_record_id = int_record_persons.record_id

),

booking_pixel_candidates as (

    select
        outcomes_personed.outcome_id,
        int_web_hits_resolved.event_id,
        row_number() over (
            partition by outcomes_personed.outcome_id
            order by
                abs({{ dbt.datediff(
                    'int_web_hits_resolved.occurred_at', 'outcomes_personed.occurred_at', 'second'
                ) }}) asc,
                int_web_hits_resolved.event_id asc
        ) as pixel_rank
    from outcomes_personed
    inner join int_web_hits_resolved
        on
            outcomes_personed.person_id = int_web_hits_resolved.person_id
            and outcomes_personed.outcome_type = 'appointment_booked'
            and outcomes_personed.pixel_event_id is null
            and int_web_hits_resolved.event_type = 'booking'
            and int_web_hits_resolved.occurred_at
            >= {{ dbt.dateadd('minute', -booking_minutes, 'outcomes_personed.occurred_at') }}
            and int_web_hits_resolved.occurred_at
            <= {{ dbt.dateadd('minute', booking_minutes, 'outcomes_personed.occurred_at') }}

),

outcomes as (

    select
        outcomes_personed.*,
        coalesce(outcomes_personed.pixel_event_id, booking_pixel_candidates.event_id)
            as linked_pixel_event_id
    from outcomes_personed
    left join booking_pixel_candidates
        on
            outcomes_personed.outcome_id = booking_pixel_candidates.outcome_id
            and booking_pixel_candidates.pixel_rank = 1

),

journey_persons as (

    -- whose journey an outcome draws on: its record's person and, when identity put the
    -- record's own Pixel hit with another person (a device not claimed), that hit's person
    select
        outcome_id,
        person_id
    from outcomes
    where person_id is not null

    union

    select
        outcomes.outcome_id,
        pixel_persons.person_id
    from outcomes
    inner join int_web_hits_resolved as pixel_persons
        on outcomes.linked_pixel_event_id = pixel_persons.event_id
    where pixel_persons.person_id is not null

    union

    select
        outcomes.outcome_id,
        device_persons.person_id
    from outcomes
    inner join int_outcome_record_devices
        on
            outcomes.source_system = int_outcome_record_devices.source_system
            and outcomes.source_record_id = int_outcome_record_devices.source_record_id
    inner join device_persons
        on int_outcome_record_devices.anonymous_id = device_persons.anonymous_id

),

outcome_journeys as (

    select
        journey_persons.person_id as journey_person_id,
        outcomes.*
    from journey_persons
    inner join outcomes
        on journey_persons.outcome_id = outcomes.outcome_id

),

click_candidates as (

    select
        outcome_journeys.outcome_id,
        int_click_ids_observed.fbclid,
        int_click_ids_observed.clicked_at,
        case
            when int_click_ids_observed.first_cookie_seen_at <= outcome_journeys.occurred_at
                then int_click_ids_observed.cookie_fbc
            else int_click_ids_observed.rebuilt_fbc
        end as fbc,
        case
            when int_click_ids_observed.first_cookie_seen_at <= outcome_journeys.occurred_at
                then 'cookie'
            else 'rebuilt'
        end as fbc_source,
        row_number() over (
            partition by outcome_journeys.outcome_id
            order by
                int_click_ids_observed.clicked_at desc,
                int_click_ids_observed.first_seen_at desc,
                int_click_ids_observed.fbclid asc
        ) as click_rank
    from outcome_journeys
    inner join int_click_ids_observed
        on
            outcome_journeys.journey_person_id = int_click_ids_observed.person_id
            and outcome_journeys.occurred_at >= int_click_ids_observed.first_seen_at
            and outcome_journeys.occurred_at >= int_click_ids_observed.clicked_at
            and outcome_journeys.window_start_at <= int_click_ids_observed.clicked_at

),

fbp_candidates as (

    select
        outcome_journeys.outcome_id,
        int_browser_contexts_observed.fbp,
        int_browser_contexts_observed.occurred_at as fbp_seen_at,
        row_number() over (
            partition by outcome_journeys.outcome_id
            order by
                int_browser_contexts_observed.occurred_at desc,
                int_browser_contexts_observed.event_id asc
        ) as fbp_rank
    from outcome_journeys
    inner join int_browser_contexts_observed
        on
            outcome_journeys.journey_person_id = int_browser_contexts_observed.person_id
            and int_browser_contexts_observed.fbp is not null
            and outcome_journeys.occurred_at >= int_browser_contexts_observed.occurred_at
            and outcome_journeys.window_start_at <= int_browser_contexts_observed.occurred_at

),

browser_candidates as (

    select
        outcome_journeys.outcome_id,
        int_browser_contexts_observed.client_ip_address,
        int_browser_contexts_observed.client_user_agent,
        int_browser_contexts_observed.occurred_at as browser_seen_at,
        row_number() over (
            partition by outcome_journeys.outcome_id
            order by
                int_browser_contexts_observed.occurred_at desc,
                int_browser_contexts_observed.event_id asc
        ) as browser_rank
    from outcome_journeys
    inner join int_browser_contexts_observed
        on
            outcome_journeys.journey_person_id = int_browser_contexts_observed.person_id
            and int_browser_contexts_observed.client_ip_address is not null
            and outcome_journeys.occurred_at >= int_browser_contexts_observed.occurred_at
            and outcome_journeys.window_start_at <= int_browser_contexts_observed.occurred_at

),

touches_before as (

    select
        outcomes.outcome_id,
        int_touches_classified.touched_at,
        int_touches_classified.channel,
        int_touches_classified.utm_campaign,
        int_touches_classified.landing_page_url,
        row_number() over (
            partition by outcomes.outcome_id
            order by int_touches_classified.touched_at, int_touches_classified.touch_id
        ) as touch_rank_first,
        row_number() over (
            partition by outcomes.outcome_id
            order by int_touches_classified.touched_at desc, int_touches_classified.touch_id asc
        ) as touch_rank_last,
        row_number() over (
            partition by
                outcomes.outcome_id,
                int_touches_classified.channel = 'meta_paid'
            order by int_touches_classified.touched_at desc, int_touches_classified.touch_id asc
        ) as channel_rank_last,
        count(*) over (partition by outcomes.outcome_id) as touches_before_outcome
    from outcomes
    inner join int_touches_classified
        on
            outcomes.person_id = int_touches_classified.person_id
            and outcomes.occurred_at >= int_touches_classified.touched_at

),

first_touch_ever as (

    select
        person_id,
        min(touched_at) as first_touched_at
    from int_touches_classified
    group by person_id

),

crm_stages_before as (

    -- the highest funnel stage the same CRM contact reached before this one
    select
        later.outcome_id,
        max(earlier.funnel_rank) as previous_funnel_rank
    from outcomes as later
    inner join outcomes as earlier
        on
            later.source_system = 'crm_stage_changes'
            and earlier.source_system = 'crm_stage_changes'
            and later.crm_contact_id = earlier.crm_contact_id
            and later.funnel_rank > earlier.funnel_rank
            and later.occurred_at >= earlier.occurred_at
    group by later.outcome_id

),

final as (

    select
        outcomes.outcome_id,
        outcomes.outcome_type,
        outcomes.person_id,
        outcomes.occurred_at,
        outcomes.value,
        outcomes.currency,
        outcomes.value_issue,
        outcomes.source_system,
        outcomes.source_record_id,
        outcomes.source_status,
        outcomes.linked_pixel_event_id as pixel_event_id,
        pixel_hits.pixel_event_name,
        outcomes.crm_contact_id,
        coalesce(
            outcomes.record_meta_lead_id, int_crm_contacts_merged.meta_lead_id
        ) as meta_lead_id,
        int_crm_contacts_merged.lead_created_at,
        outcomes.deal_id,
        outcomes.booking_id,
        outcomes.order_channel,
        outcomes.order_id,
        outcomes.items,
        outcomes.num_items,
        coalesce(pixel_hits.page_url, outcomes.record_page_url) as event_source_url,
        click_candidates.fbc,
        click_candidates.fbc_source,
        click_candidates.fbclid,
        click_candidates.clicked_at as fbc_clicked_at,
        fbp_candidates.fbp,
        browser_candidates.client_ip_address,
        browser_candidates.client_user_agent,
        pixel_hits.fbc as record_fbc,
        pixel_hits.fbp as record_fbp,
        coalesce(
            outcomes.record_client_ip_address, pixel_hits.client_ip_address
        ) as record_client_ip_address,
        coalesce(
            outcomes.record_client_user_agent, pixel_hits.client_user_agent
        ) as record_client_user_agent,
        first_touches.touched_at as first_touch_at,
        first_touches.channel as first_touch_channel,
        first_touches.utm_campaign as first_touch_campaign,
        first_touches.landing_page_url as first_touch_landing_page_url,
        last_touches.touched_at as last_touch_at,
        last_touches.channel as last_touch_channel,
        last_touches.utm_campaign as last_touch_campaign,
        last_touches.landing_page_url as last_touch_landing_page_url,
        last_meta_touches.touched_at as last_meta_touch_at,
        last_meta_touches.utm_campaign as last_meta_touch_campaign,
        last_meta_touches.landing_page_url as last_meta_touch_landing_page_url,
        coalesce(first_touches.touches_before_outcome, 0) as touches_before_outcome,
        coalesce(first_touch_ever.first_touched_at > outcomes.occurred_at, false)
            as is_before_first_touch,
        coalesce(
            outcomes.funnel_rank > coalesce(crm_stages_before.previous_funnel_rank, 0) + 1,
            false
        ) as is_stage_skipped,
        outcomes.superseded_records
    from outcomes
    left join click_candidates
        on outcomes.outcome_id = click_candidates.outcome_id and click_candidates.click_rank = 1
    left join fbp_candidates
        on outcomes.outcome_id = fbp_candidates.outcome_id and fbp_candidates.fbp_rank = 1
    left join browser_candidates
        on
            outcomes.outcome_id = browser_candidates.outcome_id
            and browser_candidates.browser_rank = 1
    left join touches_before as first_touches
        on outcomes.outcome_id = first_touches.outcome_id and first_touches.touch_rank_first = 1
    left join touches_before as last_touches
        on outcomes.outcome_id = last_touches.outcome_id and last_touches.touch_rank_last = 1
    left join touches_before as last_meta_touches
        on
            outcomes.outcome_id = last_meta_touches.outcome_id
            and last_meta_touches.channel = 'meta_paid'
            and last_meta_touches.channel_rank_last = 1
    left join first_touch_ever
        on outcomes.person_id = first_touch_ever.person_id
    left join crm_stages_before
        on outcomes.outcome_id = crm_stages_before.outcome_id
    left join int_web_hits_resolved as pixel_hits
        on outcomes.linked_pixel_event_id = pixel_hits.event_id
    left join int_crm_contacts_merged
        on outcomes.crm_contact_id = int_crm_contacts_merged.crm_contact_id

)

select * from final
