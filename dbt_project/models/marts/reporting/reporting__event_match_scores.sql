-- One row per delivered event: OUR predicted match-quality score (0-10) for the keys it was
-- sent with and for the keys a pixel mirror would have sent. Not Meta's EMQ: the weights are
-- in the seed reporting_match_key_weights; the formula is in the model's description.

with

reporting__events_delivered as (

    select
        event_id,
        event_name,
        event_date
    from {{ ref('reporting__events_delivered') }}
    where is_delivered

),

meta_capi__event_user_data as (

    select
        event_id,
        key_name,
        key_source
    from {{ ref('meta_capi__event_user_data') }}

),

reporting_match_key_weights as (

    select
        key_name,
        match_weight
    from {{ ref('reporting_match_key_weights') }}

),

weights_summed as (

    select
        meta_capi__event_user_data.event_id,
        count(*) as keys_sent,
        sum(reporting_match_key_weights.match_weight) as sent_weight,
        sum(
            case
                when meta_capi__event_user_data.key_source = 'converting_record'
                    then reporting_match_key_weights.match_weight
                else 0
            end
        ) as pixel_mirror_weight
    from meta_capi__event_user_data
    inner join reporting_match_key_weights
        on meta_capi__event_user_data.key_name = reporting_match_key_weights.key_name
    group by meta_capi__event_user_data.event_id

),

scored as (

    select
        reporting__events_delivered.event_id,
        reporting__events_delivered.event_name,
        reporting__events_delivered.event_date,
        coalesce(weights_summed.keys_sent, 0) as keys_sent,
        least(10.0, coalesce(weights_summed.sent_weight, 0)) as predicted_match_score,
        least(10.0, coalesce(weights_summed.pixel_mirror_weight, 0))
            as pixel_mirror_predicted_match_score
    from reporting__events_delivered
    left join weights_summed
        on reporting__events_delivered.event_id = weights_summed.event_id

),

final as (

    select
        *,
        predicted_match_score - pixel_mirror_predicted_match_score as predicted_score_uplift
    from scored

)

select * from final
