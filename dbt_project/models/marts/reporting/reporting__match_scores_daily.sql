-- One row per (event_name, event_date): the mean of our predicted match-quality score over
-- delivered events, as sent and for a pixel mirror (our estimate, not Meta's EMQ).

with

reporting__event_match_scores as (

    select
        event_name,
        event_date,
        predicted_match_score,
        pixel_mirror_predicted_match_score
    from {{ ref('reporting__event_match_scores') }}

),

final as (

    select
        event_name,
        event_date,
        count(*) as delivered_events,
        avg(predicted_match_score) as mean_predicted_match_score,
        avg(pixel_mirror_predicted_match_score) as mean_pixel_mirror_predicted_match_score,
        avg(predicted_match_score) - avg(pixel_mirror_predicted_match_score)
            as mean_predicted_score_uplift
    from reporting__event_match_scores
    group by
        event_name,
        event_date

)

select * from final
