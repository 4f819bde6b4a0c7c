//! Sandbox configuration and its command-line / environment parsing.
//!
//! Every flag `--some-flag` has an environment twin `SANDBOX_SOME_FLAG`; a flag on the
//! command line wins over the environment, which wins over the default. Parsing is hand-rolled
//! (no clap) to keep the build small.

use std::path::PathBuf;

use crate::faults::FaultConfig;

/// Everything `Sandbox::start` needs.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Bind address (default 127.0.0.1).
    pub host: String,
    /// Port (default 4010; 0 = ephemeral).
    pub port: u16,
    /// Persist state here (load on start, save after changes and on shutdown).
    pub state_file: Option<PathBuf>,
    /// Seed for faults and generated keys.
    pub seed: u64,
    /// Requests per second per workspace; 0 disables the limit.
    pub rate_limit: u32,
    /// Fixtures file; `None` = built-in fixtures.
    pub fixtures: Option<PathBuf>,
    /// Initial fault config (its `seed` is overwritten by `seed`).
    pub faults: FaultConfig,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// First webhook retry delay; doubles per attempt.
    pub webhook_retry_base_ms: u64,
    /// Delivery attempts per event per webhook (first try included).
    pub webhook_max_attempts: u32,
    /// Per-attempt delivery timeout.
    pub webhook_timeout_ms: u64,
    /// Lifetime of signed download links (sandbox clock).
    pub download_ttl_secs: u64,
    /// One stderr line per request.
    pub log_requests: bool,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace_ms: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 4010,
            state_file: None,
            seed: 0,
            rate_limit: 10,
            fixtures: None,
            faults: FaultConfig::default(),
            max_body_bytes: 1024 * 1024,
            webhook_retry_base_ms: 1000,
            webhook_max_attempts: 4,
            webhook_timeout_ms: 5000,
            download_ttl_secs: 300,
            log_requests: false,
            shutdown_grace_ms: 5000,
        }
    }
}

impl SandboxConfig {
    /// A config for tests: ephemeral port, no logs, fast webhook retries.
    pub fn for_tests() -> Self {
        Self {
            port: 0,
            webhook_retry_base_ms: 20,
            webhook_timeout_ms: 2000,
            ..Self::default()
        }
    }
}

/// Help text for `--help`.
pub const HELP: &str = "spotdraft-sandbox: a local, stateful SpotDraft-compatible API server

USAGE: spotdraft-sandbox [FLAGS]   (each flag also reads SANDBOX_<FLAG> from the environment)

  --host HOST                        bind address (default 127.0.0.1)
  --port N                           port (default 4010; 0 = ephemeral)
  --state FILE                       persist state to FILE across restarts
  --seed N                           seed for faults and generated keys (default 0)
  --rate-limit N                     requests/second per workspace (default 10; 0 = off)
  --fixtures FILE                    workspaces/templates JSON (default: built-in)
  --max-body-bytes N                 request body limit (default 1048576)
  --download-ttl-secs N              signed download link lifetime (default 300)
  --webhook-retry-base-ms N          first webhook retry delay, doubling (default 1000)
  --webhook-max-attempts N           attempts per delivery (default 4)
  --webhook-timeout-ms N             per-attempt timeout (default 5000)
  --quiet                            no per-request log lines
  --fault-latency-ms N               added latency per API request
  --fault-latency-jitter-ms N        extra random latency 0..=N
  --fault-5xx-rate R                 fraction of API requests answered 5xx
  --fault-5xx-status N               500, 502, 503 (default) or 504
  --fault-429-rate R                 fraction of API requests starting a 429 burst
  --fault-429-burst N                429s per burst (default 1)
  --fault-retry-after-secs N         Retry-After on injected 429 (default 1)
  --fault-reset-before-rate R        fraction of API requests reset before handling
  --fault-reset-after-commit-rate R  fraction of mutating requests reset after committing
  --fault-lookup-lag-ms N            a new contract is invisible to by_external_metadata and
                                     to filtered lists for N ms after its creation
  --fault-webhook-duplicate-rate R   fraction of deliveries sent twice
  --fault-webhook-delay-rate R       fraction of deliveries delayed
  --fault-webhook-delay-ms N         delay of delayed deliveries
  --fault-webhook-reorder-rate R     fraction of deliveries swapped with the next one
  --fault-webhook-tamper-rate R      fraction of delivery attempts with a wrong signature
  --help                             this text
";

const FLAGS: &[&str] = &[
    "host",
    "port",
    "state",
    "seed",
    "rate-limit",
    "fixtures",
    "max-body-bytes",
    "download-ttl-secs",
    "webhook-retry-base-ms",
    "webhook-max-attempts",
    "webhook-timeout-ms",
    "fault-latency-ms",
    "fault-latency-jitter-ms",
    "fault-5xx-rate",
    "fault-5xx-status",
    "fault-429-rate",
    "fault-429-burst",
    "fault-retry-after-secs",
    "fault-reset-before-rate",
    "fault-reset-after-commit-rate",
    "fault-lookup-lag-ms",
    "fault-webhook-duplicate-rate",
    "fault-webhook-delay-rate",
    "fault-webhook-delay-ms",
    "fault-webhook-reorder-rate",
    "fault-webhook-tamper-rate",
];

/// Result of parsing the command line.
#[derive(Debug)]
pub enum Cli {
    /// Run with this config.
    Run(Box<SandboxConfig>),
    /// Print help and exit 0.
    Help,
}

fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("--{flag}: invalid value {v:?}"))
}

