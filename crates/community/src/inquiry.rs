use crate::messages::{MASKED_CONTENT, MASKED_TITLE};
use kernel::paging::PageRequest;
use kernel::{DomainResult, Timestamp, Violations};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InquiryStatus {
    WaitingAnswer,
    CompletedAnswer,
}

impl InquiryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WaitingAnswer => "WaitingAnswer",
            Self::CompletedAnswer => "CompletedAnswer",
        }
    }

    pub fn parse_stored(s: &str) -> Option<Self> {
        match s {
            "WaitingAnswer" => Some(Self::WaitingAnswer),
            "CompletedAnswer" => Some(Self::CompletedAnswer),
            _ => None,
        }
    }

    /// A query filter: case-insensitive; empty means all; anything else is a 400.
    pub fn parse_filter(value: Option<&str>) -> DomainResult<Option<Self>> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("WaitingAnswer") => Ok(Some(Self::WaitingAnswer)),
            Some(v) if v.eq_ignore_ascii_case("CompletedAnswer") => Ok(Some(Self::CompletedAnswer)),
            Some(_) => Err(kernel::DomainError::invalid(
                "status: must be WaitingAnswer or CompletedAnswer",
            )),
        }
    }
}

/// The product an inquiry is about, with its store and seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRef {
    pub id: String,
    pub name: String,
    pub image: String,
    pub store_id: String,
    pub store_name: String,
    pub seller_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub id: String,
    pub inquiry_id: String,
    pub user_id: String,
    pub user_name: String,
    pub content: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub title: String,
    pub content: String,
    pub status: InquiryStatus,
    pub is_secret: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub reply: Option<Reply>,
    pub product: ProductRef,
}

impl Inquiry {
    /// Whether `viewer` may see this inquiry in full: it is public, or they wrote it, or they
    /// own the product's store (§4.10).
    pub fn visible_to(&self, viewer: Option<&str>) -> bool {
        !self.is_secret || viewer.is_some_and(|v| v == self.user_id || v == self.product.seller_id)
    }

    /// The row as a list shows it to `viewer`: secret ones masked for everyone else, with
    /// `userId` and `user` unchanged.
    pub fn masked_for(mut self, viewer: Option<&str>) -> Self {
        if !self.visible_to(viewer) {
            self.title = MASKED_TITLE.to_owned();
            self.content = MASKED_CONTENT.to_owned();
            self.reply = None;
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct NewInquiry {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    pub title: String,
    pub content: String,
    pub is_secret: bool,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct InquiryChanges {
    pub title: Option<String>,
    pub content: Option<String>,
    pub is_secret: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewReply {
    pub id: String,
    pub inquiry_id: String,
    pub user_id: String,
    pub content: String,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InquirySort {
    #[default]
    Recent,
    Oldest,
}

/// E23's query; `page` is `None` when neither `page` nor `pageSize` was given (all rows, C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductInquiryQuery {
    pub page: Option<PageRequest>,
    pub sort: InquirySort,
    pub status: Option<InquiryStatus>,
}

impl ProductInquiryQuery {
    pub fn parse(
        page: Option<&str>,
        page_size: Option<&str>,
        sort: Option<&str>,
        status: Option<&str>,
    ) -> DomainResult<Self> {
        use kernel::text::given;
        let sort = match given(sort) {
            None | Some("recent") => InquirySort::Recent,
            Some("oldest") => InquirySort::Oldest,
            Some(_) => {
                return Err(kernel::DomainError::invalid(
                    "sort: must be recent or oldest",
                ));
            }
        };
        let status = InquiryStatus::parse_filter(status)?;
        let page = if given(page).is_none() && given(page_size).is_none() {
            None
        } else {
            Some(PageRequest::parse(page, page_size, 10, "pageSize")?)
        };
        Ok(Self { page, sort, status })
    }
}

/// Title 1–50 and content 1–500 characters, trimmed.
pub fn validate_text(
    title: Option<&str>,
    content: Option<&str>,
    required: bool,
) -> DomainResult<(Option<String>, Option<String>)> {
    let mut v = Violations::new();
    let mut field = |name: &str, value: Option<&str>, max: usize| match value {
        Some(text) => v.take(kernel::text::bounded(name, text, 1, max)),
        None => {
            if required {
                v.add(name, "is required");
            }
            None
        }
    };
    let title = field("title", title, 50);
    let content = field("content", content, 500);
    v.finish()?;
    Ok((title, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry(secret: bool) -> Inquiry {
        let at = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        Inquiry {
            id: "i1".into(),
            user_id: "author".into(),
            user_name: "작성자".into(),
            title: "사이즈 문의".into(),
            content: "M 사이즈가 맞을까요?".into(),
            status: InquiryStatus::CompletedAnswer,
            is_secret: secret,
            created_at: at,
            updated_at: at,
            reply: Some(Reply {
                id: "r1".into(),
                inquiry_id: "i1".into(),
                user_id: "seller".into(),
                user_name: "판매자".into(),
                content: "네".into(),
                created_at: at,
                updated_at: at,
            }),
            product: ProductRef {
                id: "p1".into(),
                name: "가디건".into(),
                image: "http://x".into(),
                store_id: "s1".into(),
                store_name: "가게".into(),
                seller_id: "seller".into(),
            },
        }
    }

    #[test]
    fn secret_inquiries_are_masked_for_strangers_only() {
        for viewer in [None, Some("stranger"), Some("other-seller")] {
            let masked = inquiry(true).masked_for(viewer);
            assert_eq!(masked.title, MASKED_TITLE);
            assert_eq!(masked.content, MASKED_CONTENT);
            assert_eq!(masked.reply, None);
            assert_eq!(masked.user_id, "author", "userId stays for the web client");
        }
        for viewer in [Some("author"), Some("seller")] {
            assert_eq!(inquiry(true).masked_for(viewer), inquiry(true));
        }
        assert_eq!(inquiry(false).masked_for(None), inquiry(false));
    }

    #[test]
    fn list_queries_validate_sort_and_status() {
        let all = ProductInquiryQuery::parse(None, None, None, Some("")).unwrap();
        assert_eq!(all.page, None);
        let q =
            ProductInquiryQuery::parse(Some("1"), Some("5"), Some("oldest"), Some("waitinganswer"))
                .unwrap();
        assert_eq!(q.page, Some(PageRequest::new(1, 5)));
        assert_eq!(q.sort, InquirySort::Oldest);
        assert_eq!(q.status, Some(InquiryStatus::WaitingAnswer));
        assert!(ProductInquiryQuery::parse(None, None, Some("popular"), None).is_err());
        assert!(ProductInquiryQuery::parse(None, None, None, Some("Answered")).is_err());
    }

    #[test]
    fn texts_are_bounded() {
        assert!(validate_text(Some("t"), Some("c"), true).is_ok());
        let err = validate_text(None, Some(&"x".repeat(501)), true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("title:") && err.contains("content:"), "{err}");
        assert_eq!(validate_text(None, None, false).unwrap(), (None, None));
        assert!(validate_text(Some(&"가".repeat(51)), None, false).is_err());
    }
}
