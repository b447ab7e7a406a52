//! Images: content checks by magic bytes, size limits, object keys (spec §0.11), and the
//! MediaStore port implemented by the local-disk and S3 adapters.

use kernel::{BoxFuture, Clock, DomainError, DomainResult, id::random_suffix, text};
use std::sync::Arc;

pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
pub const NOT_AN_IMAGE: &str = "이미지 파일만 업로드할 수 있습니다.";
pub const IMAGE_TOO_LARGE: &str = "파일 크기는 10MB를 초과할 수 없습니다.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl ImageKind {
    /// The type decided by the leading bytes, never by a declared name or content type.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }
}

/// `upload/{epochMillis}-{8 random [a-z0-9]}.{ext}`.
pub fn object_key(kind: ImageKind, epoch_millis: i64, suffix: &str) -> String {
    format!("upload/{epoch_millis}-{suffix}.{}", kind.extension())
}

/// Where image bytes go. Chosen at run time (local disk or S3), hence `dyn`.
pub trait MediaStore: Send + Sync {
    /// Stores the object and returns its absolute public URL.
    fn put(
        &self,
        key: String,
        bytes: Vec<u8>,
        content_type: &'static str,
    ) -> BoxFuture<'_, DomainResult<String>>;
}

/// An image as a request carries it: a file part, or a URL to reuse (§0.11).
#[derive(Debug)]
pub enum ImageInput {
    File(Vec<u8>),
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub url: String,
    pub key: String,
}

/// Checks and stores images; every capability that takes an image goes through here.
#[derive(Clone)]
pub struct Images {
    store: Arc<dyn MediaStore>,
    clock: Arc<dyn Clock>,
}

impl Images {
    pub fn new(store: Arc<dyn MediaStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub async fn upload(&self, bytes: Vec<u8>) -> DomainResult<StoredImage> {
        let kind = file_kind(&bytes)?;
        let key = object_key(kind, self.clock.now().timestamp_millis(), &random_suffix(8));
        let url = self
            .store
            .put(key.clone(), bytes, kind.content_type())
            .await?;
        Ok(StoredImage { url, key })
    }

    /// The URL to store for an optional image input: uploads a file, or checks a given URL.
    pub async fn resolve(&self, input: Option<ImageInput>) -> DomainResult<Option<String>> {
        match input {
            None => Ok(None),
            Some(ImageInput::File(bytes)) => Ok(Some(self.upload(bytes).await?.url)),
            Some(ImageInput::Url(url)) => Ok(Some(checked_url(&url)?.to_owned())),
        }
    }
}

/// The checks of an image input that need no storage (§0.11). Use cases run them with the
/// other field checks, so a bad image is a 400 or 413 before any lookup's 404, 403 or 409
/// (§0.6), and nothing is stored for a request that then fails them.
pub fn check(input: Option<&ImageInput>) -> DomainResult<()> {
    match input {
        None => Ok(()),
        Some(ImageInput::File(bytes)) => file_kind(bytes).map(drop),
        Some(ImageInput::Url(url)) => checked_url(url).map(drop),
    }
}

fn file_kind(bytes: &[u8]) -> DomainResult<ImageKind> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(DomainError::TooLarge(IMAGE_TOO_LARGE.into()));
    }
    ImageKind::detect(bytes).ok_or_else(|| DomainError::invalid(NOT_AN_IMAGE))
}

fn checked_url(url: &str) -> DomainResult<&str> {
    let url = url.trim();
    if text::is_absolute_http_url(url) {
        Ok(url)
    } else {
        Err(DomainError::invalid(
            "image: must be an absolute http(s) URL of at most 2048 characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::testing::block_on;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Memory(Mutex<Vec<(String, &'static str)>>);

    impl MediaStore for Memory {
        fn put(
            &self,
            key: String,
            _bytes: Vec<u8>,
            content_type: &'static str,
        ) -> BoxFuture<'_, DomainResult<String>> {
            self.0.lock().unwrap().push((key.clone(), content_type));
            Box::pin(async move { Ok(format!("http://media.test/{key}")) })
        }
    }

    struct Fixed;
    impl Clock for Fixed {
        fn now(&self) -> kernel::Timestamp {
            chrono::DateTime::from_timestamp_millis(1_700_000_000_123).unwrap()
        }
    }

    fn images() -> (Images, Arc<Memory>) {
        let store = Arc::new(Memory::default());
        (Images::new(store.clone(), Arc::new(Fixed)), store)
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn detects_by_magic_bytes() {
        assert_eq!(ImageKind::detect(PNG), Some(ImageKind::Png));
        assert_eq!(
            ImageKind::detect(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(ImageKind::detect(b"GIF89a...."), Some(ImageKind::Gif));
        assert_eq!(
            ImageKind::detect(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(ImageKind::detect(b"<svg xmlns=...>"), None);
        assert_eq!(ImageKind::detect(b"%PDF-1.7"), None);
        assert_eq!(ImageKind::detect(b""), None);
    }

    #[test]
    fn upload_names_the_key_from_the_detected_type() {
        let (images, store) = images();
        let stored = block_on(images.upload(PNG.to_vec())).unwrap();
        assert!(stored.key.starts_with("upload/1700000000123-"));
        assert!(stored.key.ends_with(".png"));
        assert_eq!(stored.key.len(), "upload/1700000000123-".len() + 8 + 4);
        assert_eq!(stored.url, format!("http://media.test/{}", stored.key));
        assert_eq!(store.0.lock().unwrap()[0].1, "image/png");
    }

    #[test]
    fn rejects_non_images_and_oversized_files() {
        let (images, store) = images();
        assert!(matches!(
            block_on(images.upload(b"not an image".to_vec())),
            Err(DomainError::Invalid(m)) if m == NOT_AN_IMAGE
        ));
        let mut big = PNG.to_vec();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(matches!(
            block_on(images.upload(big)),
            Err(DomainError::TooLarge(_))
        ));
        assert!(store.0.lock().unwrap().is_empty());
    }

    #[test]
    fn resolve_accepts_absolute_urls_only() {
        let (images, _) = images();
        assert_eq!(
            block_on(images.resolve(Some(ImageInput::Url(" https://x.test/a.png ".into()))))
                .unwrap(),
            Some("https://x.test/a.png".into())
        );
        assert!(block_on(images.resolve(Some(ImageInput::Url("/a.png".into())))).is_err());
        assert_eq!(block_on(images.resolve(None)).unwrap(), None);
    }
}
