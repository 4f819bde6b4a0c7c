//! A client-side rate limiter: keeps one client within SpotDraft's 10 requests per second per
//! workspace. Pure: the caller passes `now` and sleeps for the returned wait.
//!
//! Requests are spaced evenly (`1000 / rate` ms apart) rather than sent in bursts, because a
//! server counting per fixed second can see a burst at a window's edge as twice the rate.
//! A reservation is made at call time, so concurrent callers queue in call order.

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

#[cfg(test)]
mod tests {
    use super::*;

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
