//! Fault injection: configuration and the seeded decisions made per request and per delivery.
//!
//! Faults apply to SpotDraft API routes (`/api/…`) only, never to `/__sandbox/…` control
//! routes, file downloads or CORS preflights. Decisions come from one SplitMix64 stream seeded
//! with `seed`, so a client that sends the same requests in the same order sees the same
//! faults; concurrent clients interleave draws and lose that property. Replacing the config
//! (`POST /__sandbox/faults`) reseeds the stream.
//!
//! `lookup_lag_ms` is not a per-request draw: it models a search index that trails the
//! write, so a contract is hidden from the lookups for that long after its creation, by the
//! sandbox clock ([`crate::clock::Clock`]; moving the clock forward makes it visible sooner).
//!
//! The `next_*` counters are deterministic one-shots: "fail the next N requests this way",
//! handy for tests that need exactly one reset after a create commits.

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// Fault configuration (also the JSON of `GET|POST /__sandbox/faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of the decision stream.
    pub seed: u64,
    /// Added latency per API request, in ms.
    pub latency_ms: u64,
    /// Extra uniform random latency `0..=jitter`, in ms.
    pub latency_jitter_ms: u64,
    /// Fraction of API requests answered with `error_5xx_status`.
    pub error_5xx_rate: f64,
    /// Status for injected server errors (500, 502, 503 or 504).
    pub error_5xx_status: u16,
    /// Fraction of API requests that start a 429 burst.
    pub error_429_rate: f64,
    /// Requests per 429 burst (>= 1).
    pub burst_429_length: u32,
    /// `Retry-After` seconds on injected 429s.
    pub retry_after_secs: u64,
    /// Fraction of API requests whose connection is reset before anything happens.
    pub reset_before_rate: f64,
    /// Fraction of mutating API requests (POST/PATCH/DELETE) reset after their change is committed.
    pub reset_after_commit_rate: f64,
    /// A contract is invisible to `GET contracts/by_external_metadata/{id}` and to lists with
    /// a `filter__…` or `query` parameter for this many ms after its creation (the lag of a
    /// search index behind the write). Read at lookup time, so changing it applies to
    /// contracts already created. An unfiltered list, reads by id and the control routes
    /// see every contract at once.
    pub lookup_lag_ms: u64,
    /// Fraction of webhook deliveries sent twice.
    pub webhook_duplicate_rate: f64,
    /// Fraction of webhook deliveries delayed by `webhook_delay_ms`.
    pub webhook_delay_rate: f64,
    /// Delay for delayed deliveries, in ms.
    pub webhook_delay_ms: u64,
    /// Fraction of webhook deliveries swapped with the next queued one.
    pub webhook_reorder_rate: f64,
    /// Fraction of webhook delivery attempts sent with a wrong signature.
    pub webhook_tamper_rate: f64,
    /// The next N API requests get an injected 5xx.
    pub next_5xx: u32,
    /// The next N API requests get an injected 429.
    pub next_429: u32,
    /// The next N API requests are reset before being handled.
    pub next_reset_before: u32,
    /// The next N successful mutating API requests are reset after committing.
    pub next_reset_after_commit: u32,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            latency_ms: 0,
            latency_jitter_ms: 0,
            error_5xx_rate: 0.0,
            error_5xx_status: 503,
            error_429_rate: 0.0,
            burst_429_length: 1,
            retry_after_secs: 1,
            reset_before_rate: 0.0,
            reset_after_commit_rate: 0.0,
            lookup_lag_ms: 0,
            webhook_duplicate_rate: 0.0,
            webhook_delay_rate: 0.0,
            webhook_delay_ms: 0,
            webhook_reorder_rate: 0.0,
            webhook_tamper_rate: 0.0,
            next_5xx: 0,
            next_429: 0,
            next_reset_before: 0,
            next_reset_after_commit: 0,
        }
    }
}

