//! Endpoints under `/api/v2.1/public/contracts/`, one file each.

pub(crate) mod by_external;
pub(crate) mod create;
pub(crate) mod download_link;
pub(crate) mod ids;
pub(crate) mod key_pointers;
pub(crate) mod send;
pub(crate) mod status;

use crate::core::ids::CompositeId;

/// `/api/v2.1/public/contracts/{composite_id}` (no trailing slash).
pub(crate) fn contract_path(id: &CompositeId) -> String {
    // A CompositeId is `T-`/`H-` + digits, so it needs no encoding.
    format!("{}/contracts/{}", super::API_PREFIX, id.as_str())
}
