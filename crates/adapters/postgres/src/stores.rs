use crate::Database;
use crate::error::PgError;
use crate::fixed::fixed_sql;
use crate::schema::{favorite_stores, products, stores};
use catalog::{FavoriteStore, NewStore, Store, StoreChanges, StoreStats, Stores};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::{DomainError, DomainResult, Timestamp};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = stores)]
pub(crate) struct StoreRow {
    id: String,
    user_id: String,
    name: String,
    address: String,
    detail_address: String,
    phone_number: String,
    content: String,
    image: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<StoreRow> for Store {
    fn from(r: StoreRow) -> Self {
        Store {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            address: r.address,
            detail_address: r.detail_address,
            phone_number: r.phone_number,
            content: r.content,
            image: r.image,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = stores)]
struct StoreUpdate {
    name: Option<String>,
    address: Option<String>,
    detail_address: Option<String>,
    phone_number: Option<String>,
    content: Option<String>,
    image: Option<String>,
    updated_at: Timestamp,
}

/// Σ quantity of paid or shipped order lines of this store, deleted products included (§4.11).
const TOTAL_SOLD: &str = "
    SELECT COALESCE(SUM(oi.quantity), 0)::bigint AS total
    FROM order_items oi JOIN orders o ON o.id = oi.order_id
    WHERE oi.store_id = $1 AND o.status IN ('CompletedPayment', 'Shipped')";

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
}

impl Stores for Database {
    async fn create(&self, new: NewStore) -> DomainResult<Option<Store>> {
        let mut conn = self.conn().await?;
        let row = StoreRow {
            id: new.id,
            user_id: new.user_id,
            name: new.name,
            address: new.address,
            detail_address: new.detail_address,
            phone_number: new.phone_number,
            content: new.content,
            image: new.image,
            created_at: new.now,
            updated_at: new.now,
        };
        let inserted: Option<StoreRow> = diesel::insert_into(stores::table)
            .values(&row)
            .on_conflict(stores::user_id)
            .do_nothing()
            .returning(StoreRow::as_returning())
            .get_result(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(inserted.map(Store::from))
    }

    async fn by_id(&self, id: &str) -> DomainResult<Option<Store>> {
        let mut conn = self.conn().await?;
        let row: Option<StoreRow> = stores::table
            .find(id)
            .select(StoreRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(Store::from))
    }

    async fn by_owner(&self, user_id: &str) -> DomainResult<Option<Store>> {
        let mut conn = self.conn().await?;
        let row: Option<StoreRow> = stores::table
            .filter(stores::user_id.eq(user_id))
            .select(StoreRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(Store::from))
    }

    async fn update(&self, id: &str, changes: StoreChanges, now: Timestamp) -> DomainResult<Store> {
        let mut conn = self.conn().await?;
        let row: Option<StoreRow> = diesel::update(stores::table.find(id))
            .set(StoreUpdate {
                name: changes.name,
                address: changes.address,
                detail_address: changes.detail_address,
                phone_number: changes.phone_number,
                content: changes.content,
                image: changes.image,
                updated_at: now,
            })
            .returning(StoreRow::as_returning())
            .get_result(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        row.map(Store::from)
            .ok_or_else(|| DomainError::NotFound(catalog::messages::STORE_NOT_FOUND.into()))
    }

    async fn favorite_count(&self, store_id: &str) -> DomainResult<i64> {
        let mut conn = self.conn().await?;
        Ok(favorite_stores::table
            .filter(favorite_stores::store_id.eq(store_id))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?)
    }

    async fn stats(&self, store_id: &str, month_start: Timestamp) -> DomainResult<StoreStats> {
        let mut conn = self.conn().await?;
        let product_count: i64 = products::table
            .filter(products::store_id.eq(store_id))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let favorites = favorite_stores::table.filter(favorite_stores::store_id.eq(store_id));
        let favorite_count: i64 = favorites
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let month_favorite_count: i64 = favorites
            .filter(favorite_stores::created_at.ge(month_start))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let sold: Total = fixed_sql(TOTAL_SOLD)
            .bind::<diesel::sql_types::Text, _>(store_id)
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(StoreStats {
            product_count,
            favorite_count,
            month_favorite_count,
            total_sold_count: sold.total,
        })
    }

    async fn add_favorite(
        &self,
        user_id: &str,
        store_id: &str,
        now: Timestamp,
    ) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        diesel::insert_into(favorite_stores::table)
            .values((
                favorite_stores::id.eq(kernel::id::new_id()),
                favorite_stores::user_id.eq(user_id),
                favorite_stores::store_id.eq(store_id),
                favorite_stores::created_at.eq(now),
            ))
            .on_conflict((favorite_stores::user_id, favorite_stores::store_id))
            .do_nothing()
            .execute(&mut *conn)
            .await
            // The store went with its seller's account meanwhile.
            .map_err(|e| PgError::from(e).or_gone(catalog::messages::STORE_NOT_FOUND))?;
        Ok(())
    }

    async fn remove_favorite(&self, user_id: &str, store_id: &str) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        diesel::delete(
            favorite_stores::table
                .filter(favorite_stores::user_id.eq(user_id))
                .filter(favorite_stores::store_id.eq(store_id)),
        )
        .execute(&mut *conn)
        .await
        .map_err(PgError::from)?;
        Ok(())
    }

    async fn favorites_of(&self, user_id: &str) -> DomainResult<Vec<FavoriteStore>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, Timestamp, StoreRow)> = favorite_stores::table
            .inner_join(stores::table)
            .filter(favorite_stores::user_id.eq(user_id))
            .order((
                favorite_stores::created_at.desc(),
                favorite_stores::id.desc(),
            ))
            .select((
                favorite_stores::user_id,
                favorite_stores::created_at,
                StoreRow::as_select(),
            ))
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(|(user_id, created_at, store)| FavoriteStore {
                user_id,
                created_at,
                store: store.into(),
            })
            .collect())
    }
}
