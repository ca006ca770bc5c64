//! The configuration of one invocation: flags over the selected profile over the
//! `LEARN_*` variables, turned into a [`ClientConfig`] by `learn_oauth::env` itself (one
//! reading of the variables for the library and the CLI), and every refusal traced back
//! to the flag, variable, profile key or file the value came from.

pub(crate) mod error;
mod resolve;
mod secret;
#[cfg(test)]
mod tests;
mod values;

pub(crate) use resolve::{Settings, resolve};
