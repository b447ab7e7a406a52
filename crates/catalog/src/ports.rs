use crate::model::*;
use crate::query::ProductSearch;
use kernel::paging::PageRequest;
use kernel::{DomainResult, Timestamp};
use std::future::Future;

pub trait Stores: Send + Sync {
    /// Inserts the store; `None` when the seller already has one (also under concurrency).
    fn create(&self, new: NewStore) -> impl Future<Output = DomainResult<Option<Store>>> + Send;
    fn by_id(&self, id: &str) -> impl Future<Output = DomainResult<Option<Store>>> + Send;
    fn by_owner(&self, user_id: &str) -> impl Future<Output = DomainResult<Option<Store>>> + Send;
    fn update(
        &self,
        id: &str,
        changes: StoreChanges,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<Store>> + Send;
    fn favorite_count(&self, store_id: &str) -> impl Future<Output = DomainResult<i64>> + Send;
    /// The counts of §4.11; `month_start` is the start of the current month in the app zone.
    fn stats(
        &self,
        store_id: &str,
        month_start: Timestamp,
    ) -> impl Future<Output = DomainResult<StoreStats>> + Send;
    /// Idempotent.
    fn add_favorite(
        &self,
        user_id: &str,
        store_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Idempotent.
    fn remove_favorite(
        &self,
        user_id: &str,
        store_id: &str,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Newest first.
    fn favorites_of(
        &self,
        user_id: &str,
    ) -> impl Future<Output = DomainResult<Vec<FavoriteStore>>> + Send;
}

pub trait Products: Send + Sync {
    /// Inserts the product and its stock rows atomically.
    fn create(&self, new: NewProduct) -> impl Future<Output = DomainResult<()>> + Send;
    fn detail(&self, id: &str) -> impl Future<Output = DomainResult<Option<ProductDetail>>> + Send;
    /// Applies the changes (and replaces the stock list when given) atomically. For every size
    /// the new list takes from > 0 to 0, `on_sold_out` says which notifications to write, and
    /// they are written in the same transaction.
    fn update(
        &self,
        id: &str,
        changes: ProductChanges,
        now: Timestamp,
        on_sold_out: impl Fn(&SoldOut) -> Vec<notifications::NewNotification> + Send + Sync,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    fn delete(&self, id: &str) -> impl Future<Output = DomainResult<()>> + Send;
    /// A store's products, newest first, with their total stock; and the total count.
    fn of_store(
        &self,
        store_id: &str,
        page: PageRequest,
    ) -> impl Future<Output = DomainResult<(Vec<SellerProduct>, i64)>> + Send;
    /// One page of the product list and the number of all matches.
    fn search(
        &self,
        query: &ProductSearch,
    ) -> impl Future<Output = DomainResult<(Vec<ProductSummary>, i64)>> + Send;
}
