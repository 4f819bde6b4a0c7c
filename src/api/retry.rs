//! When to retry: a pure decision from the attempt count, whether the request is safe to
//! repeat, and what happened. No clock and no randomness of its own: the caller passes a
//! uniform random number in `[0, 1)` for the jitter.
//!
//! Rules (as stripe-node's `_shouldRetry`, for SpotDraft):
//! - only requests that are safe to repeat (GETs, `download_link`) are retried; a create is
//!   never blindly retried (the client's exactly-once create handles it);
//! - retried: network errors, timeouts, 429 and 5xx; never 4xx (the request is wrong) nor an
//!   abort (the caller asked to stop);
//! - delay: `Retry-After` (seconds) when given, capped; otherwise exponential backoff with full
//!   jitter: `random × min(max_delay, base × 2^(attempt−1))`.

use super::HttpResponse;
use crate::error::{Error, ErrorCode};

/// Retry limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff ceiling, ms.
    pub base_delay_ms: f64,
    /// Largest backoff ceiling, ms.
    pub max_delay_ms: f64,
    /// Largest `Retry-After` honoured, ms; a longer one stops retrying.
    pub max_retry_after_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay_ms: 250.0,
            max_delay_ms: 8_000.0,
            max_retry_after_ms: 30_000.0,
        }
    }
}

/// What one attempt produced.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// A response with any status.
    Response(&'a HttpResponse),
    /// No response: network error, timeout or abort.
    Failure(&'a Error),
}

/// The decision after an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Decision {
    /// Try again after `delay_ms`.
    Retry {
        /// Wait before the next attempt.
        delay_ms: f64,
    },
    /// Stop: return this outcome.
    Stop,
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1 for the first).
    pub(crate) fn decide(
        &self,
        attempt: u32,
        retry_safe: bool,
        outcome: Outcome<'_>,
        random: f64,
    ) -> Decision {
        if !retry_safe || attempt > self.max_retries {
            return Decision::Stop;
        }
        let retry_after = match outcome {
            Outcome::Response(response) => {
                if !is_retryable_status(response.status) {
                    return Decision::Stop;
                }
                retry_after_ms(response)
            }
            Outcome::Failure(error) => {
                if !matches!(error.code, ErrorCode::Network | ErrorCode::Timeout) {
                    return Decision::Stop;
                }
                None
            }
        };
        match retry_after {
            Some(ms) if ms > self.max_retry_after_ms => Decision::Stop,
            Some(ms) => Decision::Retry { delay_ms: ms },
            None => Decision::Retry {
                delay_ms: self.backoff_ms(attempt, random),
            },
        }
    }

    /// Full-jitter backoff before attempt `attempt + 1`.
    pub(crate) fn backoff_ms(&self, attempt: u32, random: f64) -> f64 {
        let exponent = attempt.saturating_sub(1).min(30);
        let ceiling = (self.base_delay_ms * f64::from(1u32 << exponent)).min(self.max_delay_ms);
        ceiling * random.clamp(0.0, 1.0)
    }
}

/// 429 and 5xx (but 501: not implemented will not change).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 429 || ((500..=599).contains(&status) && status != 501)
}

/// `Retry-After` in milliseconds, when it is a number of seconds. (An HTTP-date form is not
/// used by SpotDraft as far as documented; it falls back to backoff.)
pub(crate) fn retry_after_ms(response: &HttpResponse) -> Option<f64> {
    let seconds = crate::core::float::parse_f64(response.header("retry-after")?.trim())?;
    (seconds.is_finite() && seconds >= 0.0).then_some(seconds * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, retry_after: Option<&str>) -> HttpResponse {
        HttpResponse {
            status,
            headers: retry_after
                .map(|v| vec![("retry-after".to_owned(), v.to_owned())])
                .unwrap_or_default(),
            body: String::new(),
        }
    }

    #[test]
    fn retries_only_safe_requests_on_transient_failures() {
        let policy = RetryPolicy::default();
        let r503 = response(503, None);
        let r400 = response(400, None);
        assert!(matches!(
            policy.decide(1, true, Outcome::Response(&r503), 0.5),
            Decision::Retry { .. }
        ));
        assert_eq!(
            policy.decide(1, false, Outcome::Response(&r503), 0.5),
            Decision::Stop
        );
        assert_eq!(
            policy.decide(1, true, Outcome::Response(&r400), 0.5),
            Decision::Stop
        );
        assert_eq!(
            policy.decide(1, true, Outcome::Response(&response(501, None)), 0.5),
            Decision::Stop
        );
        let network = Error::new(ErrorCode::Network, "x");
        let aborted = Error::new(ErrorCode::Aborted, "x");
        assert!(matches!(
            policy.decide(1, true, Outcome::Failure(&network), 0.5),
            Decision::Retry { .. }
        ));
        assert_eq!(
            policy.decide(1, true, Outcome::Failure(&aborted), 0.5),
            Decision::Stop
        );
        assert_eq!(
            policy.decide(3, true, Outcome::Failure(&network), 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn honours_retry_after_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(1, true, Outcome::Response(&response(429, Some("2"))), 0.9),
            Decision::Retry { delay_ms: 2000.0 }
        );
        assert_eq!(
            policy.decide(1, true, Outcome::Response(&response(429, Some("120"))), 0.9),
            Decision::Stop
        );
        assert!(matches!(
            policy.decide(1, true, Outcome::Response(&response(429, Some("soon"))), 0.5),
            Decision::Retry { delay_ms } if delay_ms == 125.0
        ));
    }

    #[test]
    fn backoff_is_full_jitter_under_a_growing_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff_ms(1, 1.0), 250.0);
        assert_eq!(policy.backoff_ms(3, 1.0), 1000.0);
        assert_eq!(policy.backoff_ms(20, 1.0), 8000.0);
        assert_eq!(policy.backoff_ms(3, 0.0), 0.0);
        assert_eq!(policy.backoff_ms(3, 7.0), 1000.0);
    }
}
