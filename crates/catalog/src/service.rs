//! The catalog use cases behind E7 and E10–E21.

use crate::messages::*;
use crate::model::*;
use crate::ports::{Products, Stores};
use crate::product::{self, ProductInput};
use crate::query::{ProductQuery, ProductSearch};
use crate::reference::ReferenceData;
use crate::store::{self, StoreInput};
use chrono_tz::Tz;
use kernel::id::{is_well_formed, new_id};
use kernel::paging::PageRequest;
use kernel::{Clock, DomainError, DomainResult, UserType};
use media::Images;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct CatalogSettings {
    pub zone: Tz,
    pub default_store_image: String,
    pub default_product_image: String,
}

pub struct Catalog<S, P, R> {
    stores: S,
    products: P,
    reference: R,
    images: Images,
    clock: Arc<dyn Clock>,
    settings: CatalogSettings,
}

fn store_not_found() -> DomainError {
    DomainError::NotFound(STORE_NOT_FOUND.into())
}

fn product_not_found() -> DomainError {
    DomainError::NotFound(PRODUCT_NOT_FOUND.into())
}

impl<S: Stores, P: Products, R: ReferenceData> Catalog<S, P, R> {
    pub fn new(
        stores: S,
        products: P,
        reference: R,
        images: Images,
        clock: Arc<dyn Clock>,
        settings: CatalogSettings,
    ) -> Self {
        Self {
            stores,
            products,
            reference,
            images,
            clock,
            settings,
        }
    }

    pub fn now(&self) -> kernel::Timestamp {
        self.clock.now()
    }

    async fn store(&self, id: &str) -> DomainResult<Store> {
        if !is_well_formed(id) {
            return Err(store_not_found());
        }
        self.stores.by_id(id).await?.ok_or_else(store_not_found)
    }

    async fn own_store(&self, seller_id: &str) -> DomainResult<Store> {
        self.stores
            .by_owner(seller_id)
            .await?
            .ok_or_else(store_not_found)
    }

    /// E10.
    pub async fn create_store(&self, seller_id: &str, input: StoreInput) -> DomainResult<Store> {
        let fields = store::validate(&input, true)?;
        media::check(input.image.as_ref())?;
        if self.stores.by_owner(seller_id).await?.is_some() {
            return Err(DomainError::Conflict(STORE_EXISTS.into()));
        }
        let image = self
            .images
            .resolve(input.image)
            .await?
            .unwrap_or_else(|| self.settings.default_store_image.clone());
        let new = NewStore {
            id: new_id(),
            user_id: seller_id.to_owned(),
            name: fields.name.unwrap_or_default(),
            address: fields.address.unwrap_or_default(),
            detail_address: fields.detail_address.unwrap_or_default(),
            phone_number: fields.phone_number.unwrap_or_default(),
            content: fields.content.unwrap_or_default(),
            image,
            now: self.clock.now(),
        };
        self.stores
            .create(new)
            .await?
            .ok_or_else(|| DomainError::Conflict(STORE_EXISTS.into()))
    }

    /// E11.
    pub async fn update_store(
        &self,
        seller_id: &str,
        store_id: &str,
        input: StoreInput,
    ) -> DomainResult<Store> {
        let fields = store::validate(&input, false)?;
        media::check(input.image.as_ref())?;
        let current = self.store(store_id).await?;
        if current.user_id != seller_id {
            return Err(DomainError::Forbidden(STORE_FORBIDDEN.into()));
        }
        let image = match self.images.resolve(input.image).await? {
            Some(url) => Some(url),
            None if input.remove_image == Some(true) => {
                Some(self.settings.default_store_image.clone())
            }
            None => None,
        };
        let changes = StoreChanges {
            name: fields.name,
            address: fields.address,
            detail_address: fields.detail_address,
            phone_number: fields.phone_number,
            content: fields.content,
            image,
        };
        self.stores
            .update(&current.id, changes, self.clock.now())
            .await
    }

    /// E12: the store and its favourite count.
    pub async fn public_store(&self, store_id: &str) -> DomainResult<(Store, i64)> {
        let store = self.store(store_id).await?;
        let favorites = self.stores.favorite_count(&store.id).await?;
        Ok((store, favorites))
    }

    /// E13.
    pub async fn my_store(&self, seller_id: &str) -> DomainResult<(Store, StoreStats)> {
        let store = self.own_store(seller_id).await?;
        let month_start = kernel::time::month_start(self.clock.now(), self.settings.zone);
        let stats = self.stores.stats(&store.id, month_start).await?;
        Ok((store, stats))
    }

    /// E14.
    pub async fn my_products(
        &self,
        seller_id: &str,
        page: PageRequest,
    ) -> DomainResult<(Vec<SellerProduct>, i64)> {
        let store = self.own_store(seller_id).await?;
        self.products.of_store(&store.id, page).await
    }

    /// E15 / E16: idempotent either way.
    pub async fn set_favorite(
        &self,
        buyer_id: &str,
        store_id: &str,
        change: FavoriteChange,
    ) -> DomainResult<Store> {
        let store = self.store(store_id).await?;
        match change {
            FavoriteChange::Register => {
                self.stores
                    .add_favorite(buyer_id, &store.id, self.clock.now())
                    .await?
            }
            FavoriteChange::Delete => self.stores.remove_favorite(buyer_id, &store.id).await?,
        }
        Ok(store)
    }

