//! Inquiry and reply shapes (spec §2.0.1, §2.5, §2.9).

use super::catalog::{InquiryReplyResponse, ProductInquiryResponse, UserRef};
use super::fields::Bool;
use community::{Inquiry, Reply};
use kernel::time::format_ts;
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};

fn user(id: &str, name: &str) -> UserRef {
    UserRef {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

impl From<Reply> for InquiryReplyResponse {
    fn from(r: Reply) -> Self {
        Self {
            user: user(&r.user_id, &r.user_name),
            id: r.id,
            content: r.content,
            created_at: format_ts(&r.created_at),
            updated_at: format_ts(&r.updated_at),
        }
    }
}

impl From<Inquiry> for ProductInquiryResponse {
    fn from(i: Inquiry) -> Self {
        Self {
            user: user(&i.user_id, &i.user_name),
            product_id: i.product.id,
            status: i.status.as_str().to_owned(),
            created_at: format_ts(&i.created_at),
            updated_at: format_ts(&i.updated_at),
            reply: i.reply.map(Into::into),
            id: i.id,
            user_id: i.user_id,
            title: i.title,
            content: i.content,
            is_secret: i.is_secret,
        }
    }
}

/// `InquiryResponse`.
#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct InquiryResponse {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    pub title: String,
    pub content: String,
    /// `WaitingAnswer` or `CompletedAnswer`.
    pub status: String,
    pub is_secret: bool,
    pub created_at: String,
    pub updated_at: String,
    pub reply: Option<InquiryReplyResponse>,
}

impl From<Inquiry> for InquiryResponse {
    fn from(i: Inquiry) -> Self {
        let p = ProductInquiryResponse::from(i);
        Self {
            id: p.id,
            user_id: p.user_id,
            product_id: p.product_id,
            title: p.title,
            content: p.content,
            status: p.status,
            is_secret: p.is_secret,
            created_at: p.created_at,
            updated_at: p.updated_at,
            reply: p.reply,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct StoreRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct InquiryProduct {
    pub id: String,
    pub name: String,
    pub image: String,
    pub store: StoreRef,
}

fn product_of(i: &Inquiry) -> InquiryProduct {
    InquiryProduct {
        id: i.product.id.clone(),
        name: i.product.name.clone(),
        image: i.product.image.clone(),
        store: StoreRef {
            id: i.product.store_id.clone(),
            name: i.product.store_name.clone(),
        },
    }
}

/// `MyInquiryItem` (E39).
#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct MyInquiryResponse {
    pub id: String,
    pub title: String,
    pub content: String,
    pub is_secret: bool,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub user: UserRef,
    pub product: InquiryProduct,
}

impl From<Inquiry> for MyInquiryResponse {
    fn from(i: Inquiry) -> Self {
        Self {
            product: product_of(&i),
            user: user(&i.user_id, &i.user_name),
            status: i.status.as_str().to_owned(),
            created_at: format_ts(&i.created_at),
            updated_at: format_ts(&i.updated_at),
            id: i.id,
            title: i.title,
            content: i.content,
            is_secret: i.is_secret,
        }
    }
}

/// `InquiryDetail` (E40).
#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct InquiryDetailResponse {
    #[serde(flatten)]
    pub inquiry: InquiryResponse,
    pub user: UserRef,
    pub product: InquiryProduct,
}

impl From<Inquiry> for InquiryDetailResponse {
    fn from(i: Inquiry) -> Self {
        Self {
            product: product_of(&i),
            user: user(&i.user_id, &i.user_name),
            inquiry: i.into(),
        }
    }
}

/// `ReplyResponse`.
#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyResponse {
    pub id: String,
    pub inquiry_id: String,
    pub user_id: String,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
    pub user: UserRef,
}

impl From<Reply> for ReplyResponse {
    fn from(r: Reply) -> Self {
        Self {
            user: user(&r.user_id, &r.user_name),
            created_at: format_ts(&r.created_at),
            updated_at: format_ts(&r.updated_at),
            id: r.id,
            inquiry_id: r.inquiry_id,
            user_id: r.user_id,
            content: r.content,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductInquiryListResponse {
    pub list: Vec<ProductInquiryResponse>,
    pub total_count: i64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct MyInquiryListResponse {
    pub list: Vec<MyInquiryResponse>,
    pub total_count: i64,
}

/// E22 / E41 body.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct InquiryRequest {
    /// 1-50 characters.
    pub title: Option<String>,
    /// 1-500 characters.
    pub content: Option<String>,
    #[serde(default)]
    pub is_secret: Bool,
}

/// E43 / E45 body.
#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ReplyRequest {
    /// 1-500 characters.
    pub content: Option<String>,
}

/// E23 query.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductInquiryQueryParams {
    pub page: Option<String>,
    pub page_size: Option<String>,
    /// `recent` (default) or `oldest`.
    pub sort: Option<String>,
    /// `WaitingAnswer` or `CompletedAnswer`.
    pub status: Option<String>,
}

/// E39 query.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct MyInquiryQueryParams {
    pub page: Option<String>,
    pub page_size: Option<String>,
    /// `WaitingAnswer` or `CompletedAnswer`.
    pub status: Option<String>,
}

/// E48 query.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmQueryParams {
    pub page: Option<String>,
    pub page_size: Option<String>,
    /// `recent` (default) or `oldest`.
    pub sort: Option<String>,
    /// `all` (default), `unChecked` or `checked`.
    pub filter: Option<String>,
}
