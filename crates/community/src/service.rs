//! The inquiry use cases behind E22, E23 and E39–E46.

use crate::inquiry::*;
use crate::messages::*;
use crate::ports::Inquiries;
use kernel::id::{is_well_formed, new_id};
use kernel::paging::PageRequest;
use kernel::{Clock, DomainError, DomainResult, UserType};
use notifications::About;
use std::sync::Arc;

pub struct Community<I> {
    inquiries: I,
    clock: Arc<dyn Clock>,
}

fn inquiry_not_found() -> DomainError {
    DomainError::NotFound(INQUIRY_NOT_FOUND.into())
}

fn about(product: &ProductRef) -> About<'_> {
    About {
        product_id: &product.id,
        product_name: &product.name,
    }
}

/// Who is asking: their id and type.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub id: &'a str,
    pub user_type: UserType,
}

impl<I: Inquiries> Community<I> {
    pub fn new(inquiries: I, clock: Arc<dyn Clock>) -> Self {
        Self { inquiries, clock }
    }

    async fn product(&self, product_id: &str) -> DomainResult<ProductRef> {
        let not_found = || DomainError::NotFound(PRODUCT_NOT_FOUND.into());
        if !is_well_formed(product_id) {
            return Err(not_found());
        }
        self.inquiries
            .product(product_id)
            .await?
            .ok_or_else(not_found)
    }

    async fn inquiry(&self, id: &str) -> DomainResult<Inquiry> {
        if !is_well_formed(id) {
            return Err(inquiry_not_found());
        }
        self.inquiries
            .by_id(id)
            .await?
            .ok_or_else(inquiry_not_found)
    }

    /// E22, with N1 to the seller in the same transaction.
    pub async fn ask(
        &self,
        author_id: &str,
        product_id: &str,
        title: Option<String>,
        content: Option<String>,
        is_secret: Option<bool>,
    ) -> DomainResult<Inquiry> {
        let (title, content) = validate_text(title.as_deref(), content.as_deref(), true)?;
        let product = self.product(product_id).await?;
        let id = new_id();
        let notify =
            notifications::new_inquiry(&product.seller_id, author_id, about(&product), &id);
        self.inquiries
            .create(
                NewInquiry {
                    id,
                    user_id: author_id.to_owned(),
                    product_id: product.id.clone(),
                    title: title.unwrap_or_default(),
                    content: content.unwrap_or_default(),
                    is_secret: is_secret.unwrap_or(false),
                    now: self.clock.now(),
                },
                notify,
            )
            .await
    }

    /// E23 and the `inquiries` of E19: secret rows masked for `viewer`.
    pub async fn of_product(
        &self,
        product_id: &str,
        query: ProductInquiryQuery,
        viewer: Option<&str>,
    ) -> DomainResult<(Vec<Inquiry>, i64)> {
        let product = self.product(product_id).await?;
        self.of_loaded_product(&product.id, query, viewer).await
    }

    /// E23 for a product the caller has just read (the product detail, E19): the same list
    /// without looking the product up a second time.
    pub async fn of_loaded_product(
        &self,
        product_id: &str,
        query: ProductInquiryQuery,
        viewer: Option<&str>,
    ) -> DomainResult<(Vec<Inquiry>, i64)> {
        let (list, total) = self.inquiries.of_product(product_id, query).await?;
        Ok((
            list.into_iter().map(|i| i.masked_for(viewer)).collect(),
            total,
        ))
    }

    /// E39: a buyer's own inquiries, or those on a seller's store.
    pub async fn mine(
        &self,
        viewer: Viewer<'_>,
        page: PageRequest,
        status: Option<InquiryStatus>,
    ) -> DomainResult<(Vec<Inquiry>, i64)> {
        match viewer.user_type {
            UserType::Buyer => self.inquiries.of_author(viewer.id, page, status).await,
            UserType::Seller => self.inquiries.of_seller(viewer.id, page, status).await,
        }
    }

    /// E40: a secret inquiry is a 403 for anyone but its author and the seller.
    pub async fn detail(&self, viewer_id: &str, id: &str) -> DomainResult<Inquiry> {
        let inquiry = self.inquiry(id).await?;
        if !inquiry.visible_to(Some(viewer_id)) {
            return Err(DomainError::Forbidden(SECRET_FORBIDDEN.into()));
        }
        Ok(inquiry)
    }

