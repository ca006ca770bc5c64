//! A publish the store told of while this request waits for its peer.

use std::time::Instant;

use super::{State, StoreFetch};

impl StoreFetch {
    /// The store told of a publish (a token or a cool-down) for this key at `now`, during
    /// a [`StoreStep::AwaitPublish`](crate::store::StoreStep::AwaitPublish): the wait ends
    /// and the next step reads. Only a hint: what was published is judged from the read,
    /// so a notification nobody sent costs one read and changes nothing else.
    pub fn handle_published(&mut self, _now: Instant) {
        if matches!(self.state, State::Wait(_)) {
            self.state = State::Read;
        }
    }
}