/// Parses `args` (without the program name) and an environment lookup.
///
/// # Errors
/// A message for an unknown flag, a missing value or a bad number.
pub fn parse_cli(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Cli, String> {
    let mut values: Vec<(String, String)> = Vec::new();
    let mut quiet =
        env("SANDBOX_QUIET").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    // Environment first, so the command line overrides it.
    for f in FLAGS {
        let key = format!("SANDBOX_{}", f.replace('-', "_").to_uppercase());
        if let Some(v) = env(&key) {
            values.push(((*f).to_owned(), v));
        }
    }
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--help" || a == "-h" {
            return Ok(Cli::Help);
        }
        if a == "--quiet" {
            quiet = true;
            continue;
        }
        let Some(rest) = a.strip_prefix("--") else {
            return Err(format!("unexpected argument {a:?} (see --help)"));
        };
        let (name, value) = match rest.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => {
                let v = it.next().ok_or_else(|| format!("--{rest} needs a value"))?;
                (rest.to_owned(), v.clone())
            }
        };
        if !FLAGS.contains(&name.as_str()) {
            return Err(format!("unknown flag --{name} (see --help)"));
        }
        values.push((name, value));
    }
    let mut c = SandboxConfig {
        log_requests: !quiet,
        ..SandboxConfig::default()
    };
    for (name, v) in &values {
        let f = &mut c.faults;
        match name.as_str() {
            "host" => c.host = v.clone(),
            "port" => c.port = num(name, v)?,
            "state" => c.state_file = Some(PathBuf::from(v)),
            "seed" => c.seed = num(name, v)?,
            "rate-limit" => c.rate_limit = num(name, v)?,
            "fixtures" => c.fixtures = Some(PathBuf::from(v)),
            "max-body-bytes" => c.max_body_bytes = num(name, v)?,
            "download-ttl-secs" => c.download_ttl_secs = num(name, v)?,
            "webhook-retry-base-ms" => c.webhook_retry_base_ms = num(name, v)?,
            "webhook-max-attempts" => c.webhook_max_attempts = num(name, v)?,
            "webhook-timeout-ms" => c.webhook_timeout_ms = num(name, v)?,
            "fault-latency-ms" => f.latency_ms = num(name, v)?,
            "fault-latency-jitter-ms" => f.latency_jitter_ms = num(name, v)?,
            "fault-5xx-rate" => f.error_5xx_rate = num(name, v)?,
            "fault-5xx-status" => f.error_5xx_status = num(name, v)?,
            "fault-429-rate" => f.error_429_rate = num(name, v)?,
            "fault-429-burst" => f.burst_429_length = num(name, v)?,
            "fault-retry-after-secs" => f.retry_after_secs = num(name, v)?,
            "fault-reset-before-rate" => f.reset_before_rate = num(name, v)?,
            "fault-reset-after-commit-rate" => f.reset_after_commit_rate = num(name, v)?,
            "fault-lookup-lag-ms" => f.lookup_lag_ms = num(name, v)?,
            "fault-webhook-duplicate-rate" => f.webhook_duplicate_rate = num(name, v)?,
            "fault-webhook-delay-rate" => f.webhook_delay_rate = num(name, v)?,
            "fault-webhook-delay-ms" => f.webhook_delay_ms = num(name, v)?,
            "fault-webhook-reorder-rate" => f.webhook_reorder_rate = num(name, v)?,
            "fault-webhook-tamper-rate" => f.webhook_tamper_rate = num(name, v)?,
            _ => return Err(format!("unknown flag --{name}")),
        }
    }
    c.faults.seed = c.seed;
    c.faults.validate()?;
    if c.webhook_max_attempts == 0 {
        return Err("--webhook-max-attempts must be at least 1".into());
    }
    Ok(Cli::Run(Box::new(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn cli_overrides_env() {
        let env = |k: &str| match k {
            "SANDBOX_PORT" => Some("5000".to_owned()),
            "SANDBOX_HOST" => Some("0.0.0.0".to_owned()),
            _ => None,
        };
        let Cli::Run(c) = parse_cli(
            &args(&["--port", "0", "--fault-5xx-rate=0.5", "--seed", "3"]),
            &env,
        )
        .unwrap() else {
            panic!("help")
        };
        assert_eq!(c.port, 0);
        assert_eq!(c.host, "0.0.0.0");
        assert!((c.faults.error_5xx_rate - 0.5).abs() < f64::EPSILON);
        assert_eq!(c.faults.seed, 3);
        assert!(c.log_requests);
    }

    #[test]
    fn lookup_lag_flag_sets_the_fault_and_is_range_checked() {
        let env = |_: &str| None;
        let Cli::Run(c) = parse_cli(&args(&["--fault-lookup-lag-ms", "1500"]), &env).unwrap()
        else {
            panic!("help")
        };
        assert_eq!(c.faults.lookup_lag_ms, 1500);
        assert!(parse_cli(&args(&["--fault-lookup-lag-ms", "600001"]), &env).is_err());
        assert!(parse_cli(&args(&["--fault-lookup-lag-ms", "-1"]), &env).is_err());
    }

    #[test]
    fn rejects_unknown_and_bad() {
        let env = |_: &str| None;
        assert!(parse_cli(&args(&["--nope", "1"]), &env).is_err());
        assert!(parse_cli(&args(&["--port", "x"]), &env).is_err());
        assert!(parse_cli(&args(&["--port"]), &env).is_err());
        assert!(parse_cli(&args(&["--fault-5xx-rate", "2"]), &env).is_err());
        assert!(matches!(parse_cli(&args(&["--help"]), &env), Ok(Cli::Help)));
    }
}