    /// E41: the author, while there is no reply.
    pub async fn edit(
        &self,
        author_id: &str,
        id: &str,
        title: Option<String>,
        content: Option<String>,
        is_secret: Option<bool>,
    ) -> DomainResult<Inquiry> {
        if title.is_none() && content.is_none() && is_secret.is_none() {
            return Err(DomainError::invalid(NOTHING_TO_UPDATE));
        }
        let (title, content) = validate_text(title.as_deref(), content.as_deref(), false)?;
        let inquiry = self.inquiry(id).await?;
        if inquiry.user_id != author_id {
            return Err(DomainError::Forbidden(INQUIRY_FORBIDDEN.into()));
        }
        if inquiry.reply.is_some() {
            return Err(DomainError::Conflict(ANSWERED.into()));
        }
        self.inquiries
            .update_unanswered(
                &inquiry.id,
                InquiryChanges {
                    title,
                    content,
                    is_secret,
                },
                self.clock.now(),
            )
            .await?
            .ok_or_else(|| DomainError::Conflict(ANSWERED.into()))
    }

    /// E42: the author or the product's seller; answers the inquiry as it was.
    pub async fn remove(&self, user_id: &str, id: &str) -> DomainResult<Inquiry> {
        let inquiry = self.inquiry(id).await?;
        if inquiry.user_id != user_id && inquiry.product.seller_id != user_id {
            return Err(DomainError::Forbidden(INQUIRY_FORBIDDEN.into()));
        }
        self.inquiries.delete(&inquiry.id).await?;
        Ok(inquiry)
    }

    /// E43: the product's seller, once; N2 to the author in the same transaction.
    pub async fn reply(
        &self,
        seller_id: &str,
        inquiry_id: &str,
        content: Option<String>,
    ) -> DomainResult<Reply> {
        let content = reply_content(content)?;
        let inquiry = self.inquiry(inquiry_id).await?;
        if inquiry.product.seller_id != seller_id {
            return Err(DomainError::Forbidden(REPLY_FORBIDDEN.into()));
        }
        if inquiry.reply.is_some() {
            return Err(DomainError::Conflict(REPLY_EXISTS.into()));
        }
        let notify = notifications::inquiry_answered(
            &inquiry.user_id,
            seller_id,
            about(&inquiry.product),
            &inquiry.id,
        );
        self.inquiries
            .create_reply(
                NewReply {
                    id: new_id(),
                    inquiry_id: inquiry.id.clone(),
                    user_id: seller_id.to_owned(),
                    content,
                    now: self.clock.now(),
                },
                notify,
            )
            .await?
            .ok_or_else(|| DomainError::Conflict(REPLY_EXISTS.into()))
    }

    /// E44–E46 path ids: a reply id first, else an inquiry id whose reply is the target (§2.9).
    async fn resolve_reply(&self, id: &str) -> DomainResult<(Reply, Inquiry)> {
        let not_found = || DomainError::NotFound(REPLY_NOT_FOUND.into());
        if !is_well_formed(id) {
            return Err(not_found());
        }
        let inquiry_id = match self.inquiries.reply_by_id(id).await? {
            Some(reply) => reply.inquiry_id,
            None => id.to_owned(),
        };
        let inquiry = self
            .inquiries
            .by_id(&inquiry_id)
            .await?
            .ok_or_else(not_found)?;
        let reply = inquiry.reply.clone().ok_or_else(not_found)?;
        Ok((reply, inquiry))
    }

    /// E44.
    pub async fn reply_for(&self, viewer: Option<&str>, id: &str) -> DomainResult<Reply> {
        let (reply, inquiry) = self.resolve_reply(id).await?;
        if !inquiry.visible_to(viewer) {
            return Err(DomainError::Forbidden(SECRET_FORBIDDEN.into()));
        }
        Ok(reply)
    }

    /// E45: only the reply's author; no notification.
    pub async fn edit_reply(
        &self,
        seller_id: &str,
        id: &str,
        content: Option<String>,
    ) -> DomainResult<Reply> {
        let content = reply_content(content)?;
        let (reply, _) = self.resolve_reply(id).await?;
        if reply.user_id != seller_id {
            return Err(DomainError::Forbidden(REPLY_FORBIDDEN.into()));
        }
        self.inquiries
            .update_reply(&reply.id, content, self.clock.now())
            .await
    }

    /// E46: only the reply's author; the inquiry waits for an answer again.
    pub async fn remove_reply(&self, seller_id: &str, id: &str) -> DomainResult<Reply> {
        let (reply, _) = self.resolve_reply(id).await?;
        if reply.user_id != seller_id {
            return Err(DomainError::Forbidden(REPLY_FORBIDDEN.into()));
        }
        self.inquiries
            .delete_reply(&reply, self.clock.now())
            .await?;
        Ok(reply)
    }
}

