//! Endpoints under `/api/v2.1/public/webhooks/`, one file each: the signing key, register,
//! delete. SpotDraft documents no list or read endpoint: keep the id `registerWebhook`
//! returns.

pub(crate) mod delete;
pub(crate) mod hmac_key;
pub(crate) mod register;
