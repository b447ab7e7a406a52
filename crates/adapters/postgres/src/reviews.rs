use crate::Database;
use crate::error::PgError;
use crate::fixed::fixed_sql;
use crate::products::product_exists;
use crate::schema::{order_items, orders, products, reviews, sizes, users};
use crate::users::hold_user;
use community::review::NewReview;
use community::{Review, ReviewDetail, ReviewableItem, Reviews};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::paging::PageRequest;
use kernel::{DomainError, DomainResult, Timestamp};

#[derive(Queryable, Selectable)]
#[diesel(table_name = reviews)]
struct ReviewRow {
    id: String,
    user_id: String,
    product_id: Option<String>,
    order_item_id: String,
    rating: i32,
    content: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

fn to_review((r, user_name): (ReviewRow, String)) -> Review {
    Review {
        id: r.id,
        user_id: r.user_id,
        user_name,
        product_id: r.product_id,
        order_item_id: r.order_item_id,
        rating: r.rating,
        content: r.content,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Adds (`delta` = 1) or removes (−1) one rating from a product's aggregates (§4.7). Row-level
/// increments, so concurrent reviews of one product never lose an update.
async fn adjust(
    c: &mut AsyncPgConnection,
    product_id: &str,
    rating: i32,
    delta: i32,
) -> Result<(), PgError> {
    fixed_sql(
        "UPDATE products SET
            reviews_count = reviews_count + $3,
            reviews_sum = reviews_sum + $3 * $2,
            rate1_count = rate1_count + CASE WHEN $2 = 1 THEN $3 ELSE 0 END,
            rate2_count = rate2_count + CASE WHEN $2 = 2 THEN $3 ELSE 0 END,
            rate3_count = rate3_count + CASE WHEN $2 = 3 THEN $3 ELSE 0 END,
            rate4_count = rate4_count + CASE WHEN $2 = 4 THEN $3 ELSE 0 END,
            rate5_count = rate5_count + CASE WHEN $2 = 5 THEN $3 ELSE 0 END
         WHERE id = $1",
    )
    .bind::<Text, _>(product_id)
    .bind::<Int4, _>(rating)
    .bind::<Int4, _>(delta)
    .execute(c)
    .await?;
    Ok(())
}

/// Locks the order of an order item for share and reads its status. A cancellation locks the
/// order for update before anything else, so it has either finished (deleting the item's
/// review) or waits for this transaction; and every review write takes this lock first, in
/// the cancellation's order (order, then review and product), so the two never deadlock.
async fn lock_order_of(
    c: &mut AsyncPgConnection,
    item_id: &str,
) -> Result<Option<String>, PgError> {
    Ok(orders::table
        .filter(
            orders::id.eq_any(
                order_items::table
                    .filter(order_items::id.eq(item_id))
                    .select(order_items::order_id),
            ),
        )
        .select(orders::status)
        .for_share()
        .first(c)
        .await
        .optional()?)
}

/// Locks the reviewed product's row after the order's (see `lock_order_of`) and before the
/// review's: a product's deletion holds the product and then sets its reviews' references to
/// null, so a review write holding the review first and then adjusting the product would
/// deadlock with it. `false` when the product is gone.
async fn lock_product(c: &mut AsyncPgConnection, product_id: &str) -> Result<bool, PgError> {
    Ok(products::table
        .find(product_id)
        .select(products::id)
        .for_no_key_update()
        .first::<String>(c)
        .await
        .optional()?
        .is_some())
}

async fn load(c: &mut AsyncPgConnection, id: &str) -> Result<Option<Review>, PgError> {
    let row: Option<(ReviewRow, String)> = reviews::table
        .inner_join(users::table.on(users::id.eq(reviews::user_id)))
        .filter(reviews::id.eq(id))
        .select((ReviewRow::as_select(), users::name))
        .first(c)
        .await
        .optional()?;
    Ok(row.map(to_review))
}

impl Reviews for Database {
    async fn product_exists(&self, product_id: &str) -> DomainResult<bool> {
        let mut conn = self.conn().await?;
        Ok(product_exists(&mut conn, product_id).await?)
    }

    async fn reviewable_item(&self, order_item_id: &str) -> DomainResult<Option<ReviewableItem>> {
        let mut conn = self.conn().await?;
        let row: Option<(String, Option<String>, Option<String>, String)> = order_items::table
            .inner_join(orders::table)
            .filter(order_items::id.eq(order_item_id))
            .select((
                order_items::id,
                orders::buyer_id,
                order_items::product_id,
                orders::status,
            ))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(
            row.map(|(id, buyer_id, product_id, order_status)| ReviewableItem {
                id,
                buyer_id,
                product_id,
                order_status,
            }),
        )
    }

    async fn create_review(&self, new: NewReview) -> DomainResult<Option<Review>> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            if !hold_user(c, &new.user_id).await? {
                return Ok(Err(crate::error::account_gone()));
            }
            let status = lock_order_of(c, &new.order_item_id).await?;
            if !status.is_some_and(|s| community::review::order_is_reviewable(&s)) {
                return Ok(Err(DomainError::invalid(community::review::NOT_PAID)));
            }
            if !lock_product(c, &new.product_id).await? {
                return Ok(Err(DomainError::NotFound(
                    community::messages::PRODUCT_NOT_FOUND.into(),
                )));
            }
            let inserted = diesel::insert_into(reviews::table)
                .values((
                    reviews::id.eq(&new.id),
                    reviews::user_id.eq(&new.user_id),
                    reviews::product_id.eq(Some(&new.product_id)),
                    reviews::order_item_id.eq(&new.order_item_id),
                    reviews::rating.eq(new.rating),
                    reviews::content.eq(&new.content),
                    reviews::created_at.eq(new.now),
                    reviews::updated_at.eq(new.now),
                ))
                .on_conflict(reviews::order_item_id)
                .do_nothing()
                .execute(c)
                .await?;
            if inserted == 0 {
                return Ok(Ok(None));
            }
            diesel::update(order_items::table.find(&new.order_item_id))
                .set(order_items::is_reviewed.eq(true))
                .execute(c)
                .await?;
            adjust(c, &new.product_id, new.rating, 1).await?;
            load(c, &new.id).await.map(Ok)
        })
        .await
        // The product was deleted since the use case found it.
        .map_err(|e| e.or_gone(community::messages::PRODUCT_NOT_FOUND))?
    }

