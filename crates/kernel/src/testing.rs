//! Helpers for domain unit tests, which run use cases against in-memory fakes without a runtime.

use std::future::Future;
use std::task::{Context, Poll, Waker};

/// Polls a future to completion on the current thread. Fakes never wait on I/O, so a
/// no-op waker is enough.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}
