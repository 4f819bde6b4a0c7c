//! The credential proxy's rules (`spotdraft-sync/server`'s `createProxy`): which requests a
//! browser or CRM card may have forwarded to SpotDraft ([`route`]) and whether a request
//! really comes from HubSpot ([`hubspot_signature`]). Pure: the JS handler reads the request,
//! asks these, and does the IO.

pub(crate) mod hubspot_signature;
pub(crate) mod route;
