//! A client-side rate limiter: keeps one client within SpotDraft's 10 requests per second per
//! workspace. Pure: the caller passes `now` and sleeps for the returned wait.
//!
//! Requests are spaced evenly (`1000 / rate` ms apart) rather than sent in bursts, because a
//! server counting per fixed second can see a burst at a window's edge as twice the rate.
//! A reservation is made at call time, so concurrent callers queue in call order.
//!
//! Several processes that share one workspace share its budget through a `rateBudget` (the
//! client option) instead; [`shared_wait`] checks what such a budget answers.

use crate::{Error, ErrorCode, Result};

/// Even spacing of requests.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RateLimiter {
    interval_ms: f64,
    next_free_ms: f64,
}

impl RateLimiter {
    /// A limiter for `per_second` requests per second (must be > 0).
    pub(crate) fn new(per_second: f64) -> Self {
        Self {
            interval_ms: 1000.0 / per_second.max(f64::MIN_POSITIVE),
            next_free_ms: f64::NEG_INFINITY,
        }
    }

    /// Reserves the next slot at or after `now_ms`; returns how long to wait for it (0 when
    /// free now).
    pub(crate) fn reserve(&mut self, now_ms: f64) -> f64 {
        let slot = self.next_free_ms.max(now_ms);
        self.next_free_ms = slot + self.interval_ms;
        slot - now_ms
    }
}

/// The longest wait a shared budget may ask for before one request, in milliseconds.
pub(crate) const MAX_SHARED_WAIT_MS: f64 = 60_000.0;

/// Checks the wait a shared rate budget (`options.rateBudget.reserve()`) gave for one request.
///
/// A budget booked more than [`MAX_SHARED_WAIT_MS`] ahead is refused with `RATE_LIMITED`
/// rather than slept on, so an overbooked or broken budget cannot hold a call for minutes;
/// anything but a finite number of milliseconds ≥ 0 is `INVALID_ARGUMENT`. It does not know
/// whether the budget is shared fairly: that is the budget's own business.
///
/// # Errors
/// As above; the request has not been sent.
pub(crate) fn shared_wait(wait_ms: Option<f64>) -> Result<f64> {
    let Some(wait) = wait_ms.filter(|w| w.is_finite() && *w >= 0.0) else {
        return Err(Error::invalid_argument(
            "options.rateBudget",
            "reserve() must resolve with the milliseconds to wait before the request (a number \
             ≥ 0); the request was not sent",
        ));
    };
    if wait > MAX_SHARED_WAIT_MS {
        return Err(Error::new(
            ErrorCode::RateLimited,
            format!(
                "The shared rate budget (options.rateBudget) is booked {:.0} s ahead, more than \
                 {:.0} s: too many callers share it. The request was not sent; try again later \
                 or give these callers fewer concurrent calls.",
                wait / 1000.0,
                MAX_SHARED_WAIT_MS / 1000.0
            ),
        ));
    }
    Ok(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_wait_is_taken_when_it_is_a_sane_number() {
        assert_eq!(shared_wait(Some(0.0)).unwrap(), 0.0);
        assert_eq!(shared_wait(Some(250.5)).unwrap(), 250.5);
        assert_eq!(
            shared_wait(Some(MAX_SHARED_WAIT_MS)).unwrap(),
            MAX_SHARED_WAIT_MS
        );
    }

    #[test]
    fn a_shared_wait_that_is_not_a_wait_is_refused() {
        for bad in [None, Some(-1.0), Some(f64::NAN), Some(f64::INFINITY)] {
            let error = shared_wait(bad).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad:?}");
            assert!(error.message.contains("reserve()"), "{}", error.message);
        }
        let error = shared_wait(Some(MAX_SHARED_WAIT_MS + 1.0)).unwrap_err();
        assert_eq!(error.code, ErrorCode::RateLimited);
        assert!(error.message.contains("not sent"), "{}", error.message);
    }

    #[test]
    fn spaces_requests_evenly() {
        let mut limiter = RateLimiter::new(10.0);
        assert_eq!(limiter.reserve(1000.0), 0.0);
        assert_eq!(limiter.reserve(1000.0), 100.0);
        assert_eq!(limiter.reserve(1000.0), 200.0);
        assert_eq!(limiter.reserve(1500.0), 0.0);
        assert_eq!(limiter.reserve(1550.0), 50.0);
    }

    #[test]
    fn never_exceeds_the_rate_in_any_window() {
        let mut limiter = RateLimiter::new(10.0);
        let mut sends = Vec::new();
        let mut now = 0.0;
        for i in 0..200 {
            now += f64::from(i % 7) * 13.0;
            sends.push(now + limiter.reserve(now));
        }
        for (i, start) in sends.iter().enumerate() {
            let in_window = sends[i..]
                .iter()
                .take_while(|t| **t < start + 1000.0)
                .count();
            assert!(in_window <= 10, "{in_window} sends within 1 s from {start}");
        }
    }
}
