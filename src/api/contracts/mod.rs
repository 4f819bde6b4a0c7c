//! Endpoints under `/api/v2.1/public/contracts/`, one file each.

pub mod by_external;
pub mod create;
pub mod download_link;
pub mod ids;
pub mod key_pointers;
pub mod send;
pub mod status;

use crate::core::ids::CompositeId;

/// `/api/v2.1/public/contracts/{composite_id}` (no trailing slash).
pub(crate) fn contract_path(id: &CompositeId) -> String {
    // A CompositeId is `T-`/`H-` + digits, so it needs no encoding.
    format!("{}/contracts/{}", super::API_PREFIX, id.as_str())
}
