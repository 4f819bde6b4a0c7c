//! One async lock per contract id, first come first served, on `std` only (`Rc`/`RefCell`
//! and wakers): the engine's updates of one contract run one at a time, those of different
//! contracts interleave freely.
//!
//! Single-threaded (`!Send`, like every wasm future). A waiting lock that is dropped (its
//! call cancelled) leaves the queue; a lock handed to a waiter that is dropped before it ran
//! passes on to the next. What this does NOT do: coordinate several engines or processes.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The holder and the queue of one contract's lock.
struct Entry {
    holder: u64,
    waiting: VecDeque<(u64, Option<Waker>)>,
}

/// The locks of all contracts; entries exist only while a lock is held.
#[derive(Default)]
pub(crate) struct ContractLocks {
    entries: RefCell<HashMap<u64, Entry>>,
    next_ticket: Cell<u64>,
}

impl ContractLocks {
    /// Waits for `contract_id`'s lock; it is held until the guard drops.
    pub(crate) fn lock(&self, contract_id: u64) -> Acquire<'_> {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket.wrapping_add(1));
        Acquire {
            locks: self,
            contract_id,
            ticket,
            acquired: false,
        }
    }

    /// Hands the lock held by `ticket` to the next waiter, or frees it.
    fn release(&self, contract_id: u64, ticket: u64) {
        let mut entries = self.entries.borrow_mut();
        let Some(entry) = entries.get_mut(&contract_id) else {
            return;
        };
        if entry.holder != ticket {
            return;
        }
        match entry.waiting.pop_front() {
            Some((next, waker)) => {
                entry.holder = next;
                drop(entries);
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
            None => {
                entries.remove(&contract_id);
            }
        }
    }
}

/// A pending lock: resolves to the guard.
pub(crate) struct Acquire<'a> {
    locks: &'a ContractLocks,
    contract_id: u64,
    ticket: u64,
    acquired: bool,
}

/// Holds a contract's lock until dropped.
pub(crate) struct LockGuard<'a> {
    locks: &'a ContractLocks,
    contract_id: u64,
    ticket: u64,
}

impl<'a> Future for Acquire<'a> {
    type Output = LockGuard<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard<'a>> {
        let mut entries = self.locks.entries.borrow_mut();
        let ticket = self.ticket;
        let entry = entries.entry(self.contract_id).or_insert_with(|| Entry {
            holder: ticket,
            waiting: VecDeque::new(),
        });
        if entry.holder == ticket {
            drop(entries);
            self.acquired = true;
            return Poll::Ready(LockGuard {
                locks: self.locks,
                contract_id: self.contract_id,
                ticket,
            });
        }
        match entry.waiting.iter_mut().find(|(t, _)| *t == ticket) {
            Some((_, waker)) => *waker = Some(cx.waker().clone()),
            None => entry.waiting.push_back((ticket, Some(cx.waker().clone()))),
        }
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if self.acquired {
            return;
        }
        let mut entries = self.locks.entries.borrow_mut();
        let Some(entry) = entries.get_mut(&self.contract_id) else {
            return;
        };
        if entry.holder == self.ticket {
            // Handed over, never taken: pass it on.
            drop(entries);
            self.locks.release(self.contract_id, self.ticket);
        } else {
            entry.waiting.retain(|(t, _)| *t != self.ticket);
        }
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.locks.release(self.contract_id, self.ticket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
        Pin::new(future).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn one_holder_per_contract_in_arrival_order_and_others_are_free() {
        let locks = ContractLocks::default();
        let count = Arc::new(Count(0.into()));
        let waker = Waker::from(Arc::clone(&count));
        let mut first = locks.lock(1);
        let mut second = locks.lock(1);
        let mut third = locks.lock(1);
        let mut other = locks.lock(2);
        let Poll::Ready(guard) = poll(&mut first, &waker) else {
            panic!("the first lock is free")
        };
        assert!(poll(&mut second, &waker).is_pending());
        assert!(poll(&mut third, &waker).is_pending());
        assert!(
            poll(&mut other, &waker).is_ready(),
            "another contract is not held up"
        );
        drop(guard);
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(
            poll(&mut third, &waker).is_pending(),
            "first come, first served"
        );
        let Poll::Ready(guard) = poll(&mut second, &waker) else {
            panic!("the second lock is next")
        };
        drop(guard);
        assert!(poll(&mut third, &waker).is_ready());
    }

    #[test]
    fn a_cancelled_waiter_does_not_block_the_queue() {
        let locks = ContractLocks::default();
        let waker = Waker::noop();
        let mut first = locks.lock(1);
        let mut second = locks.lock(1);
        let mut third = locks.lock(1);
        let Poll::Ready(guard) = poll(&mut first, waker) else {
            panic!("free")
        };
        assert!(poll(&mut second, waker).is_pending());
        assert!(poll(&mut third, waker).is_pending());
        drop(guard);
        // The lock was handed to `second`, which is dropped before it runs.
        drop(second);
        assert!(poll(&mut third, waker).is_ready());
        drop(third);
        drop(first);
        assert!(
            locks.entries.borrow().is_empty(),
            "{}",
            "no entry left behind"
        );
    }
}
