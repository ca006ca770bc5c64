//! Heap held per pool entry: a pool of 10,000 keys, each holding a token, measured with
//! a counting allocator (live bytes after minus before, over the key count). Prints
//! `entry_bytes <n>` and `provider_bytes <n>` (one blocking provider over the canned
//! exchange, for comparison; a real transport's own buffers come on top of that, shared
//! by a pool's entries).
#![forbid(unsafe_code)]

use std::alloc::System;

use learn_oauth_bench::pool::{KEYS, tenant_config};
use learn_oauth_bench::warm::Canned;
use learn_oauth_driver::pool::{PoolKey, TokenPool};
use learn_oauth_driver::{Blocking, Provider};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live bytes since `region` began: stats_alloc already counts a reallocation's growth in
/// `bytes_allocated` (and its shrinking in `bytes_deallocated`), so `bytes_reallocated`,
/// the same change again, is not added.
fn live(region: &Region<'_, System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

fn main() {
    let configs: Vec<_> = (0..KEYS).map(tenant_config).collect();
    let keys: Vec<PoolKey> = configs.iter().map(PoolKey::of).collect();
    let region = Region::new(GLOBAL);
    let pool = TokenPool::<Blocking<Canned>>::builder(Canned)
        .max_entries(KEYS)
        .build();
    for config in configs {
        pool.insert(config).expect("room");
    }
    for key in &keys {
        pool.token(key).expect("a token");
    }
    let entry = live(&region) / KEYS as isize;
    println!("entry_bytes\t{entry}");

    let region = Region::new(GLOBAL);
    let provider = Provider::<Blocking<Canned>>::builder(tenant_config(0))
        .transport(Canned)
        .build()
        .expect("a provider with a transport");
    provider.token().expect("a token");
    println!("provider_bytes\t{}", live(&region));
    drop((pool, provider));
}
