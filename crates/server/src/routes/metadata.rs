use crate::dto::{CategoryResponse, GradeResponse, SizeResponse};
use crate::error::ApiResult;
use crate::reply::{Ok, ok};
use crate::state::AppState;
use paperclip::actix::{api_v2_operation, web};

/// Membership grades (E51)
///
/// Ordered by `minAmount`, read from the database.
#[api_v2_operation(tags(Metadata))]
pub async fn grades(state: web::Data<AppState>) -> ApiResult<Ok<Vec<GradeResponse>>> {
    let grades = state.loyalty.grades().await?;
    Result::Ok(ok(grades.into_iter().map(Into::into).collect()))
}

/// Sizes (E52)
#[api_v2_operation(tags(Metadata))]
pub async fn sizes(state: web::Data<AppState>) -> ApiResult<Ok<Vec<SizeResponse>>> {
    let sizes = state.reference.sizes().await?;
    Result::Ok(ok(sizes.into_iter().map(Into::into).collect()))
}

/// A category by name (E53)
///
/// The name is matched case-insensitively.
#[api_v2_operation(tags(Metadata))]
pub async fn category(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> ApiResult<Ok<CategoryResponse>> {
    let category = state.reference.category(&name.into_inner()).await?;
    Result::Ok(ok(category.into()))
}