    /// E7: a seller has no favourites.
    pub async fn favorites(
        &self,
        user_id: &str,
        user_type: UserType,
    ) -> DomainResult<Vec<FavoriteStore>> {
        match user_type {
            UserType::Seller => Ok(Vec::new()),
            UserType::Buyer => self.stores.favorites_of(user_id).await,
        }
    }

    async fn category_id(&self, lower_name: &str) -> DomainResult<String> {
        self.reference
            .category_by_name(lower_name)
            .await?
            .map(|c| c.id)
            .ok_or_else(|| DomainError::invalid(CATEGORY_NOT_FOUND))
    }

    /// E17.
    pub async fn create_product(
        &self,
        seller_id: &str,
        input: ProductInput,
    ) -> DomainResult<ProductDetail> {
        let fields = product::validate(&input, true)?;
        let discount = product::discount_for_create(&input, self.settings.zone)?;
        media::check(input.image.as_ref())?;
        let category_id = self
            .category_id(fields.category_name.as_deref().unwrap_or_default())
            .await?;
        let store = self.own_store(seller_id).await?;
        let image = self
            .images
            .resolve(input.image)
            .await?
            .unwrap_or_else(|| self.settings.default_product_image.clone());
        let id = new_id();
        self.products
            .create(NewProduct {
                id: id.clone(),
                store_id: store.id,
                category_id,
                name: fields.name.unwrap_or_default(),
                content: fields.content.unwrap_or_default(),
                image,
                price: fields.price.unwrap_or_default(),
                discount,
                stocks: fields.stocks.unwrap_or_default(),
                now: self.clock.now(),
            })
            .await?;
        self.product(&id).await
    }

    /// E19 (without inquiries, which the community capability adds).
    pub async fn product(&self, id: &str) -> DomainResult<ProductDetail> {
        if !is_well_formed(id) {
            return Err(product_not_found());
        }
        self.products
            .detail(id)
            .await?
            .ok_or_else(product_not_found)
    }

    /// E20.
    pub async fn update_product(
        &self,
        seller_id: &str,
        product_id: &str,
        input: ProductInput,
    ) -> DomainResult<ProductDetail> {
        let fields = product::validate(&input, false)?;
        media::check(input.image.as_ref())?;
        let category_id = match &fields.category_name {
            Some(name) => Some(self.category_id(name).await?),
            None => None,
        };
        let current = self.product(product_id).await?;
        if current.owner_id != seller_id {
            return Err(DomainError::Forbidden(PRODUCT_EDIT_FORBIDDEN.into()));
        }
        let discount =
            product::discount_for_update(&input, current.summary.discount, self.settings.zone)?;
        let image = self.images.resolve(input.image).await?;
        let changes = ProductChanges {
            category_id,
            name: fields.name,
            content: fields.content,
            image,
            price: fields.price,
            discount,
            stocks: fields.stocks,
        };
        // N5: buyers whose cart holds a size this edit sold out.
        let notify = |sold_out: &SoldOut| {
            let about = notifications::About {
                product_id: &sold_out.product_id,
                product_name: &sold_out.product_name,
            };
            sold_out
                .cart_holders
                .iter()
                .map(|buyer| {
                    notifications::sold_out_in_cart(
                        buyer,
                        about,
                        sold_out.size_id,
                        &sold_out.size_name,
                    )
                })
                .collect()
        };
        self.products
            .update(&current.summary.id, changes, self.clock.now(), notify)
            .await?;
        self.product(&current.summary.id).await
    }

    /// E21.
    pub async fn delete_product(&self, seller_id: &str, product_id: &str) -> DomainResult<()> {
        let current = self.product(product_id).await?;
        if current.owner_id != seller_id {
            return Err(DomainError::Forbidden(PRODUCT_DELETE_FORBIDDEN.into()));
        }
        self.products.delete(&current.summary.id).await
    }

    /// E18. Unknown categories, sizes or stores match nothing.
    pub async fn list_products(
        &self,
        query: ProductQuery,
    ) -> DomainResult<(Vec<ProductSummary>, i64)> {
        let empty = Ok((Vec::new(), 0));
        let size_id = match &query.size {
            Some(label) => {
                let sizes = self.reference.sizes().await?;
                match sizes.iter().find(|s| s.name.eq_ignore_ascii_case(label)) {
                    Some(size) => Some(size.id),
                    None => return empty,
                }
            }
            None => None,
        };
        if let (Some(min), Some(max)) = (query.price_min, query.price_max)
            && min > max
        {
            return empty;
        }
        // No stored name or id holds a NUL character (bodies refuse it), and PostgreSQL
        // refuses one in a value: such a filter matches nothing.
        let texts = [&query.search, &query.category_name, &query.store_id];
        if texts
            .iter()
            .any(|t| t.as_deref().is_some_and(|t| t.contains('\0')))
        {
            return empty;
        }
        if query
            .store_id
            .as_deref()
            .is_some_and(|id| !is_well_formed(id))
        {
            return empty;
        }
        self.products
            .search(&ProductSearch {
                page: query.page,
                sort: query.sort,
                search: query.search,
                category_name: query.category_name,
                price_min: query.price_min,
                price_max: query.price_max,
                size_id,
                store_id: query.store_id,
            })
            .await
    }
}
