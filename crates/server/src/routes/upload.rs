use crate::auth::AuthUser;
use crate::dto::UploadResponse;
use crate::error::{ApiError, ApiResult};
use crate::input::ImageUpload;
use crate::reply::{Created, created};
use crate::state::AppState;
use paperclip::actix::{api_v2_operation, web};

pub const NO_FILE: &str = "업로드할 이미지 파일이 없습니다.";

/// Upload an image (E54)
///
/// Multipart with the file part `image`; the type is decided by the file's leading bytes.
#[api_v2_operation(tags(Upload))]
pub async fn upload(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: ImageUpload,
) -> ApiResult<Created<UploadResponse>> {
    let bytes = body.image.ok_or_else(|| ApiError::bad_request(NO_FILE))?;
    let stored = state.images.upload(bytes).await?;
    Result::Ok(created(UploadResponse {
        message: "업로드 성공".into(),
        url: stored.url,
        key: stored.key,
    }))
}
