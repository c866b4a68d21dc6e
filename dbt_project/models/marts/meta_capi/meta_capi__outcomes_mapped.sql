-- One row per qualified outcome: which Meta event it becomes (or why none), and its event_id.
-- The dedup contract lives here: an outcome with a browser Pixel event reuses that event's id
-- and name; any other event_id is a hash of the source system, record and outcome type, never
-- of person_id, so rebuilds, re-stitching and re-runs give the same ids.

with

fct_qualified_outcomes as (

    select
        outcome_id,
        outcome_type,
        person_id,
        occurred_at,
        source_system,
        source_record_id,
        pixel_event_id,
        pixel_event_name,
        meta_lead_id,
        order_channel
    from {{ ref('fct_qualified_outcomes') }}

),

meta_capi_event_map as (

    select
        outcome_type,
        order_channel,
        is_meta_lead,
        event_name,
        action_source,
        event_source,
        is_sent,
        value_rule
    from {{ ref('meta_capi_event_map') }}

),

map_candidates as (

    -- a map row with an empty order_channel or is_meta_lead matches any value; the most
    -- specific matching row wins
    select
        fct_qualified_outcomes.outcome_id,
        meta_capi_event_map.event_name as mapped_event_name,
        meta_capi_event_map.action_source,
        meta_capi_event_map.event_source,
        meta_capi_event_map.is_sent,
        meta_capi_event_map.value_rule,
        row_number() over (
            partition by fct_qualified_outcomes.outcome_id
            order by
                case when meta_capi_event_map.order_channel is null then 1 else 0 end,
                case when meta_capi_event_map.is_meta_lead is null then 1 else 0 end
        ) as match_rank
    from fct_qualified_outcomes
    inner join meta_capi_event_map
        on
            fct_qualified_outcomes.outcome_type = meta_capi_event_map.outcome_type
            and (
                meta_capi_event_map.order_channel is null
                or fct_qualified_outcomes.order_channel = meta_capi_event_map.order_channel
            )
            and (
                meta_capi_event_map.is_meta_lead is null
                or meta_capi_event_map.is_meta_lead
                = (fct_qualified_outcomes.meta_lead_id is not null)
            )

),

mapped as (

    select
        fct_qualified_outcomes.*,
        map_candidates.outcome_id is not null as is_mapped,
        map_candidates.action_source,
        map_candidates.event_source,
        map_candidates.value_rule,
        coalesce(map_candidates.is_sent, false) as is_sent,
        case
            when fct_qualified_outcomes.pixel_event_id is not null
                then coalesce(
                    fct_qualified_outcomes.pixel_event_name, map_candidates.mapped_event_name
                )
            else map_candidates.mapped_event_name
        end as event_name,
        coalesce(
            fct_qualified_outcomes.pixel_event_id,
            {{ meta_capi_sha256(
                "'journey-memory|' || fct_qualified_outcomes.source_system"
                ~ " || '|' || fct_qualified_outcomes.source_record_id"
                ~ " || '|' || fct_qualified_outcomes.outcome_type"
            ) }}
        ) as event_id,
        case
            when fct_qualified_outcomes.pixel_event_id is not null then 'pixel'
            else 'source_record'
        end as event_id_source
    from fct_qualified_outcomes
    left join map_candidates
        on
            fct_qualified_outcomes.outcome_id = map_candidates.outcome_id
            and map_candidates.match_rank = 1

),

pixel_id_shared as (

    -- two sendable outcomes carrying the same Pixel event are one browser conversion: the
    -- earliest keeps it, the others are skipped rather than sent twice
    select
        outcome_id,
        row_number() over (
            partition by event_id
            order by occurred_at, outcome_id
        ) as event_id_rank,
        first_value(outcome_id) over (
            partition by event_id
            order by occurred_at, outcome_id
            rows between unbounded preceding and unbounded following
        ) as event_id_owner
    from mapped
    where is_mapped and is_sent

),

final as (

    select
        mapped.outcome_id,
        mapped.outcome_type,
        mapped.person_id,
        mapped.occurred_at,
        mapped.source_system,
        mapped.source_record_id,
        mapped.event_id,
        mapped.event_id_source,
        mapped.event_name,
        mapped.action_source,
        mapped.event_source,
        mapped.value_rule,
        mapped.is_mapped and mapped.is_sent and pixel_id_shared.event_id_rank = 1
            as is_candidate,
        case
            when not mapped.is_mapped
                then 'outcome_type has no matching row in meta_capi_event_map'
            when not mapped.is_sent then 'meta_capi_event_map says not sent'
            when pixel_id_shared.event_id_rank > 1
                then 'same Pixel event as outcome ' || pixel_id_shared.event_id_owner
        end as skip_reason
    from mapped
    left join pixel_id_shared
        on mapped.outcome_id = pixel_id_shared.outcome_id

)

select * from final
