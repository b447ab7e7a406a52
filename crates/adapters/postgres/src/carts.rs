use crate::Database;
use crate::error::{PgError, account_gone};
use crate::fixed::fixed_sql;
use crate::schema::{cart_items, carts, products, stocks};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::{DomainError, DomainResult, Timestamp};
use ordering::{CartLine, CartSummary, Carts};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = carts)]
struct CartRow {
    id: String,
    buyer_id: String,
    quantity: i32,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<CartRow> for CartSummary {
    fn from(r: CartRow) -> Self {
        CartSummary {
            id: r.id,
            buyer_id: r.buyer_id,
            quantity: i64::from(r.quantity),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = cart_items)]
struct LineRow {
    id: String,
    cart_id: String,
    product_id: String,
    size_id: i32,
    quantity: i32,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<LineRow> for CartLine {
    fn from(r: LineRow) -> Self {
        CartLine {
            id: r.id,
            cart_id: r.cart_id,
            product_id: r.product_id,
            size_id: r.size_id,
            quantity: r.quantity,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(diesel::QueryableByName)]
struct ProductAndCart {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    product: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    #[allow(dead_code)] // locked, not read
    cart: i64,
}

/// Locks a cart's row by a statement of its own, before its lines are written: a product's
/// deletion takes the carts holding it before their lines, and the statements after this one
/// see whatever such a deletion committed while this waited.
async fn lock_cart(c: &mut AsyncPgConnection, cart_id: &str) -> Result<(), PgError> {
    fixed_sql("SELECT count(*) FROM (SELECT 1 FROM carts WHERE id = $1 FOR NO KEY UPDATE) locked")
        .bind::<diesel::sql_types::Text, _>(cart_id)
        .execute(c)
        .await?;
    Ok(())
}

/// `Cart.quantity` is the cached Σ of its lines, summed after `lock_cart` (a single statement
/// would sum from a snapshot taken before it waited for the row).
async fn recount(c: &mut AsyncPgConnection, cart_id: &str, now: Timestamp) -> Result<(), PgError> {
    fixed_sql(
        "UPDATE carts SET quantity = COALESCE((SELECT SUM(quantity) FROM cart_items WHERE cart_id = $1), 0),
                          updated_at = $2
         WHERE id = $1",
    )
    .bind::<diesel::sql_types::Text, _>(cart_id)
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .execute(c)
    .await?;
    Ok(())
}

impl Carts for Database {
    async fn ensure(&self, buyer_id: &str, now: Timestamp) -> DomainResult<(CartSummary, bool)> {
        let mut conn = self.conn().await?;
        let created: Option<CartRow> = diesel::insert_into(carts::table)
            .values(CartRow {
                id: kernel::id::new_id(),
                buyer_id: buyer_id.to_owned(),
                quantity: 0,
                created_at: now,
                updated_at: now,
            })
            .on_conflict(carts::buyer_id)
            .do_nothing()
            .returning(CartRow::as_returning())
            .get_result(&mut *conn)
            .await
            .optional()
            .map_err(|e| PgError::from(e).or_gone_as(account_gone()))?;
        if let Some(cart) = created {
            return Ok((cart.into(), true));
        }
        let cart: Option<CartRow> = carts::table
            .filter(carts::buyer_id.eq(buyer_id))
            .select(CartRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        // Gone between the two statements with the account.
        Ok((cart.ok_or_else(account_gone)?.into(), false))
    }

    async fn lines(&self, cart_id: &str) -> DomainResult<Vec<CartLine>> {
        let mut conn = self.conn().await?;
        let rows: Vec<LineRow> = cart_items::table
            .filter(cart_items::cart_id.eq(cart_id))
            .order((cart_items::created_at.asc(), cart_items::id.asc()))
            .select(LineRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows.into_iter().map(CartLine::from).collect())
    }

    async fn stock_of(&self, product_id: &str) -> DomainResult<Option<Vec<(i32, i32)>>> {
        let mut conn = self.conn().await?;
        // One statement, one snapshot: the product and its stock seen together, never a
        // product found and then its stock read after a deletion took it.
        let rows: Vec<(Option<i32>, Option<i32>)> = products::table
            .left_join(stocks::table)
            .filter(products::id.eq(product_id))
            .select((stocks::size_id.nullable(), stocks::quantity.nullable()))
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            rows.into_iter()
                .filter_map(|(size, quantity)| size.zip(quantity))
                .collect(),
        ))
    }

    async fn set_lines(
        &self,
        cart_id: &str,
        product_id: &str,
        sizes: &[(i32, i32)],
        now: Timestamp,
    ) -> DomainResult<Vec<CartLine>> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            // The sizes' stock rows first (by size: the lock order), and the stock rule checked
            // again on what they hold now. An order taking a size to 0 then either commits first,
            // and this line is refused, or waits for this line and finds its buyer among the
            // sold-out size's cart holders (N4); the same with a seller's edit to 0 (N5). Checked
            // only before, a line committing right after the sell-out would hold a sold-out size
            // its buyer is never told about. `FOR NO KEY UPDATE`, not `FOR SHARE`: share lockers
            // do not queue behind a waiting writer, so cart writes overlapping on a busy size
            // could hold its orders off indefinitely; these queue fairly with them (cart writes on
            // one size take turns).
            let size_ids: Vec<i32> = sizes.iter().map(|(size_id, _)| *size_id).collect();
            let stock: Vec<(i32, i32)> = stocks::table
                .filter(stocks::product_id.eq(product_id))
                .filter(stocks::size_id.eq_any(&size_ids))
                .order(stocks::size_id)
                .select((stocks::size_id, stocks::quantity))
                .for_no_key_update()
                .load(c)
                .await?;
            // The product (key share: it may not be deleted under the new lines), the
            // cart, then the lines by size: the order a product's deletion takes them in.
            // One statement for both locks; its select list is evaluated in order.
            let held: ProductAndCart = fixed_sql(
                "SELECT (SELECT count(*) FROM (SELECT 1 FROM products WHERE id = $1
                               FOR KEY SHARE) p) AS product,
                            (SELECT count(*) FROM (SELECT 1 FROM carts WHERE id = $2
                               FOR NO KEY UPDATE) c) AS cart",
            )
            .bind::<diesel::sql_types::Text, _>(product_id)
            .bind::<diesel::sql_types::Text, _>(cart_id)
            .get_result(c)
            .await?;
            if held.product == 0 {
                // Deleted since its stock was read.
                return Ok(Err(DomainError::NotFound(
                    ordering::messages::PRODUCT_NOT_FOUND.into(),
                )));
            }
            if let Err(short) = ordering::cart::check_stock(sizes, &stock) {
                return Ok(Err(short));
            }
            // Ids in request order, so new lines keep the order GET /api/cart lists them in
            // (creation time, then id) while they are written by size.
            let ids: Vec<String> = sizes.iter().map(|_| kernel::id::new_id()).collect();
            let mut sorted: Vec<(&(i32, i32), &String)> = sizes.iter().zip(&ids).collect();
            sorted.sort();
            let mut written = Vec::with_capacity(sizes.len());
            for ((size_id, quantity), id) in sorted {
                let row: LineRow = diesel::insert_into(cart_items::table)
                    .values((
                        cart_items::id.eq(id),
                        cart_items::cart_id.eq(cart_id),
                        cart_items::product_id.eq(product_id),
                        cart_items::size_id.eq(size_id),
                        cart_items::quantity.eq(quantity),
                        cart_items::created_at.eq(now),
                        cart_items::updated_at.eq(now),
                    ))
                    .on_conflict((
                        cart_items::cart_id,
                        cart_items::product_id,
                        cart_items::size_id,
                    ))
                    .do_update()
                    .set((
                        cart_items::quantity.eq(diesel::upsert::excluded(cart_items::quantity)),
                        cart_items::updated_at.eq(now),
                    ))
                    .returning(LineRow::as_returning())
                    .get_result(c)
                    .await?;
                written.push(CartLine::from(row));
            }
            recount(c, cart_id, now).await?;
            // Answered in request order (C12).
            Ok(Ok(sizes
                .iter()
                .filter_map(|(size_id, _)| written.iter().find(|l| l.size_id == *size_id).cloned())
                .collect::<Vec<_>>()))
        })
        .await
        // The cart went with its buyer's account while this ran.
        .map_err(|e| e.or_gone_as(account_gone()))?
    }

    async fn line(&self, id: &str) -> DomainResult<Option<(CartLine, CartSummary)>> {
        let mut conn = self.conn().await?;
        let row: Option<(LineRow, CartRow)> = cart_items::table
            .inner_join(carts::table)
            .filter(cart_items::id.eq(id))
            .select((LineRow::as_select(), CartRow::as_select()))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(|(l, c)| (l.into(), c.into())))
    }

    async fn delete_line(&self, line: &CartLine, now: Timestamp) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            lock_cart(c, &line.cart_id).await?;
            diesel::delete(cart_items::table.find(&line.id))
                .execute(c)
                .await?;
            recount(c, &line.cart_id, now).await
        })
        .await?;
        Ok(())
    }
}
