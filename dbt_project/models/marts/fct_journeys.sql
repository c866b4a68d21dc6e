{#- One row per person with at least one touch or outcome (person_id): first touch, last
    touch and last Meta touch (time, channel, campaign, landing page), sessions, and the
    days from the first touch to the journey's last event (touch or outcome). -#}

with

int_touches_classified as (

    select
        touch_id,
        touch_type,
        person_id,
        touched_at,
        channel,
        utm_campaign,
        landing_page_url
    from {{ ref('int_touches_classified') }}
    where person_id is not null

),

int_outcomes_journey_context as (

    select
        person_id,
        occurred_at,
        outcome_type
    from {{ ref('int_outcomes_journey_context') }}
    where person_id is not null

),

touches_ranked as (

    select
        *,
        row_number() over (
            partition by person_id order by touched_at, touch_id
        ) as rank_first,
        row_number() over (
            partition by person_id order by touched_at desc, touch_id asc
        ) as rank_last,
        row_number() over (
            partition by person_id, channel = 'meta_paid'
            order by touched_at desc, touch_id asc
        ) as rank_last_in_channel_group
    from int_touches_classified

),

touch_counts as (

    select
        person_id,
        count(*) as touches,
        sum(case when touch_type = 'web_session' then 1 else 0 end) as sessions,
        sum(case when channel = 'meta_paid' then 1 else 0 end) as meta_touches
    from int_touches_classified
    group by person_id

),

outcome_counts as (

    select
        person_id,
        count(*) as outcomes,
        min(occurred_at) as first_outcome_at,
        max(occurred_at) as last_outcome_at
    from int_outcomes_journey_context
    group by person_id

),

people as (

    select person_id from touch_counts
    union
    select person_id from outcome_counts

),

journeys_spanned as (

    select
        people.person_id,
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
        coalesce(touch_counts.touches, 0) as touches,
        coalesce(touch_counts.sessions, 0) as sessions,
        coalesce(touch_counts.meta_touches, 0) as meta_touches,
        coalesce(outcome_counts.outcomes, 0) as outcomes,
        outcome_counts.first_outcome_at,
        outcome_counts.last_outcome_at,
        case
            when last_touches.touched_at is null then outcome_counts.last_outcome_at
            when outcome_counts.last_outcome_at is null then last_touches.touched_at
            when outcome_counts.last_outcome_at > last_touches.touched_at
                then outcome_counts.last_outcome_at
            else last_touches.touched_at
        end as journey_ended_at
    from people
    left join touches_ranked as first_touches
        on people.person_id = first_touches.person_id and first_touches.rank_first = 1
    left join touches_ranked as last_touches
        on people.person_id = last_touches.person_id and last_touches.rank_last = 1
    left join touches_ranked as last_meta_touches
        on
            people.person_id = last_meta_touches.person_id
            and last_meta_touches.channel = 'meta_paid'
            and last_meta_touches.rank_last_in_channel_group = 1
    left join touch_counts
        on people.person_id = touch_counts.person_id
    left join outcome_counts
        on people.person_id = outcome_counts.person_id

),

final as (

    select
        *,
        {{ dbt.datediff('first_touch_at', 'journey_ended_at', 'day') }}
            as days_from_first_touch
    from journeys_spanned

)

select * from final
