//! S3 MediaStore: images go to an S3 bucket, or to an S3-compatible store (MinIO, moto) when an
//! endpoint is configured, and are served from `{public base URL}/{key}` (spec §0.11).
//!
//! The client is deliberately lean and bounded: aws-config and aws-sdk-s3 without default
//! features, one explicit hyper + rustls (ring) HTTPS client, a connect timeout and an operation
//! timeout taken from [`S3Settings::timeout`], and at most two attempts per request. An
//! unreachable endpoint therefore ends in [`DomainError::Unavailable`] within the timeout instead
//! of holding a request open.
//!
//! Credentials: static keys when both are configured; otherwise the AWS default chain as far as
//! the lean features allow (environment variables, shared config/credentials files, web
//! identity, ECS and EC2 instance metadata; not SSO and not `credential_process`).
//!
//! Objects are written with `Cache-Control: public, max-age=31536000, immutable` (keys are
//! never reused) and without an ACL: public reads are the bucket policy's business (most buckets
//! have ACLs disabled, and a PutObject carrying one would be refused).

use aws_sdk_s3::Client;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::put_object::PutObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use kernel::{BoxFuture, DomainError, DomainResult};
use media::MediaStore;
use std::fmt;
use std::time::Duration;

/// Sent with every object: keys embed a timestamp and a random suffix and are never overwritten.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Error context when the endpoint cannot be reached or does not answer in time (503).
pub const UNREACHABLE: &str = "S3 object store unreachable or timed out";
/// Error context when the store answers with a server error (5xx) on every attempt (503).
pub const FAILING: &str = "S3 object store failing (server error)";
/// Error context when the configured bucket does not exist (500: a configuration error).
pub const NO_SUCH_BUCKET: &str =
    "S3 bucket does not exist (check the configured bucket name, region and endpoint)";
/// Error context for any other refusal, e.g. bad credentials or a denied policy (500).
pub const REJECTED: &str = "S3 PutObject failed";

/// Attempts per request, the first one included: one retry for a transient failure.
const MAX_ATTEMPTS: u32 = 2;
/// Lower bound for [`S3Settings::timeout`]: a zero timeout would fail every request.
const MIN_TIMEOUT: Duration = Duration::from_secs(1);

/// Where and how to store images in S3.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    /// Static credentials, used when both are set; otherwise the default chain (module docs).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// An S3-compatible endpoint such as MinIO or moto (`http://127.0.0.1:25440`); requests
    /// then use path-style addressing (`{endpoint}/{bucket}/{key}`). `None`: AWS itself.
    pub endpoint: Option<String>,
    /// The absolute URL prefix under which the bucket's objects are publicly served (a CDN,
    /// or `{endpoint}/{bucket}`). Default: `https://{bucket}.s3.{region}.amazonaws.com`.
    pub public_base_url: Option<String>,
    /// Bound for connecting and for a whole PutObject, retry included (at least 1 s). It must
    /// allow the largest image (10 MB) to be uploaded.
    pub timeout: Duration,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("endpoint", &self.endpoint)
            .field("public_base_url", &self.public_base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

pub struct S3MediaStore {
    client: Client,
    bucket: String,
    public_base: String,
}

impl S3MediaStore {
    /// The underlying client, for operations tooling and tests (bucket set-up, reading back).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Builds the client. Nothing is sent over the network here: a wrong bucket, endpoint or
    /// credentials show up on the first [`MediaStore::put`].
    pub async fn new(settings: S3Settings) -> Self {
        let S3Settings {
            bucket,
            region,
            access_key_id,
            secret_access_key,
            endpoint,
            public_base_url,
            timeout,
        } = settings;
        let limit = timeout.max(MIN_TIMEOUT);

        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(region.clone()));
        match (non_empty(access_key_id), non_empty(secret_access_key)) {
            (Some(id), Some(secret)) => {
                loader = loader.credentials_provider(Credentials::new(
                    id,
                    secret,
                    None,
                    None,
                    "codiit-s3-settings",
                ));
            }
            (None, None) => {}
            _ => tracing::warn!(
                "only one of the S3 access key id and secret access key is set; \
                 ignoring it and using the default AWS credentials chain"
            ),
        }
        let shared = loader.load().await;

        let timeouts = TimeoutConfig::builder()
            .connect_timeout(limit)
            .operation_attempt_timeout(limit)
            .operation_timeout(limit)
            .build();
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
        let endpoint = non_empty(endpoint);
        if let Some(endpoint) = &endpoint {
            config = config.endpoint_url(endpoint.clone()).force_path_style(true);
        }
        let client = Client::from_conf(config.build());

        let public_base = match non_empty(public_base_url) {
            Some(base) => base.trim_end_matches('/').to_owned(),
            None => default_public_base(&bucket, &region),
        };
        tracing::info!(
            bucket = %bucket,
            region = %region,
            endpoint = endpoint.as_deref().unwrap_or("AWS"),
            public_base = %public_base,
            "S3 media store configured"
        );
        Self {
            client,
            bucket,
            public_base,
        }
    }
}

