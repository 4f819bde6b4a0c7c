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
        let mut out = std::io::stdout();
        let _ = writeln!(out, "spotdraft-sandbox listening on {}", handle.url());
        let _ = out.flush();
        wait_for_signal().await;
        eprintln!("spotdraft-sandbox: shutting down");
        handle.shutdown().await;
        ExitCode::SUCCESS
    })
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
