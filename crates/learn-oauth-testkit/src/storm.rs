//! Many callers at once: threads started together, or Tokio tasks.

use std::future::Future;

/// Runs `call` on `n` threads released together; every answer, in thread order.
pub fn threads<T: Send>(n: usize, call: impl Fn() -> T + Sync) -> Vec<T> {
    let start = std::sync::Barrier::new(n);
    std::thread::scope(|scope| {
        let callers: Vec<_> = (0..n)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    call()
                })
            })
            .collect();
        callers
            .into_iter()
            .map(|caller| caller.join().expect("a caller panicked"))
            .collect()
    })
}

/// Spawns `n` tasks from `call` on the current Tokio runtime and awaits them all; every
/// answer, in spawn order.
pub async fn tasks<T, F>(n: usize, call: impl Fn() -> F) -> Vec<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let callers: Vec<_> = (0..n).map(|_| tokio::spawn(call())).collect();
    let mut answers = Vec::with_capacity(n);
    for caller in callers {
        answers.push(caller.await.expect("a caller panicked"));
    }
    answers
}
