//! E54: image upload through the MediaStore port (local disk).

use api_tests::spawn_app;
use reqwest::multipart::{Form, Part};

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
const GIF: &[u8] = b"GIF89a\x01\0\x01\0\0\0\0;";
const WEBP: &[u8] = b"RIFF\x1a\0\0\0WEBPVP8 \x0e\0\0\0";

fn image_form(bytes: &[u8], file_name: &str, declared: &str) -> Form {
    Form::new().part(
        "image",
        Part::bytes(bytes.to_vec())
            .file_name(file_name.to_owned())
            .mime_str(declared)
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_stored_and_served_by_detected_type() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    for (bytes, ext, content_type) in [
        (JPEG, "jpg", "image/jpeg"),
        (GIF, "gif", "image/gif"),
        (WEBP, "webp", "image/webp"),
    ] {
        // The declared name and type are ignored: the leading bytes decide.
        let r = app
            .post("/api/s3/upload")
            .as_user(&s)
            .multipart(image_form(bytes, "photo.bmp", "application/octet-stream"))
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["message"], "업로드 성공");
        let key = r.body["key"].as_str().unwrap();
        let (stamp, rest) = key
            .strip_prefix("upload/")
            .unwrap()
            .split_once('-')
            .unwrap();
        assert!(stamp.parse::<i64>().unwrap() > 1_700_000_000_000);
        let (random, extension) = rest.split_once('.').unwrap();
        assert_eq!(random.len(), 8);
        assert!(
            random
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_eq!(extension, ext);
        let url = r.body["url"].as_str().unwrap();
        assert!(
            url.starts_with("http://localhost:") && url.ends_with(&format!("/uploads/{key}")),
            "{url}"
        );
        let served = app
            .http
            .get(format!("{}/uploads/{key}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(served.headers()["content-type"], content_type);
        assert_eq!(served.bytes().await.unwrap().as_ref(), bytes);
        assert_eq!(std::fs::read(app.upload_dir.join(key)).unwrap(), bytes);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_refuses_non_images_missing_files_and_oversized_files() {
    let app = spawn_app().await;
    let s = app.seller().await;
    let disguised = app
        .post("/api/s3/upload")
        .as_user(&s)
        .multipart(image_form(b"%PDF-1.7 not an image", "cat.png", "image/png"))
        .send()
        .await;
    assert_eq!(
        disguised.error_message(400),
        "이미지 파일만 업로드할 수 있습니다."
    );

    let no_file = app
        .post("/api/s3/upload")
        .as_user(&s)
        .multipart(
            Form::new()
                .text("title", "x")
                .part("other", Part::bytes(JPEG.to_vec()).file_name("a.jpg")),
        )
        .send()
        .await;
    assert_eq!(
        no_file.error_message(400),
        "업로드할 이미지 파일이 없습니다."
    );

    let json = app
        .post("/api/s3/upload")
        .as_user(&s)
        .raw("application/json", "{}")
        .send()
        .await;
    assert_eq!(json.error_message(400), "잘못된 요청 형식입니다.");

    let mut big = JPEG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let too_big = app
        .post("/api/s3/upload")
        .as_user(&s)
        .multipart(image_form(&big, "big.jpg", "image/jpeg"))
        .send()
        .await;
    assert_eq!(
        too_big.error_message(413),
        "파일 크기는 10MB를 초과할 수 없습니다."
    );

    let anonymous = app
        .post("/api/s3/upload")
        .multipart(image_form(JPEG, "a.jpg", "image/jpeg"))
        .send()
        .await;
    assert_eq!(anonymous.error_message(401), "로그인이 필요합니다.");
    let stored = std::fs::read_dir(&app.upload_dir)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "nothing was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_path_cannot_escape_the_upload_directory() {
    let app = spawn_app().await;
    for path in [
        "/uploads/../Cargo.toml",
        "/uploads/%2e%2e/%2e%2e/etc/passwd",
        "/uploads/upload/none.png",
    ] {
        let r = app.get(path).send().await;
        assert_eq!(r.status, 404, "{path}");
    }
    let asset = app
        .http
        .get(format!("{}/static/default-product.png", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(asset.headers()["content-type"], "image/png");
    assert!(asset.bytes().await.unwrap().starts_with(b"\x89PNG"));
}

/// The loopback S3 server `make test` starts, or `None` when S3 tests are explicitly skipped.
fn s3_endpoint() -> Option<String> {
    if std::env::var("CODIIT_SKIP_S3_TESTS").as_deref() == Ok("1") {
        return None;
    }
    Some(std::env::var("CODIIT_TEST_S3_ENDPOINT").expect(
        "CODIIT_TEST_S3_ENDPOINT must name a loopback S3 server (run `make test`, or \
         `deploy/local-s3.sh start`)",
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_s3_driver_uploads_land_in_the_bucket() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let bucket = format!("codiit-test-{}", kernel::id::random_suffix(10));
    let public = format!("{endpoint}/{bucket}");
    let s3 = adapter_s3::S3MediaStore::new(adapter_s3::S3Settings {
        bucket: bucket.clone(),
        region: "us-east-1".into(),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        endpoint: Some(endpoint.clone()),
        public_base_url: None,
        timeout: std::time::Duration::from_secs(5),
    })
    .await;
    s3.client()
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let app = api_tests::spawn_app_with(|c| {
        c.storage = server::config::StorageDriver::S3 {
            bucket: bucket.clone(),
            region: "us-east-1".into(),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
            endpoint: Some(endpoint.clone()),
            public_base_url: Some(public.clone()),
            timeout_seconds: 5,
        };
    })
    .await;
    let s = app.buyer().await;
    let r = app
        .post("/api/s3/upload")
        .as_user(&s)
        .multipart(image_form(GIF, "a.gif", "image/gif"))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let key = r.body["key"].as_str().unwrap();
    assert_eq!(r.body["url"], format!("{public}/{key}"));
    let stored = s3
        .client()
        .get_object()
        .bucket(&bucket)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.content_type(), Some("image/gif"));
    assert_eq!(
        stored.body.collect().await.unwrap().into_bytes().as_ref(),
        GIF
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_bucket_is_a_clear_503_not_a_hang() {
    let app = api_tests::spawn_app_with(|c| {
        c.storage = server::config::StorageDriver::S3 {
            bucket: "nowhere".into(),
            region: "us-east-1".into(),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
            endpoint: Some("http://127.0.0.1:1".into()),
            public_base_url: None,
            timeout_seconds: 2,
        };
    })
    .await;
    let s = app.buyer().await;
    let started = std::time::Instant::now();
    let r = app
        .post("/api/s3/upload")
        .as_user(&s)
        .multipart(image_form(JPEG, "a.jpg", "image/jpeg"))
        .send()
        .await;
    assert_eq!(
        r.error_message(503),
        "서비스를 일시적으로 사용할 수 없습니다."
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
