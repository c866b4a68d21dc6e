-- One row per event_id the send ledger (sync.meta_capi_deliveries, written by the sink) has
-- marked sent to any pixel; empty before the first sync. Conversion Leads ordering reads it:
-- a later stage may go once the earlier ones are sent, even after they left the 7-day window.
{{ config(materialized='view') }}

with

ledger_sent as (

    {{ meta_capi_sent_event_ids() }}

),

final as (

    select distinct event_id
    from ledger_sent
    where event_id is not null

)

select * from final
