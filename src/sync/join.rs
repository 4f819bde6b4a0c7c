//! Polling several futures together until all are done (no `futures` dependency).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls every future of `futures` on each wake until all are ready. Outputs are dropped.
/// Does not spawn: the futures run inside the caller's task.
pub(crate) async fn join_all<F: Future<Output = ()>>(futures: impl IntoIterator<Item = F>) {
    JoinAll {
        futures: futures.into_iter().map(|f| Some(Box::pin(f))).collect(),
    }
    .await;
}

struct JoinAll<F> {
    futures: Vec<Option<Pin<Box<F>>>>,
}

impl<F: Future<Output = ()>> Future for JoinAll<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut pending = false;
        for slot in &mut self.futures {
            if let Some(future) = slot {
                if future.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}
