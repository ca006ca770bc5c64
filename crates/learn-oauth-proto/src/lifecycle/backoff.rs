//! Seeded jitter and capped exponential backoff.
