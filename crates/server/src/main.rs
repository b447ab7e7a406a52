use server::config::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("codiit: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_format);
    let _sentry = server::telemetry::init_sentry(config.sentry.as_ref());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let prepared = match server::prepare(config, workers).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "start-up failed");
            eprintln!("codiit: start-up failed: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(
        port = prepared.port,
        api = %format!("{}/api", prepared.base_url),
        docs = %format!("{}{}", prepared.base_url, server::DOCS_PATH),
        "CodiIt API listening"
    );
    match prepared.serve_until_signalled().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            std::process::ExitCode::FAILURE
        }
    }
}
