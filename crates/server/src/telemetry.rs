//! Logs: JSON lines (or text for local runs). Each request is served inside a span carrying its
//! `request_id`, so every line logged while serving it has the id; its access-log line is one
//! event with target `access` (`ops::access_log`).
//! Errors: with `SENTRY_DSN` set, 5xx responses (with their cause chain) and panics also go to
//! Sentry; without it no client exists and nothing leaves the process.

use crate::config::{LogFormat, SentryConfig};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber, writing to stdout, once; later calls (tests) are no-ops.
pub fn init(format: LogFormat) {
    init_with_writer(format, std::io::stdout);
}

/// `init` with another destination for the lines (a test's capture).
pub fn init_with_writer<W>(format: LogFormat, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Starts the Sentry client when configured; keep the guard alive until exit so queued events
/// are flushed. Panics are reported by the client's panic integration.
pub fn init_sentry(config: Option<&SentryConfig>) -> Option<sentry::ClientInitGuard> {
    let config = config?;
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(config.dsn.clone());
    options.release = sentry::release_name!();
    options.environment = config.environment.clone().map(Into::into);
    // Requests carry passwords, tokens and images: never attach bodies, cookies or addresses.
    options.send_default_pii = false;
    options.max_request_body_size = sentry::MaxRequestBodySize::None;
    let guard = sentry::init(options);
    tracing::info!(
        host = config.dsn.host(),
        "reporting server errors and panics to Sentry"
    );
    Some(guard)
}

/// The actix integration: one hub per request, 5xx responses captured with their error.
pub fn error_reporting() -> sentry::integrations::actix::Sentry {
    sentry::integrations::actix::Sentry::builder()
        .capture_server_errors(true)
        .start_transaction(false)
        .finish()
}
