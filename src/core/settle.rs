//! Settling a "not found" before a create is sent again.
//!
//! After a create fails ambiguously (the contract may or may not have been committed), the
//! client looks it up by `external_metadata.id`. Whether that lookup sees a contract the
//! moment it is committed is not documented by SpotDraft; a search-backed lookup can trail the
//! write. So a "not found" is only taken as proof after it has held for a settle window: the
//! lookup is repeated with backoff, the last time exactly at the window's end, and only then
//! is the create sent again.
//!
//! This module is the decision only: no clock, no randomness, no IO. The caller passes the
//! time elapsed since the first lookup and a uniform random number in `[0, 1)`.
//!
//! Schedule: the first re-look after about 250 ms, the ceiling doubling up to 2 s, each delay
//! jittered within `[ceiling / 2, ceiling]` (lookups of many concurrent creates do not line
//! up), and a final lookup exactly at the window's end. With the default 5 s window that is
//! about 7 lookups per ambiguous failure. A create without an ambiguous failure never gets
//! here, so the window costs nothing on the happy path.
//!
//! What it does not do: it cannot prove absence. A lookup that lags behind the write by
//! longer than the window still reads "not found" at the window's end, the create is sent
//! again, and a duplicate contract is made. A window of 0 restores the behaviour without
//! settling (one lookup, then create again).

/// First re-look delay ceiling, ms.
pub(crate) const FIRST_DELAY_MS: f64 = 250.0;
/// Largest re-look delay ceiling, ms.
pub(crate) const MAX_DELAY_MS: f64 = 2_000.0;

/// What to do after a lookup found nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SettleStep {
    /// Look up again after `delay_ms`.
    LookAgain {
        /// Wait before the next lookup.
        delay_ms: f64,
    },
    /// The "not found" held over the whole window: the create may be sent again.
    Settled,
}

/// The settle window of one ambiguous failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SettlePolicy {
    /// How long a "not found" must hold, ms, counted from the first lookup.
    pub window_ms: f64,
}

impl SettlePolicy {
    /// A policy with a window of `window_ms`.
    pub(crate) fn new(window_ms: u32) -> Self {
        Self {
            window_ms: f64::from(window_ms),
        }
    }

    /// Decides after lookup number `lookups` (1 for the first lookup after the ambiguous
    /// failure) found nothing, `elapsed_ms` after the first lookup was sent.
    ///
    /// Never schedules a lookup after the window's end: the last delay is cut so that the
    /// final lookup is sent exactly at `window_ms`. Does not decide what a lookup that
    /// failed means (the caller reports that as an ambiguous create).
    pub(crate) fn after_not_found(&self, lookups: u32, elapsed_ms: f64, random: f64) -> SettleStep {
        let left = self.window_ms - elapsed_ms.max(0.0);
        if left <= 0.0 {
            return SettleStep::Settled;
        }
        let delay = Self::backoff_ms(lookups, random);
        SettleStep::LookAgain {
            delay_ms: delay.min(left),
        }
    }