impl FaultConfig {
    /// Checks ranges.
    ///
    /// # Errors
    /// A message naming the first bad field.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("error_5xx_rate", self.error_5xx_rate),
            ("error_429_rate", self.error_429_rate),
            ("reset_before_rate", self.reset_before_rate),
            ("reset_after_commit_rate", self.reset_after_commit_rate),
            ("webhook_duplicate_rate", self.webhook_duplicate_rate),
            ("webhook_delay_rate", self.webhook_delay_rate),
            ("webhook_reorder_rate", self.webhook_reorder_rate),
            ("webhook_tamper_rate", self.webhook_tamper_rate),
        ];
        for (name, r) in rates {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if !matches!(self.error_5xx_status, 500 | 502 | 503 | 504) {
            return Err("error_5xx_status must be 500, 502, 503 or 504".into());
        }
        if self.burst_429_length == 0 {
            return Err("burst_429_length must be at least 1".into());
        }
        if self.latency_ms > 60_000
            || self.latency_jitter_ms > 60_000
            || self.webhook_delay_ms > 600_000
            || self.lookup_lag_ms > 600_000
        {
            return Err(
                "latency_ms / latency_jitter_ms must be <= 60000, webhook_delay_ms and \
                 lookup_lag_ms <= 600000"
                    .into(),
            );
        }
        if self.retry_after_secs > 3600 {
            return Err("retry_after_secs must be <= 3600".into());
        }
        Ok(())
    }
}

/// What to do with one API request before it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreFault {
    /// Handle normally.
    None,
    /// Drop the connection with a reset.
    ResetBefore,
    /// Answer with this 5xx.
    ServerError(u16),
    /// Answer 429 with this `Retry-After`.
    TooMany(u64),
}

/// Fault config plus its decision stream.
#[derive(Debug)]
pub struct FaultState {
    /// Config in force.
    pub config: FaultConfig,
    rng: SplitMix64,
    burst_left: u32,
}

impl FaultState {
    /// State for `config`, stream seeded from `config.seed`.
    pub fn new(config: FaultConfig) -> Self {
        let rng = SplitMix64::new(config.seed ^ 0x5EED_FA17);
        Self {
            config,
            rng,
            burst_left: 0,
        }
    }

    /// Latency to add, in ms.
    pub fn latency_ms(&mut self) -> u64 {
        let c = &self.config;
        if c.latency_jitter_ms == 0 {
            return c.latency_ms;
        }
        let jitter = c.latency_jitter_ms;
        c.latency_ms + self.rng.below_or_eq(jitter)
    }

    /// Decision before handling. One-shot counters win over rates.
    pub fn pre(&mut self) -> PreFault {
        let c = &mut self.config;
        if c.next_reset_before > 0 {
            c.next_reset_before -= 1;
            return PreFault::ResetBefore;
        }
        if c.next_5xx > 0 {
            c.next_5xx -= 1;
            return PreFault::ServerError(c.error_5xx_status);
        }
        if c.next_429 > 0 {
            c.next_429 -= 1;
            return PreFault::TooMany(c.retry_after_secs);
        }
        if self.burst_left > 0 {
            self.burst_left -= 1;
            return PreFault::TooMany(self.config.retry_after_secs);
        }
        let (reset, e5, e429) = (
            self.rng.chance(self.config.reset_before_rate),
            self.rng.chance(self.config.error_5xx_rate),
            self.rng.chance(self.config.error_429_rate),
        );
        if reset {
            PreFault::ResetBefore
        } else if e5 {
            PreFault::ServerError(self.config.error_5xx_status)
        } else if e429 {
            self.burst_left = self.config.burst_429_length.saturating_sub(1);
            PreFault::TooMany(self.config.retry_after_secs)
        } else {
            PreFault::None
        }
    }

    /// After a mutating request committed: reset the connection instead of answering?
    pub fn reset_after_commit(&mut self) -> bool {
        if self.config.next_reset_after_commit > 0 {
            self.config.next_reset_after_commit -= 1;
            return true;
        }
        let rate = self.config.reset_after_commit_rate;
        self.rng.chance(rate)
    }

