{#- One row per touch (touch_id) with its channel: the first rule of seed channel_rules, in
    rule_order, whose every filled condition holds (see seeds/journeys/README.md). -#}

with

int_touches_unioned as (

    select * from {{ ref('int_touches_unioned') }}

),

channel_rules as (

    -- an empty condition matches anything, whether the loader read it as null or ''
    select
        rule_order,
        channel,
        nullif(click_id, '') as click_id,
        nullif(utm_source_in, '') as utm_source_in,
        nullif(utm_medium_in, '') as utm_medium_in,
        nullif(referrer_host_like, '') as referrer_host_like,
        nullif(source_category, '') as source_category
    from {{ ref('channel_rules') }}

),

ga4_source_categories as (

    select
        lower(source) as source,
        -- SOURCE_CATEGORY_SEARCH -> search
        lower(replace(source_category, 'SOURCE_CATEGORY_', '')) as source_category
    from {{ ref('ga4_source_categories') }}

),

referrer_names as (

    -- a referrer host is looked up as is, without www., and by its second-level label
    -- (www.google.co.uk is not listed, google is)
    select
        touch_id,
        referrer_host,
        case
            when referrer_host like 'www.%' then substring(referrer_host, 5)
            else referrer_host
        end as referrer_host_bare,
        {{ dbt.split_part("case when referrer_host like 'www.%' "
                          "then substring(referrer_host, 5) else referrer_host end", "'.'", 1) }}
            as referrer_first_label,
        {{ dbt.split_part('referrer_host', "'.'", -2) }} as referrer_second_level_label
    from int_touches_unioned
    where referrer_host is not null

),

referrer_categories as (

    select
        referrer_names.touch_id,
        coalesce(
            by_host.source_category,
            by_bare_host.source_category,
            by_second_level.source_category
        ) as source_category
    from referrer_names
    left join ga4_source_categories as by_host
        on referrer_names.referrer_host = by_host.source
    left join ga4_source_categories as by_bare_host
        on referrer_names.referrer_host_bare = by_bare_host.source
    left join ga4_source_categories as by_second_level
        on referrer_names.referrer_second_level_label = by_second_level.source

),

touches_described as (

    select
        int_touches_unioned.*,
        coalesce(
            utm_categories.source_category, referrer_categories.source_category
        ) as source_category
    from int_touches_unioned
    left join ga4_source_categories as utm_categories
        on int_touches_unioned.utm_source = utm_categories.source
    left join referrer_categories
        on int_touches_unioned.touch_id = referrer_categories.touch_id

),

rules_matched as (

    select
        touches_described.touch_id,
        channel_rules.rule_order,
        channel_rules.channel,
        row_number() over (
            partition by touches_described.touch_id
            order by channel_rules.rule_order
        ) as match_rank
    from touches_described
    inner join channel_rules
        on
            (
                channel_rules.click_id is null
                or (channel_rules.click_id = 'fbclid' and touches_described.fbclid is not null)
                or (channel_rules.click_id = 'gclid' and touches_described.gclid is not null)
                or (
                    channel_rules.click_id = 'meta_lead_id'
                    and touches_described.meta_lead_id is not null
                )
            )
            and (
                channel_rules.utm_source_in is null
                or {{ dbt.position(
                    "concat('|', coalesce(touches_described.utm_source, '(none)'), '|')",
                    "concat('|', channel_rules.utm_source_in, '|')"
                ) }} > 0
            )
            and (
                channel_rules.utm_medium_in is null
                or {{ dbt.position(
                    "concat('|', coalesce(touches_described.utm_medium, '(none)'), '|')",
                    "concat('|', channel_rules.utm_medium_in, '|')"
                ) }} > 0
            )
            and (
                channel_rules.referrer_host_like is null
                or touches_described.referrer_host like channel_rules.referrer_host_like
            )
            and (
                channel_rules.source_category is null
                or touches_described.source_category = channel_rules.source_category
            )

),

final as (

    select
        touches_described.*,
        coalesce(rules_matched.channel, 'unassigned') as channel,
        rules_matched.rule_order as channel_rule_order
    from touches_described
    left join rules_matched
        on
            touches_described.touch_id = rules_matched.touch_id
            and rules_matched.match_rank = 1

)

select * from final