    /// The jittered delay after lookup number `lookups`: ceiling `250 × 2^(lookups−1)` ms up
    /// to 2 s, delay uniform in `[ceiling / 2, ceiling]`.
    fn backoff_ms(lookups: u32, random: f64) -> f64 {
        let exponent = lookups.saturating_sub(1).min(30);
        let ceiling = (FIRST_DELAY_MS * f64::from(1u32 << exponent)).min(MAX_DELAY_MS);
        ceiling * (0.5 + random.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What one settle run ended with, on a fake clock.
    #[derive(Debug, PartialEq)]
    enum End {
        /// Found by lookup number `lookups`, at `at_ms` after the first lookup.
        Found { lookups: u32, at_ms: f64 },
        /// Settled "not found" after `lookups` lookups, at `at_ms`: the create is sent again.
        CreateAgain { lookups: u32, at_ms: f64 },
    }

    /// Runs the settle loop as the client does, on a fake clock starting at the first lookup,
    /// against a lookup that sees the contract from `visible_at_ms` on (`None`: never).
    fn run(window_ms: u32, visible_at_ms: Option<f64>, random: f64) -> (End, Vec<f64>) {
        let policy = SettlePolicy::new(window_ms);
        let mut now = 0.0;
        let mut lookups = 0;
        let mut times = Vec::new();
        loop {
            lookups += 1;
            times.push(now);
            if visible_at_ms.is_some_and(|at| now >= at) {
                return (
                    End::Found {
                        lookups,
                        at_ms: now,
                    },
                    times,
                );
            }
            match policy.after_not_found(lookups, now, random) {
                SettleStep::LookAgain { delay_ms } => {
                    assert!(delay_ms > 0.0, "a re-look waits");
                    now += delay_ms;
                }
                SettleStep::Settled => {
                    return (
                        End::CreateAgain {
                            lookups,
                            at_ms: now,
                        },
                        times,
                    )
                }
            }
        }
    }

    #[test]
    fn a_contract_visible_at_once_is_found_by_the_first_lookup() {
        assert_eq!(
            run(5_000, Some(0.0), 0.5).0,
            End::Found {
                lookups: 1,
                at_ms: 0.0
            }
        );
    }

    #[test]
    fn a_contract_turning_visible_before_the_first_retry_is_found_by_it() {
        // The first re-look is at 125–250 ms; visible at 100 ms → found by lookup 2.
        for random in [0.0, 0.5, 0.999] {
            let (end, times) = run(5_000, Some(100.0), random);
            assert!(
                matches!(end, End::Found { lookups: 2, .. }),
                "{random}: {end:?}"
            );
            assert!((125.0..=250.0).contains(&times[1]), "{times:?}");
        }
    }

    #[test]
    fn a_contract_turning_visible_mid_window_is_found_by_the_next_lookup() {
        for random in [0.0, 0.5, 0.999] {
            let (end, times) = run(5_000, Some(1_500.0), random);
            let End::Found { at_ms, lookups } = end else {
                panic!("{random}: {end:?}")
            };
            // Found by the first lookup at or after 1.5 s, no later than one delay ceiling.
            assert!((1_500.0..=3_500.0).contains(&at_ms), "{random}: {times:?}");
            assert!(times[..times.len() - 1].iter().all(|t| *t < 1_500.0));
            assert_eq!(lookups as usize, times.len());
        }
    }

    #[test]
    fn a_contract_turning_visible_exactly_at_the_window_end_is_found_by_the_final_lookup() {
        for random in [0.0, 0.37, 0.5, 0.999] {
            let (end, times) = run(5_000, Some(5_000.0), random);
            let End::Found { at_ms, lookups } = end else {
                panic!("{random}: {end:?}")
            };
            assert_eq!(at_ms, 5_000.0, "{times:?}");
            assert!(lookups >= 5, "{times:?}");
        }
    }

    #[test]
    fn a_contract_turning_visible_after_the_window_is_created_again() {
        for random in [0.0, 0.5, 0.999] {
            let (end, times) = run(5_000, Some(5_001.0), random);
            let End::CreateAgain { at_ms, lookups } = end else {
                panic!("{random}: {end:?}")
            };
            assert_eq!(
                at_ms, 5_000.0,
                "the final lookup is exactly at the end: {times:?}"
            );
            assert_eq!(lookups as usize, times.len());
            assert!(
                times.iter().all(|t| *t <= 5_000.0),
                "no lookup after the end"
            );
        }
        assert!(matches!(run(5_000, None, 0.5).0, End::CreateAgain { .. }));
    }

    #[test]
    fn the_schedule_starts_at_250_ms_and_doubles_to_2_s_with_jitter() {
        let (_, times) = run(60_000, None, 0.999_999);
        let gaps: Vec<f64> = times.windows(2).map(|w| (w[1] - w[0]).round()).collect();
        assert_eq!(
            gaps[..6],
            [250.0, 500.0, 1_000.0, 2_000.0, 2_000.0, 2_000.0]
        );
        let (_, low) = run(60_000, None, 0.0);
        let low_gaps: Vec<f64> = low.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(low_gaps[..5], [125.0, 250.0, 500.0, 1_000.0, 1_000.0]);
        // 5 s window at the median jitter: a handful of lookups, not a poll loop.
        assert_eq!(run(5_000, None, 0.5).1.len(), 7);
    }

    #[test]
    fn a_zero_window_settles_at_once_as_before() {
        assert_eq!(
            run(0, None, 0.5).0,
            End::CreateAgain {
                lookups: 1,
                at_ms: 0.0
            }
        );
        assert_eq!(
            SettlePolicy::new(0).after_not_found(1, 0.0, 0.5),
            SettleStep::Settled
        );
    }

    #[test]
    fn a_clock_that_ran_past_the_window_settles_and_a_backward_clock_does_not_wait_longer() {
        let policy = SettlePolicy::new(5_000);
        assert_eq!(policy.after_not_found(3, 9_000.0, 0.5), SettleStep::Settled);
        assert_eq!(
            policy.after_not_found(1, -50.0, 1.0),
            SettleStep::LookAgain { delay_ms: 250.0 }
        );
        assert_eq!(
            policy.after_not_found(4, 4_900.0, 0.5),
            SettleStep::LookAgain { delay_ms: 100.0 }
        );
    }
}
