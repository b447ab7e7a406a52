//! `codiit-bench`: the part of `make bench` that wrk cannot do. wrk drives the public GETs and
//! the login flood; this driver drives the flows that need a buyer identity per connection
//! (cart edits, orders), opens SSE streams, times bcrypt, and renders the report table.
//!
//! Every subcommand that measures prints one JSON object on stdout; `deploy/bench.sh` appends
//! them to a JSON-lines file that `report` turns into the table.

mod args;
mod flows;
mod load;
mod report;
mod sse;
mod token;

use args::Args;
use std::process::ExitCode;

const USAGE: &str = "usage: codiit-bench <command> [--option value]...
commands:
  orders       --base URL --secret S --scenario NAME --connections N --seconds T
               (--pairs FILE | --hot PRODUCT_ID:SIZE_ID)
  cart         --base URL --secret S --scenario NAME --connections N --seconds T --pairs FILE
  sse-latency  --base URL --secret S --scenario NAME --streams N --events N [--senders N]
  sse-idle     --base URL --secret S --scenario NAME --streams N [--hold SECONDS] [--server-pid PID]
  bcrypt-time  --cost C [--rounds N]
  rss-watch    --pid PID --out FILE   (the peak RSS in kB, rewritten as it grows, until killed)
  report       --input results.jsonl --json OUT.json";

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    let Some(command) = argv.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let args = match Args::parse(argv) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("codiit-bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("codiit-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match command.as_str() {
            "orders" => flows::orders(&args).await,
            "cart" => flows::cart(&args).await,
            "sse-latency" => sse::latency(&args).await,
            "sse-idle" => sse::idle(&args).await,
            "bcrypt-time" => flows::bcrypt_time(&args),
            "rss-watch" => sse::rss_watch(&args).await,
            "report" => report::render(&args),
            other => Err(format!("unknown command `{other}`")),
        }
    });
    match outcome {
        Ok(json) => {
            if !json.is_null() {
                println!("{json}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("codiit-bench {command}: {e}");
            ExitCode::FAILURE
        }
    }
}
