//! Response and request shapes of the contract (spec §2.0.1), with their OpenAPI schemas.

mod catalog;
mod community;
pub mod fields;
mod insights;
mod ordering;

pub use catalog::*;
pub use community::*;
pub use insights::*;
pub use ordering::*;

use identity::User;
use kernel::time::format_ts;
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct GradeResponse {
    pub id: String,
    pub name: String,
    /// Percentage of the paid amount earned as points.
    pub rate: i32,
    pub min_amount: i64,
}

impl From<loyalty::Grade> for GradeResponse {
    fn from(g: loyalty::Grade) -> Self {
        Self {
            id: g.id,
            name: g.name,
            rate: g.rate,
            min_amount: g.min_amount,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `BUYER` or `SELLER`.
    #[serde(rename = "type")]
    pub user_type: String,
    pub points: i64,
    pub image: String,
    pub grade: GradeResponse,
    pub created_at: String,
    pub updated_at: String,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            name: u.name,
            email: u.email,
            user_type: u.user_type.as_str().to_owned(),
            points: u.points,
            image: u.image,
            grade: u.grade.into(),
            created_at: format_ts(&u.created_at),
            updated_at: format_ts(&u.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub user: UserResponse,
    pub access_token: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenResponse {
    pub access_token: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct MessageResponse {
    pub message: String,
}

impl MessageResponse {
    pub fn new(message: &str) -> Self {
        Self {
            message: message.to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct LoginRequest {
    pub email: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct SignupRequest {
    /// 1-50 characters.
    pub name: Option<String>,
    pub email: Option<String>,
    /// 8-64 characters.
    pub password: Option<String>,
    /// `BUYER` (default) or `SELLER`, case-insensitive.
    #[serde(rename = "type")]
    pub user_type: Option<String>,
}

#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRequest {
    /// Required: the current password.
    pub current_password: Option<String>,
    pub name: Option<String>,
    /// A new password, 8-64 characters.
    pub password: Option<String>,
    /// An absolute image URL (or, in multipart, a file part named `image`).
    pub image: Option<String>,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct PointsResponse {
    pub points: i64,
    pub lifetime_purchase: i64,
    pub grade: GradeResponse,
    pub next_grade: Option<GradeResponse>,
    pub need_to_next: Option<i64>,
}

impl From<loyalty::PointsSummary> for PointsResponse {
    fn from(s: loyalty::PointsSummary) -> Self {
        Self {
            points: s.points,
            lifetime_purchase: s.lifetime_purchase,
            grade: s.grade.into(),
            next_grade: s.next_grade.map(Into::into),
            need_to_next: s.need_to_next,
        }
    }
}

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct SizeNames {
    pub en: String,
    pub ko: String,
}

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct SizeResponse {
    pub id: i32,
    pub name: String,
    pub size: SizeNames,
}

impl From<::catalog::Size> for SizeResponse {
    fn from(s: ::catalog::Size) -> Self {
        Self {
            id: s.id,
            name: s.name,
            size: SizeNames {
                en: s.size.en,
                ko: s.size.ko,
            },
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct CategoryResponse {
    pub id: String,
    /// Lower-case.
    pub name: String,
}

impl From<::catalog::Category> for CategoryResponse {
    fn from(c: ::catalog::Category) -> Self {
        Self {
            id: c.id,
            name: c.name,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct UploadResponse {
    pub message: String,
    /// Absolute URL of the stored image.
    pub url: String,
    pub key: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct HealthResponse {
    /// `ok` or `unavailable`.
    pub status: String,
    pub timestamp: String,
}
