//! The JS facade.