impl MediaStore for S3MediaStore {
    fn put(
        &self,
        key: String,
        bytes: Vec<u8>,
        content_type: &'static str,
    ) -> BoxFuture<'_, DomainResult<String>> {
        Box::pin(async move {
            let size = bytes.len();
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .body(ByteStream::from(bytes))
                .content_type(content_type)
                .cache_control(CACHE_CONTROL)
                .send()
                .await
                .map_err(put_failure)?;
            tracing::debug!(bucket = %self.bucket, key = %key, bytes = size, "stored upload in S3");
            Ok(format!("{}/{key}", self.public_base))
        })
    }
}

/// Virtual-hosted–style URL of the bucket on AWS.
fn default_public_base(bucket: &str, region: &str) -> String {
    format!("https://{bucket}.s3.{region}.amazonaws.com")
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Unreachable or too slow is a dependency outage (503); anything the store refuses is ours (500).
fn put_failure(err: SdkError<PutObjectError>) -> DomainError {
    let unreachable = match &err {
        SdkError::TimeoutError(_) => true,
        // How a refused connection is classified depends on the client version (`io`, or
        // `other` wrapping hyper-util's connect error), so also look for the socket error.
        SdkError::DispatchFailure(failure) => {
            failure.is_io() || failure.is_timeout() || caused_by_io(&err)
        }
        _ => false,
    };
    let no_such_bucket = err.code() == Some("NoSuchBucket");
    let server_error = err
        .raw_response()
        .is_some_and(|response| response.status().is_server_error());
    if unreachable {
        DomainError::unavailable(UNREACHABLE, err)
    } else if no_such_bucket {
        DomainError::internal(NO_SUCH_BUCKET, err)
    } else if server_error {
        DomainError::unavailable(FAILING, err)
    } else {
        DomainError::internal(REJECTED, err)
    }
}

/// Is there an I/O error (refused or reset connection, DNS failure, ...) in the cause chain?
fn caused_by_io(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(cause) = next {
        if cause.is::<std::io::Error>() {
            return true;
        }
        next = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    //! The tests marked "server" need a loopback S3 server: `make test` starts one with
    //! `deploy/local-s3.sh start` and passes its URL in `CODIIT_TEST_S3_ENDPOINT`. Without it
    //! they fail, unless `CODIIT_SKIP_S3_TESTS=1` says to skip them.

    use super::*;
    use kernel::id::random_suffix;
    use std::time::Instant;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    /// Generous bound on any one test step: a hang becomes a failure, never a stuck run.
    const STEP: Duration = Duration::from_secs(30);

    /// The loopback S3 endpoint, or `None` when `CODIIT_SKIP_S3_TESTS=1` (skip the test).
    fn test_endpoint() -> Option<String> {
        if std::env::var("CODIIT_SKIP_S3_TESTS").is_ok_and(|v| v == "1") {
            eprintln!("CODIIT_SKIP_S3_TESTS=1: skipping a test that needs a loopback S3 server");
            return None;
        }
        match std::env::var("CODIIT_TEST_S3_ENDPOINT") {
            Ok(endpoint) if !endpoint.trim().is_empty() => {
                Some(endpoint.trim().trim_end_matches('/').to_owned())
            }
            _ => panic!(
                "CODIIT_TEST_S3_ENDPOINT is not set: this test needs a loopback S3 server. \
                 Run it through `make test`, or start one with \
                 `export CODIIT_TEST_S3_ENDPOINT=$(deploy/local-s3.sh start)` \
                 (stop it with `deploy/local-s3.sh stop`); set CODIIT_SKIP_S3_TESTS=1 to skip"
            ),
        }
    }

    fn settings(endpoint: &str, bucket: &str) -> S3Settings {
        S3Settings {
            bucket: bucket.to_owned(),
            region: "us-east-1".into(),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
            endpoint: Some(endpoint.to_owned()),
            public_base_url: Some(format!("{endpoint}/{bucket}")),
            timeout: Duration::from_secs(5),
        }
    }

    fn unique_bucket() -> String {
        format!("codiit-test-{}", random_suffix(12))
    }

    fn unique_key() -> String {
        format!("upload/1700000000123-{}.png", random_suffix(8))
    }

    #[test]
    fn public_base_defaults_to_the_virtual_hosted_bucket_url() {
        assert_eq!(
            default_public_base("codiit-media", "ap-northeast-2"),
            "https://codiit-media.s3.ap-northeast-2.amazonaws.com"
        );
    }

    #[test]
    fn settings_debug_hides_the_secret() {
        let shown = format!("{:?}", settings("http://127.0.0.1:1", "b"));
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains("secret_access_key: Some(\"test\")"));
    }

    #[tokio::test]
    async fn put_stores_the_object_and_returns_its_public_url() {
        // server
        let Some(endpoint) = test_endpoint() else {
            return;
        };
        let bucket = unique_bucket();
        let mut with_slash = settings(&endpoint, &bucket);
        with_slash.public_base_url = Some(format!("{endpoint}/{bucket}/"));
        let store = S3MediaStore::new(with_slash).await;
        tokio::time::timeout(STEP, store.client.create_bucket().bucket(&bucket).send())
            .await
            .expect("CreateBucket hung")
            .expect("CreateBucket on the loopback S3 server");

        let key = unique_key();
        let url = tokio::time::timeout(STEP, store.put(key.clone(), PNG.to_vec(), "image/png"))
            .await
            .expect("put hung")
            .expect("put");
        assert_eq!(url, format!("{endpoint}/{bucket}/{key}"));

        let object = tokio::time::timeout(
            STEP,
            store.client.get_object().bucket(&bucket).key(&key).send(),
        )
        .await
        .expect("GetObject hung")
        .expect("GetObject");
        assert_eq!(object.content_type(), Some("image/png"));
        assert_eq!(object.cache_control(), Some(CACHE_CONTROL));
        let body = object.body.collect().await.expect("read the object body");
        assert_eq!(body.into_bytes().to_vec(), PNG.to_vec());
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_fails_fast_as_unavailable() {
        // No server needed: nothing listens on port 1.
        let mut unreachable = settings("http://127.0.0.1:1", &unique_bucket());
        unreachable.timeout = Duration::from_secs(2);
        let store = S3MediaStore::new(unreachable).await;
        let started = Instant::now();
        let result = tokio::time::timeout(STEP, store.put(unique_key(), PNG.to_vec(), "image/png"))
            .await
            .expect("put to an unreachable endpoint hung");
        let elapsed = started.elapsed();
        assert!(
            matches!(result, Err(DomainError::Unavailable { context, .. }) if context == UNREACHABLE),
            "expected Unavailable, got {result:?}"
        );
        assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    }

    #[tokio::test]
    async fn a_missing_bucket_is_an_error_not_a_hang() {
        // server
        let Some(endpoint) = test_endpoint() else {
            return;
        };
        let store = S3MediaStore::new(settings(&endpoint, &unique_bucket())).await;
        let started = Instant::now();
        let result = tokio::time::timeout(STEP, store.put(unique_key(), PNG.to_vec(), "image/png"))
            .await
            .expect("put to a missing bucket hung");
        assert!(
            matches!(result, Err(DomainError::Internal { context, .. }) if context == NO_SUCH_BUCKET),
            "expected Internal({NO_SUCH_BUCKET}), got {result:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
