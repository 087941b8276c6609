//! The `api` binary: configuration, telemetry, then one of the subcommands.

use api::config::{Cli, Command};
use clap::Parser;

// Answers allocate many small values (one per field); mimalloc serves them at a fraction of the
// system allocator's cost (measured with bench/run).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let tracer = match api::telemetry::init_with_otlp(
        cli.config.log_format,
        cli.config.otlp_endpoint.as_deref(),
    ) {
        Ok(tracer) => tracer,
        Err(err) => return failed(&anyhow::Error::msg(err)),
    };
    let result = run(cli).await;
    if let Some(tracer) = tracer {
        // Send the spans still buffered.
        let _ = tracer.shutdown();
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => failed(&err),
    }
}

/// Reports why a command failed, as one line with its causes (no backtrace: the message is for
/// the person who ran it), and exits with status 1.
fn failed(err: &anyhow::Error) -> std::process::ExitCode {
    eprintln!("error: {err:#}");
    std::process::ExitCode::FAILURE
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => api::cli::serve(cli.config).await,
        Command::Migrate(args) => api::cli::migrate(&cli.config, &args).await,
        Command::Seed(args) => api::cli::seed(&cli.config, args.scale).await,
        Command::Check(args) => {
            let (text, issues) = api::cli::check(&cli.config, args.json).await?;
            print!("{text}");
            if args.fail_on_issues && issues > 0 {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Import(args) if args.file.is_dir() => {
            let restore = api::cli::restore(&cli.config, &args).await?;
            let report = &restore.report;
            for name in &restore.ignored {
                println!("{name}: not a file of an export; left alone");
            }
            for (name, r) in &report.files {
                println!(
                    "{name}: {} rows: {} created, {} updated, {} unchanged",
                    r.rows, r.created, r.updated, r.unchanged
                );
            }
            for (name, problem) in report.problems() {
                println!("{name}: {problem}");
            }
            for (name, r) in &report.files {
                for cleared in &r.cleared {
                    println!("{name}: {cleared}");
                }
            }
            let problems = report.problems().count();
            println!(
                "{}",
                if report.applied {
                    "restored: every file written, in one transaction".to_owned()
                } else if problems == 0 {
                    "dry run: nothing written".to_owned()
                } else {
                    format!("nothing written: fix the {problems} problem(s) above")
                }
            );
            if problems > 0 {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Import(args) => {
            let report = api::cli::import(&cli.config, &args).await?;
            for problem in &report.problems {
                println!("{problem}");
            }
            for cleared in &report.cleared {
                println!("{cleared}");
            }
            println!(
                "{} rows: {} created, {} updated, {} unchanged{}",
                report.rows,
                report.created,
                report.updated,
                report.unchanged,
                if report.applied {
                    ""
                } else if report.problems.is_empty() {
                    " (dry run: nothing written)"
                } else {
                    " (nothing written: fix the problems above)"
                }
            );
            if !report.problems.is_empty() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Export(args) => {
            for (path, rows) in api::cli::export_all(&cli.config, &args).await? {
                println!("{}\t{rows} rows", path.display());
            }
            Ok(())
        }
        Command::ExportSchema => {
            print!("{}", api::schema_sdl());
            Ok(())
        }
        Command::Token(args) => {
            let token = api::cli::token(&cli.config, &args).await?;
            eprintln!(
                "A {} token for `{}`, valid for {}. Send it as `Authorization: Bearer <token>`:",
                args.role, args.sub, args.ttl
            );
            println!("{token}");
            Ok(())
        }
    }
}
