{#- One row per CRM contact (crm_contact_id) with the contact it survives as. A contact the
    CRM merged into another (merged_into_crm_contact_id) speaks for the survivor: its stages
    are the survivor's stages, so the same stage on both is one outcome. Chains (A into B
    into C) are followed up to four links; a cycle stops at the last contact before it. -#}

with

stg_crm__contacts as (

    select
        crm_contact_id,
        {{ journeys_crm_local_to_utc('created_at') }} as created_at,
        meta_lead_id,
        submission_id,
        nullif(merged_into_crm_contact_id, crm_contact_id) as merged_into_crm_contact_id
    from {{ ref('stg_crm__contacts') }}

),

chains_followed as (

    select
        contact.crm_contact_id,
        contact.created_at,
        contact.meta_lead_id,
        contact.submission_id,
        contact.merged_into_crm_contact_id,
        coalesce(
            hop_4.crm_contact_id,
            hop_3.crm_contact_id,
            hop_2.crm_contact_id,
            hop_1.crm_contact_id,
            contact.crm_contact_id
        ) as surviving_crm_contact_id
    from stg_crm__contacts as contact
    left join stg_crm__contacts as hop_1
        on contact.merged_into_crm_contact_id = hop_1.crm_contact_id
    left join stg_crm__contacts as hop_2
        on
            hop_1.merged_into_crm_contact_id = hop_2.crm_contact_id
            and contact.crm_contact_id <> hop_2.crm_contact_id
    left join stg_crm__contacts as hop_3
        on
            hop_2.merged_into_crm_contact_id = hop_3.crm_contact_id
            and hop_3.crm_contact_id not in (contact.crm_contact_id, hop_1.crm_contact_id)
    left join stg_crm__contacts as hop_4
        on
            hop_3.merged_into_crm_contact_id = hop_4.crm_contact_id
            and hop_4.crm_contact_id
            not in (contact.crm_contact_id, hop_1.crm_contact_id, hop_2.crm_contact_id)

),

survivor_facts as (

    -- the lead was created when its earliest merged record was; keep any Meta lead id
    select
        surviving_crm_contact_id,
        min(created_at) as lead_created_at,
        max(meta_lead_id) as meta_lead_id
    from chains_followed
    group by surviving_crm_contact_id

),

final as (

    select
        chains_followed.crm_contact_id,
        chains_followed.surviving_crm_contact_id,
        chains_followed.crm_contact_id <> chains_followed.surviving_crm_contact_id
            as is_merged,
        chains_followed.submission_id,
        chains_followed.created_at,
        survivor_facts.lead_created_at,
        coalesce(
            survivor_of_chain.meta_lead_id, survivor_facts.meta_lead_id
        ) as meta_lead_id
    from chains_followed
    inner join survivor_facts
        on chains_followed.surviving_crm_contact_id = survivor_facts.surviving_crm_contact_id
    left join stg_crm__contacts as survivor_of_chain
        on chains_followed.surviving_crm_contact_id = survivor_of_chain.crm_contact_id

)

select * from final
