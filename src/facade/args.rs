//! The names `sync_engine`, `stores` and `fetch` still import from here, re-exported from
//! [`super::convert`] (the one copy) until they import from it directly.

pub(super) use super::convert::type_name;
