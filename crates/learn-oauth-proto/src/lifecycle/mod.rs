//! The token lifecycle state machine.
