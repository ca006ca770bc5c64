//! The subcommands.

pub(crate) mod api;
pub(crate) mod cache;
pub(crate) mod check;
pub(crate) mod token;
