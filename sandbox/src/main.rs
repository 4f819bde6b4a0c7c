//! `spotdraft-sandbox` binary: parse flags/env, start, print the listening line, run until
//! SIGINT/SIGTERM, shut down gracefully.

use std::io::Write as _;
use std::process::ExitCode;

use spotdraft_sandbox::config::{parse_cli, Cli, HELP};
use spotdraft_sandbox::Sandbox;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_cli(&args, &|k| std::env::var(k).ok()) {
        Ok(Cli::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Cli::Run(c)) => c,
        Err(e) => {
            eprintln!("spotdraft-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("spotdraft-sandbox: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let handle = match Sandbox::start(*config).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("spotdraft-sandbox: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Handlers first: a SIGTERM sent right after the listening line must not kill us.
        let signals = Signals::install();
        let mut out = std::io::stdout();
        let _ = writeln!(out, "spotdraft-sandbox listening on {}", handle.url());
        let _ = out.flush();
        signals.wait().await;
        eprintln!("spotdraft-sandbox: shutting down");
        handle.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// SIGINT and SIGTERM handlers, installed before the listening line is printed.
#[cfg(unix)]
struct Signals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn install() -> Self {
        use tokio::signal::unix::{signal, SignalKind};
        Self {
            interrupt: signal(SignalKind::interrupt()).ok(),
            terminate: signal(SignalKind::terminate()).ok(),
        }
    }

    /// Resolves on the first SIGINT or SIGTERM (Ctrl-C when no handler could be installed).
    async fn wait(mut self) {
        match (&mut self.interrupt, &mut self.terminate) {
            (Some(int), Some(term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            (None, Some(term)) => {
                let _ = term.recv().await;
            }
            (Some(int), None) => {
                let _ = int.recv().await;
            }
            (None, None) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// Ctrl-C only, off Unix.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Self {
        Self
    }

    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
