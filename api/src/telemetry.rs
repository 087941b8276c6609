//! Tracing setup: `RUST_LOG` filter (default `info`), pretty or JSON output, and, when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, export of the spans (requests, GraphQL resolvers, with
//! the SQL statements as events) over OTLP/HTTP.

use crate::config::LogFormat;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the global subscriber. Calling it twice (as tests may) is harmless.
pub fn init(format: LogFormat) {
    let _ = init_with_otlp(format, None);
}

/// Installs the global subscriber, exporting spans to the OTLP/HTTP collector at `endpoint`
/// (e.g. `http://collector:4318`) if one is given. Keep the returned provider and call
/// [`SdkTracerProvider::shutdown`] at exit, so the last spans are sent.
pub fn init_with_otlp(
    format: LogFormat,
    endpoint: Option<&str>,
) -> Result<Option<SdkTracerProvider>, String> {
    let provider = match endpoint {
        Some(endpoint) => {
            let traces = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(traces)
                .build()
                .map_err(|e| format!("OTLP exporter: {e}"))?;
            let resource = opentelemetry_sdk::Resource::builder()
                .with_service_name("resv-registry")
                .build();
            Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(resource)
                    .build(),
            )
        }
        None => None,
    };
    let otlp = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer().with_tracer(provider.tracer("resv-registry"))
    });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter).with(otlp);
    let _ = match format {
        // Logs go to standard error: standard output is for what a command prints (a token, a
        // report, the schema).
        LogFormat::Pretty => registry
            .with(fmt::layer().compact().with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    Ok(provider)
}
