"""The Meta CAPI domain: the deliveries asset (runs sinks.meta_capi) and its checks."""