    /// Webhook decisions for one delivery: (duplicate, delay_ms, reorder).
    pub fn webhook_plan(&mut self) -> (bool, u64, bool) {
        let c = self.config.clone();
        let dup = self.rng.chance(c.webhook_duplicate_rate);
        let delay = self.rng.chance(c.webhook_delay_rate);
        let reorder = self.rng.chance(c.webhook_reorder_rate);
        (dup, if delay { c.webhook_delay_ms } else { 0 }, reorder)
    }

    /// The newest creation time (sandbox epoch microseconds) the lagging lookups see at
    /// `now_micros`: a contract is visible to them when created at or before it, that is from
    /// `created + lookup_lag_ms` on.
    pub fn lookup_cutoff_micros(&self, now_micros: i64) -> i64 {
        let lag =
            i64::try_from(self.config.lookup_lag_ms.saturating_mul(1_000)).unwrap_or(i64::MAX);
        now_micros.saturating_sub(lag)
    }

    /// Tamper with this attempt's signature?
    pub fn tamper(&mut self) -> bool {
        let rate = self.config.webhook_tamper_rate;
        self.rng.chance(rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shots_then_rates() {
        let mut s = FaultState::new(FaultConfig {
            next_5xx: 1,
            next_429: 1,
            ..FaultConfig::default()
        });
        assert_eq!(s.pre(), PreFault::ServerError(503));
        assert_eq!(s.pre(), PreFault::TooMany(1));
        assert_eq!(s.pre(), PreFault::None);
    }

    #[test]
    fn bursts_and_determinism() {
        let cfg = FaultConfig {
            seed: 9,
            error_429_rate: 0.2,
            burst_429_length: 3,
            retry_after_secs: 2,
            ..FaultConfig::default()
        };
        let mut a = FaultState::new(cfg.clone());
        let mut b = FaultState::new(cfg);
        let sa: Vec<_> = (0..200).map(|_| a.pre()).collect();
        let sb: Vec<_> = (0..200).map(|_| b.pre()).collect();
        assert_eq!(sa, sb);
        // every burst is at least 3 long
        let mut i = 0;
        let mut bursts = 0;
        while i < sa.len() {
            if sa[i] == PreFault::TooMany(2) {
                let start = i;
                while i < sa.len() && sa[i] == PreFault::TooMany(2) {
                    i += 1;
                }
                bursts += 1;
                assert!(i - start >= 3 || i == sa.len());
            } else {
                i += 1;
            }
        }
        assert!(bursts > 0);
    }

    #[test]
    fn a_lagging_lookup_sees_a_contract_from_created_plus_lag_on() {
        let lagging = FaultState::new(FaultConfig {
            lookup_lag_ms: 1_500,
            ..FaultConfig::default()
        });
        let created = 1_000_000_000;
        let visible = |faults: &FaultState, created: i64, now: i64| {
            created <= faults.lookup_cutoff_micros(now)
        };
        assert!(!visible(&lagging, created, created));
        assert!(!visible(&lagging, created, created + 1_499_999));
        assert!(visible(&lagging, created, created + 1_500_000));
        let immediate = FaultState::new(FaultConfig::default());
        assert!(visible(&immediate, created, created));
        // A contract from an old state file (no creation micros) is visible.
        assert!(visible(&lagging, 0, created));
        let too_long = FaultConfig {
            lookup_lag_ms: 600_001,
            ..FaultConfig::default()
        };
        assert!(too_long.validate().is_err());
    }

    #[test]
    fn validate_rejects_bad_rates() {
        let bad = FaultConfig {
            error_5xx_rate: 1.5,
            ..FaultConfig::default()
        };
        assert!(bad.validate().is_err());
        assert!(FaultConfig::default().validate().is_ok());
    }
}