    async fn of_product(
        &self,
        product_id: &str,
        page: PageRequest,
    ) -> DomainResult<(Vec<Review>, i64)> {
        let mut conn = self.conn().await?;
        let total: i64 = reviews::table
            .filter(reviews::product_id.eq(product_id))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let rows: Vec<(ReviewRow, String)> = reviews::table
            .inner_join(users::table.on(users::id.eq(reviews::user_id)))
            .filter(reviews::product_id.eq(product_id))
            .order((reviews::created_at.desc(), reviews::id.desc()))
            .limit(page.size)
            .offset(page.offset())
            .select((ReviewRow::as_select(), users::name))
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok((rows.into_iter().map(to_review).collect(), total))
    }

    async fn review(&self, id: &str) -> DomainResult<Option<Review>> {
        let mut conn = self.conn().await?;
        Ok(load(&mut conn, id).await?)
    }

    async fn review_detail(&self, id: &str) -> DomainResult<Option<ReviewDetail>> {
        let mut conn = self.conn().await?;
        let Some(review) = load(&mut conn, id).await? else {
            return Ok(None);
        };
        let (product_name, en, ko, price, quantity, purchased_at): (
            String,
            String,
            String,
            i64,
            i32,
            Timestamp,
        ) = order_items::table
            .inner_join(orders::table)
            .inner_join(sizes::table.on(sizes::id.eq(order_items::size_id)))
            .filter(order_items::id.eq(&review.order_item_id))
            .select((
                order_items::product_name,
                sizes::en,
                sizes::ko,
                order_items::price,
                order_items::quantity,
                orders::created_at,
            ))
            .first(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(Some(ReviewDetail {
            review,
            product_name,
            size_en: en,
            size_ko: ko,
            price,
            quantity,
            purchased_at,
        }))
    }

    async fn update_review(
        &self,
        review: &Review,
        rating: Option<i32>,
        content: Option<String>,
        now: Timestamp,
    ) -> DomainResult<Review> {
        let mut conn = self.conn().await?;
        let updated = conn
            .transaction::<_, PgError, _>(async |c| {
                hold_user(c, &review.user_id).await?;
                lock_order_of(c, &review.order_item_id).await?;
                if let Some(product_id) = &review.product_id {
                    lock_product(c, product_id).await?;
                }
                // Lock the review and read its rating as stored, not as loaded earlier.
                let old: Option<i32> = reviews::table
                    .find(&review.id)
                    .select(reviews::rating)
                    .for_update()
                    .first(c)
                    .await
                    .optional()?;
                let Some(old) = old else {
                    return Ok(None);
                };
                #[derive(AsChangeset)]
                #[diesel(table_name = reviews)]
                struct Update {
                    rating: Option<i32>,
                    content: Option<String>,
                    updated_at: Timestamp,
                }
                diesel::update(reviews::table.find(&review.id))
                    .set(Update {
                        rating,
                        content: content.clone(),
                        updated_at: now,
                    })
                    .execute(c)
                    .await?;
                if let (Some(new), Some(product_id)) = (rating, &review.product_id)
                    && new != old
                {
                    adjust(c, product_id, old, -1).await?;
                    adjust(c, product_id, new, 1).await?;
                }
                load(c, &review.id).await
            })
            .await?;
        updated.ok_or_else(|| DomainError::NotFound(community::review::REVIEW_NOT_FOUND.into()))
    }

    async fn delete_review(&self, review: &Review) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            hold_user(c, &review.user_id).await?;
            lock_order_of(c, &review.order_item_id).await?;
            if let Some(product_id) = &review.product_id {
                lock_product(c, product_id).await?;
            }
            let deleted: Option<(Option<String>, i32)> =
                diesel::delete(reviews::table.find(&review.id))
                    .returning((reviews::product_id, reviews::rating))
                    .get_result(c)
                    .await
                    .optional()?;
            if let Some((product_id, rating)) = deleted {
                diesel::update(order_items::table.find(&review.order_item_id))
                    .set(order_items::is_reviewed.eq(false))
                    .execute(c)
                    .await?;
                if let Some(product_id) = product_id {
                    adjust(c, &product_id, rating, -1).await?;
                }
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}
