use crate::inquiry::*;
use crate::review::*;
use kernel::paging::PageRequest;
use kernel::{DomainResult, Timestamp};
use notifications::NewNotification;
use std::future::Future;

pub trait Inquiries: Send + Sync {
    fn product(
        &self,
        product_id: &str,
    ) -> impl Future<Output = DomainResult<Option<ProductRef>>> + Send;
    /// Inserts the inquiry and writes `notify` in the same transaction.
    fn create(
        &self,
        new: NewInquiry,
        notify: Option<NewNotification>,
    ) -> impl Future<Output = DomainResult<Inquiry>> + Send;
    fn by_id(&self, id: &str) -> impl Future<Output = DomainResult<Option<Inquiry>>> + Send;
    /// A product's inquiries (all of them when `query.page` is `None`) and their count.
    fn of_product(
        &self,
        product_id: &str,
        query: ProductInquiryQuery,
    ) -> impl Future<Output = DomainResult<(Vec<Inquiry>, i64)>> + Send;
    /// Inquiries written by `user_id`, newest first.
    fn of_author(
        &self,
        user_id: &str,
        page: PageRequest,
        status: Option<InquiryStatus>,
    ) -> impl Future<Output = DomainResult<(Vec<Inquiry>, i64)>> + Send;
    /// Inquiries on the products of `seller_id`'s store, newest first.
    fn of_seller(
        &self,
        seller_id: &str,
        page: PageRequest,
        status: Option<InquiryStatus>,
    ) -> impl Future<Output = DomainResult<(Vec<Inquiry>, i64)>> + Send;
    /// Applies the changes only while the inquiry has no reply; `None` when it has one.
    fn update_unanswered(
        &self,
        id: &str,
        changes: InquiryChanges,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<Option<Inquiry>>> + Send;
    /// Deletes the inquiry with its reply.
    fn delete(&self, id: &str) -> impl Future<Output = DomainResult<()>> + Send;
    fn reply_by_id(&self, id: &str) -> impl Future<Output = DomainResult<Option<Reply>>> + Send;
    /// Inserts the reply, marks the inquiry answered and writes `notify`, in one transaction;
    /// `None` when the inquiry already has a reply (also under concurrency).
    fn create_reply(
        &self,
        new: NewReply,
        notify: Option<NewNotification>,
    ) -> impl Future<Output = DomainResult<Option<Reply>>> + Send;
    fn update_reply(
        &self,
        id: &str,
        content: String,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<Reply>> + Send;
    /// Deletes the reply and sets its inquiry back to waiting, in one transaction.
    fn delete_reply(
        &self,
        reply: &Reply,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<()>> + Send;
}

pub trait Reviews: Send + Sync {
    fn product_exists(&self, product_id: &str) -> impl Future<Output = DomainResult<bool>> + Send;
    fn reviewable_item(
        &self,
        order_item_id: &str,
    ) -> impl Future<Output = DomainResult<Option<ReviewableItem>>> + Send;
    /// Inserts the review, marks the item reviewed and adds it to the product's aggregates, in
    /// one transaction; `None` when the item already has a review (also under concurrency).
    /// The order is locked against a cancellation and its status checked again inside it
    /// (`NOT_PAID` if it changed since `reviewable_item`), so no review outlives its order.
    fn create_review(
        &self,
        new: NewReview,
    ) -> impl Future<Output = DomainResult<Option<Review>>> + Send;
    /// A product's reviews, newest first, and their count.
    fn of_product(
        &self,
        product_id: &str,
        page: PageRequest,
    ) -> impl Future<Output = DomainResult<(Vec<Review>, i64)>> + Send;
    fn review(&self, id: &str) -> impl Future<Output = DomainResult<Option<Review>>> + Send;
    fn review_detail(
        &self,
        id: &str,
    ) -> impl Future<Output = DomainResult<Option<ReviewDetail>>> + Send;
    /// Changes the review and moves it between rating counts, in one transaction.
    fn update_review(
        &self,
        review: &Review,
        rating: Option<i32>,
        content: Option<String>,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<Review>> + Send;
    /// Deletes it, un-marks the item and takes it out of the aggregates, in one transaction.
    fn delete_review(&self, review: &Review) -> impl Future<Output = DomainResult<()>> + Send;
}