fn reply_content(content: Option<String>) -> DomainResult<String> {
    let mut v = kernel::Violations::new();
    let content = match content {
        Some(c) => v.take(kernel::text::bounded("content", &c, 1, 500)),
        None => {
            v.add("content", "is required");
            None
        }
    };
    v.finish()?;
    Ok(content.unwrap_or_default())
}

/// The review use cases behind E34–E38.
pub struct ReviewBook<R> {
    reviews: R,
    clock: Arc<dyn Clock>,
}

impl<R: crate::ports::Reviews> ReviewBook<R> {
    pub fn new(reviews: R, clock: Arc<dyn Clock>) -> Self {
        Self { reviews, clock }
    }

    async fn product(&self, product_id: &str) -> DomainResult<()> {
        if is_well_formed(product_id) && self.reviews.product_exists(product_id).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound(PRODUCT_NOT_FOUND.into()))
        }
    }

    /// E34, with its checks in the order the spec lists them.
    pub async fn write(
        &self,
        buyer_id: &str,
        product_id: &str,
        order_item_id: Option<String>,
        rating: Option<i64>,
        content: Option<String>,
    ) -> DomainResult<crate::review::Review> {
        use crate::review::*;
        let item_id = kernel::text::given(order_item_id.as_deref()).map(str::to_owned);
        let validated = validate(rating, content.as_deref(), true);
        let mut problems = Vec::new();
        if item_id.is_none() {
            problems.push("orderItemId: is required".to_owned());
        }
        if let Err(DomainError::Invalid(m)) = &validated {
            problems.push(m.clone());
        }
        if !problems.is_empty() {
            return Err(DomainError::Invalid(problems.join("; ")));
        }
        let (rating, content) = validated?;
        self.product(product_id).await?;
        let item_id = item_id.unwrap_or_default();
        let missing = || DomainError::NotFound(REVIEW_ITEM_NOT_FOUND.into());
        if !is_well_formed(&item_id) {
            return Err(missing());
        }
        let item = self
            .reviews
            .reviewable_item(&item_id)
            .await?
            .ok_or_else(missing)?;
        if item.buyer_id.as_deref() != Some(buyer_id) {
            return Err(DomainError::Forbidden(NOT_YOUR_PURCHASE.into()));
        }
        if item.product_id.as_deref() != Some(product_id) {
            return Err(DomainError::invalid(WRONG_PRODUCT));
        }
        if !crate::review::order_is_reviewable(&item.order_status) {
            return Err(DomainError::invalid(NOT_PAID));
        }
        self.reviews
            .create_review(NewReview {
                id: new_id(),
                user_id: buyer_id.to_owned(),
                product_id: product_id.to_owned(),
                order_item_id: item.id,
                rating: rating.unwrap_or_default(),
                content: content.unwrap_or_default(),
                now: self.clock.now(),
            })
            .await?
            .ok_or_else(|| DomainError::Conflict(ALREADY_REVIEWED.into()))
    }

    /// E35.
    pub async fn of_product(
        &self,
        product_id: &str,
        page: PageRequest,
    ) -> DomainResult<(Vec<crate::review::Review>, i64)> {
        self.product(product_id).await?;
        self.reviews.of_product(product_id, page).await
    }

    /// E36.
    pub async fn detail(&self, id: &str) -> DomainResult<crate::review::ReviewDetail> {
        let missing = || DomainError::NotFound(crate::review::REVIEW_NOT_FOUND.into());
        if !is_well_formed(id) {
            return Err(missing());
        }
        self.reviews.review_detail(id).await?.ok_or_else(missing)
    }

    async fn own(&self, user_id: &str, id: &str) -> DomainResult<crate::review::Review> {
        use crate::review::*;
        let missing = || DomainError::NotFound(REVIEW_NOT_FOUND.into());
        if !is_well_formed(id) {
            return Err(missing());
        }
        let review = self.reviews.review(id).await?.ok_or_else(missing)?;
        if review.user_id != user_id {
            return Err(DomainError::Forbidden(REVIEW_FORBIDDEN.into()));
        }
        Ok(review)
    }

    /// E37.
    pub async fn edit(
        &self,
        user_id: &str,
        id: &str,
        rating: Option<i64>,
        content: Option<String>,
    ) -> DomainResult<crate::review::Review> {
        if rating.is_none() && content.is_none() {
            return Err(DomainError::invalid(NOTHING_TO_UPDATE));
        }
        let (rating, content) = crate::review::validate(rating, content.as_deref(), false)?;
        let review = self.own(user_id, id).await?;
        self.reviews
            .update_review(&review, rating, content, self.clock.now())
            .await
    }

    /// E38.
    pub async fn remove(&self, user_id: &str, id: &str) -> DomainResult<()> {
        let review = self.own(user_id, id).await?;
        self.reviews.delete_review(&review).await
    }
}
