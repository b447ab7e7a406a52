//! The order unit of work: primitives for `PlaceOrder` / `CancelOrder`, no rules. Every path
//! ends in an explicit commit or rollback, and a unit dropped unfinished (a cancelled request,
//! a panic) rolls back on its own, so no connection returns to the pool inside a transaction
//! still holding stock row locks.
//!
//! Writes whose results the order never reads (the order row, point moves, the cart, sales,
//! the grade, the kept response) are not sent on their own: they wait in `pending` and go out
//! pipelined with the next statement that has a result, or just before the commit, so a placed
//! order costs 8 round trips instead of 14. They still run in the order they were asked for,
//! on the same connection, in the same transaction; a failed one fails that next step.

use crate::Database;
use crate::db::PooledConnection;
use crate::error::PgError;
use crate::fixed::{FixedSql, fixed_sql};
use crate::notifications::emit;
use crate::reference::GradeRow;
use crate::schema::{idempotency_records, order_items, orders, payments};
use catalog::pricing::Discount;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, TransactionManager};
use kernel::paging::PageRequest;
use kernel::{DomainError, DomainResult, Timestamp};
use loyalty::Grade;
use ordering::ports::Claim;
use ordering::{
    LineInfo, LockedOrder, NewOrder, NewOrderItem, Order, OrderItem, OrderStatus, OrderStore,
    OrderTx, PLACED, Payment, PointReason, RecipientChanges, ReviewBrief,
};

type Tm = <AsyncPgConnection as AsyncConnection>::TransactionManager;

pub struct PgOrderTx {
    conn: Option<PooledConnection>,
    /// The transaction's timestamp, read with the buyer's lock (PostgreSQL's `now()` does not
    /// move within a transaction), so asking for it costs no round trip.
    now: Option<Timestamp>,
    /// Writes not sent yet, in the order they were asked for (see the module's comment).
    pending: Vec<FixedSql>,
}

/// At most this many statements go out in one batch (with the read behind them, one more in
/// its own future): `try_join_all` polls up to 30 futures in order (more go through an
/// unordered set), and each request is written when its future is first polled.
const BATCH: usize = 30;

/// `writes` in batches of at most `BATCH`, in order.
fn batches(writes: Vec<FixedSql>) -> Vec<Vec<FixedSql>> {
    let mut writes = writes.into_iter().peekable();
    let mut batches = Vec::new();
    while writes.peek().is_some() {
        batches.push(writes.by_ref().take(BATCH).collect());
    }
    batches
}

/// Sends `writes` pipelined, in order, and waits for all of them.
async fn run_in_order(conn: &AsyncPgConnection, writes: Vec<FixedSql>) -> QueryResult<()> {
    futures_util::future::try_join_all(writes.into_iter().map(|w| {
        let mut c = conn;
        async move { w.execute(&mut c).await }
    }))
    .await?;
    Ok(())
}

impl PgOrderTx {
    fn c(&mut self) -> Result<&mut AsyncPgConnection, PgError> {
        match self.conn.as_mut() {
            Some(conn) => Ok(&mut **conn),
            None => Err(PgError::Query(
                diesel::result::Error::BrokenTransactionManager,
            )),
        }
    }

    /// The connection, once every pending write has been sent and has succeeded.
    async fn ready(&mut self) -> Result<&mut AsyncPgConnection, PgError> {
        let pending = batches(std::mem::take(&mut self.pending));
        let conn = self.c()?;
        for batch in pending {
            run_in_order(conn, batch).await?;
        }
        Ok(conn)
    }

    /// Runs `query` pipelined behind the pending writes: one round trip for all.
    async fn load_after_pending<U>(&mut self, query: FixedSql) -> Result<Vec<U>, PgError>
    where
        U: QueryableByName<diesel::pg::Pg> + Send + 'static,
    {
        let mut pending = batches(std::mem::take(&mut self.pending));
        let last = pending.pop().unwrap_or_default();
        let conn: &AsyncPgConnection = self.c()?;
        for batch in pending {
            run_in_order(conn, batch).await?;
        }
        let mut c = conn;
        let (_, rows) = futures_util::try_join!(run_in_order(conn, last), query.load::<U>(&mut c))?;
        Ok(rows)
    }
}

impl Drop for PgOrderTx {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(e) = Tm::rollback_transaction(&mut *conn).await {
                    tracing::warn!(error = %e, "rolling back an abandoned order transaction failed");
                }
            });
        }
    }
}

#[derive(QueryableByName)]
struct Now {
    #[diesel(sql_type = Timestamptz)]
    now: Timestamp,
}

#[derive(QueryableByName)]
struct LockedBuyer {
    #[diesel(sql_type = BigInt)]
    points: i64,
    #[diesel(embed)]
    grade: GradeRow,
    #[diesel(sql_type = Timestamptz)]
    now: Timestamp,
}

#[derive(QueryableByName)]
struct GradeBasisRow {
    #[diesel(embed)]
    grade: GradeRow,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

#[derive(QueryableByName)]
struct Remaining {
    #[diesel(sql_type = Int4)]
    quantity: i32,
}

#[derive(QueryableByName)]
struct LineRow {
    #[diesel(sql_type = Nullable<Text>)]
    product_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    product_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    product_image: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    store_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    seller_id: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    price: Option<i64>,
    #[diesel(sql_type = Nullable<Int4>)]
    discount_rate: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    discount_start_time: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    discount_end_time: Option<Timestamp>,
    #[diesel(sql_type = Int4)]
    size_id: i32,
    #[diesel(sql_type = Text)]
    size_name: String,
    #[diesel(sql_type = Text)]
    size_en: String,
    #[diesel(sql_type = Text)]
    size_ko: String,
    #[diesel(sql_type = Bool)]
    sold_in_size: bool,
}

const LINES: &str = "
    SELECT p.id AS product_id, p.name AS product_name, p.image AS product_image,
           p.store_id, s.user_id AS seller_id, p.price, p.discount_rate, p.discount_start_time,
           p.discount_end_time, l.size_id, z.name AS size_name, z.en AS size_en, z.ko AS size_ko,
           (k.id IS NOT NULL) AS sold_in_size
    FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS l(product_id, size_id, ord)
    LEFT JOIN products p ON p.id = l.product_id
    LEFT JOIN stores s ON s.id = p.store_id
    JOIN sizes z ON z.id = l.size_id
    LEFT JOIN stocks k ON k.product_id = l.product_id AND k.size_id = l.size_id
    ORDER BY l.ord";

/// Only the user row is locked, never the shared grade row; and `FOR NO KEY UPDATE`, which
/// serialises the buyer's point changes (and waits out an account deletion) but, unlike
/// `FOR UPDATE`, lets other transactions reference the row: a notification to this buyer
/// (a foreign key check, key share) from an order that holds a stock this buyer's order wants
/// would otherwise wait on it, and the two orders would deadlock.
///
/// The user is locked alone, then joined to the grade: had the lock been taken over the join,
/// a transaction that waited for it while another order or cancellation changed the buyer's
/// grade would re-check the updated user against the old grade row, find no match, and see
/// no buyer at all.
const LOCK_BUYER: &str = "
    WITH u AS (SELECT points, grade_id FROM users WHERE id = $1 FOR NO KEY UPDATE)
    SELECT u.points, g.id, g.name, g.rate, g.min_amount, now() AS now
    FROM u JOIN grades g ON g.id = u.grade_id";

/// One statement for the order, its items (one array per column, in request order) and its
/// payment: the foreign keys are checked at the statement's end, when all three rows exist.
const INSERT_ORDER: &str = "
    WITH o AS (
        INSERT INTO orders (id, buyer_id, name, phone_number, address, subtotal, total_quantity,
                            use_point, earned_point, status, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
    ), i AS (
        INSERT INTO order_items (id, order_id, product_id, store_id, product_name, product_image,
                                 size_id, quantity, price, position, created_at, updated_at)
        SELECT l.id, $1, l.product_id, l.store_id, l.product_name, l.product_image, l.size_id,
               l.quantity, l.price, l.position, $11, $11
        FROM unnest($12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int[],
                    $18::int[], $19::bigint[], $20::int[])
             AS l(id, product_id, store_id, product_name, product_image, size_id, quantity, price,
                  position)
    )
    INSERT INTO payments (id, order_id, price, status, created_at, updated_at)
    VALUES ($21, $1, $22, $10, $11, $11)";

/// The balance and its ledger row, in one statement.
const MOVE_POINTS: &str = "
    WITH u AS (UPDATE users SET points = points + $3 WHERE id = $1 RETURNING id)
    INSERT INTO point_transactions (id, user_id, order_id, delta, reason)
    SELECT $4, u.id, $2, $3, $5 FROM u";

/// The grade table with the buyer's cumulative amount on every row.
const GRADE_BASIS: &str = "
    SELECT g.id, g.name, g.rate, g.min_amount,
           (SELECT COALESCE(SUM(subtotal), 0)::bigint FROM orders
            WHERE buyer_id = $1 AND status IN ('CompletedPayment', 'Shipped')) AS amount
    FROM grades g
    ORDER BY g.min_amount";

/// Product aggregates lose the reviews of this order's items (§4.5 step 5).
const FORGET_ORDER_REVIEWS: &str = "
    UPDATE products p SET
        reviews_count = p.reviews_count - r.cnt, reviews_sum = p.reviews_sum - r.total,
        rate1_count = p.rate1_count - r.c1, rate2_count = p.rate2_count - r.c2,
        rate3_count = p.rate3_count - r.c3, rate4_count = p.rate4_count - r.c4,
        rate5_count = p.rate5_count - r.c5
    FROM (
        SELECT rv.product_id, count(*)::int AS cnt, sum(rv.rating)::bigint AS total,
               (count(*) FILTER (WHERE rv.rating = 1))::int AS c1,
               (count(*) FILTER (WHERE rv.rating = 2))::int AS c2,
               (count(*) FILTER (WHERE rv.rating = 3))::int AS c3,
               (count(*) FILTER (WHERE rv.rating = 4))::int AS c4,
               (count(*) FILTER (WHERE rv.rating = 5))::int AS c5
        FROM reviews rv JOIN order_items oi ON oi.id = rv.order_item_id
        WHERE oi.order_id = $1 AND rv.product_id IS NOT NULL
        GROUP BY rv.product_id
    ) r
    WHERE p.id = r.product_id";

impl OrderTx for PgOrderTx {
    async fn lock_buyer(&mut self, buyer_id: &str) -> DomainResult<(i64, Grade)> {
        let c = self.ready().await?;
        let row: LockedBuyer = fixed_sql(LOCK_BUYER)
            .bind::<Text, _>(buyer_id)
            .get_result(c)
            .await
            .optional()
            .map_err(PgError::from)?
            // The account was deleted while this request ran.
            .ok_or_else(crate::error::account_gone)?;
        self.now = Some(row.now);
        Ok((row.points, row.grade.into()))
    }

    async fn claim_key(&mut self, buyer_id: &str, key: &str, hash: &str) -> DomainResult<Claim> {
        let c = self.ready().await?;
        let inserted = diesel::insert_into(idempotency_records::table)
            .values((
                idempotency_records::id.eq(kernel::id::new_id()),
                idempotency_records::user_id.eq(buyer_id),
                idempotency_records::key.eq(key),
                idempotency_records::request_hash.eq(hash),
            ))
            .on_conflict((idempotency_records::user_id, idempotency_records::key))
            .do_nothing()
            .execute(c)
            .await
            .map_err(PgError::from)?;
        if inserted == 1 {
            return Ok(Claim::Claimed);
        }
        let (request_hash, body): (String, Option<String>) = idempotency_records::table
            .filter(idempotency_records::user_id.eq(buyer_id))
            .filter(idempotency_records::key.eq(key))
            .select((
                idempotency_records::request_hash,
                idempotency_records::response_body,
            ))
            .first(c)
            .await
            .map_err(PgError::from)?;
        let response_body = body.ok_or_else(|| {
            DomainError::internal("idempotency", "a committed record without its response")
        })?;
        Ok(Claim::Existing {
            request_hash,
            response_body,
        })
    }

    async fn now(&mut self) -> DomainResult<Timestamp> {
        if let Some(now) = self.now {
            return Ok(now);
        }
        let c = self.ready().await?;
        let row: Now = fixed_sql("SELECT now() AS now")
            .get_result(c)
            .await
            .map_err(PgError::from)?;
        self.now = Some(row.now);
        Ok(row.now)
    }

    async fn lines(&mut self, lines: &[(String, i32)]) -> DomainResult<Vec<Option<LineInfo>>> {
        let c = self.ready().await?;
        let (ids, sizes): (Vec<String>, Vec<i32>) = lines.iter().cloned().unzip();
        let rows: Vec<LineRow> = fixed_sql(LINES)
            .bind::<Array<Text>, _>(ids)
            .bind::<Array<Int4>, _>(sizes)
            .load(c)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                Some(LineInfo {
                    product_id: r.product_id?,
                    product_name: r.product_name?,
                    product_image: r.product_image?,
                    store_id: r.store_id?,
                    seller_id: r.seller_id?,
                    price: r.price?,
                    discount: Discount {
                        rate: r.discount_rate?,
                        start: r.discount_start_time,
                        end: r.discount_end_time,
                    },
                    size_id: r.size_id,
                    size_name: r.size_name,
                    size_en: r.size_en,
                    size_ko: r.size_ko,
                    sold_in_size: r.sold_in_size,
                })
            })
            .collect())
    }

    async fn take_stock(
        &mut self,
        product_id: &str,
        size_id: i32,
        n: i32,
    ) -> DomainResult<Option<i32>> {
        let c = self.ready().await?;
        let row: Option<Remaining> = fixed_sql(
            "UPDATE stocks SET quantity = quantity - $3, updated_at = now()
             WHERE product_id = $1 AND size_id = $2 AND quantity >= $3 RETURNING quantity",
        )
        .bind::<Text, _>(product_id)
        .bind::<Int4, _>(size_id)
        .bind::<Int4, _>(n)
        .get_result(c)
        .await
        .optional()
        .map_err(PgError::from)?;
        Ok(row.map(|r| r.quantity))
    }

    async fn insert_order(&mut self, o: &NewOrder) -> DomainResult<()> {
        let column = |f: fn(&NewOrderItem) -> String| o.items.iter().map(f).collect::<Vec<_>>();
        let insert = fixed_sql(INSERT_ORDER)
            .bind::<Text, _>(&o.id)
            .bind::<Text, _>(&o.buyer_id)
            .bind::<Text, _>(&o.name)
            .bind::<Text, _>(&o.phone_number)
            .bind::<Text, _>(&o.address)
            .bind::<BigInt, _>(o.subtotal)
            .bind::<Int4, _>(o.total_quantity as i32)
            .bind::<BigInt, _>(o.use_point)
            .bind::<BigInt, _>(o.earned_point)
            .bind::<Text, _>(PLACED.as_str())
            .bind::<Timestamptz, _>(o.now)
            .bind::<Array<Text>, _>(column(|i| i.id.clone()))
            .bind::<Array<Text>, _>(column(|i| i.product_id.clone()))
            .bind::<Array<Text>, _>(column(|i| i.store_id.clone()))
            .bind::<Array<Text>, _>(column(|i| i.product_name.clone()))
            .bind::<Array<Text>, _>(column(|i| i.product_image.clone()))
            .bind::<Array<Int4>, _>(o.items.iter().map(|i| i.size_id).collect::<Vec<_>>())
            .bind::<Array<Int4>, _>(o.items.iter().map(|i| i.quantity).collect::<Vec<_>>())
            .bind::<Array<BigInt>, _>(o.items.iter().map(|i| i.price).collect::<Vec<_>>())
            .bind::<Array<Int4>, _>(o.items.iter().map(|i| i.position).collect::<Vec<_>>())
            .bind::<Text, _>(&o.payment_id)
            .bind::<BigInt, _>(o.paid());
        self.pending.push(insert);
        Ok(())
    }

    async fn move_points(
        &mut self,
        buyer_id: &str,
        order_id: &str,
        delta: i64,
        reason: PointReason,
    ) -> DomainResult<()> {
        self.pending.push(
            fixed_sql(MOVE_POINTS)
                .bind::<Text, _>(buyer_id)
                .bind::<Text, _>(order_id)
                .bind::<BigInt, _>(delta)
                .bind::<Text, _>(kernel::id::new_id())
                .bind::<Text, _>(reason.as_str()),
        );
        Ok(())
    }

    async fn clear_cart_lines(
        &mut self,
        buyer_id: &str,
        pairs: &[(String, i32)],
    ) -> DomainResult<()> {
        let (ids, sizes): (Vec<String>, Vec<i32>) = pairs.iter().cloned().unzip();
        // The cart before its lines, the order a product's deletion and a cart write take.
        self.pending.push(
            fixed_sql(
                "SELECT count(*) FROM (SELECT 1 FROM carts WHERE buyer_id = $1 FOR NO KEY UPDATE) locked",
            )
            .bind::<Text, _>(buyer_id),
        );
        // One statement, so that it needs no answer. The cart's total loses what it removes,
        // applied to the row as locked: a sum over the lines would be taken from the
        // statement's snapshot, which misses a product deletion committed while this waited
        // on the cart's row.
        self.pending.push(
            fixed_sql(
                "WITH removed AS (
                   DELETE FROM cart_items ci USING carts c, unnest($2::text[], $3::int[]) AS l(product_id, size_id)
                   WHERE ci.cart_id = c.id AND c.buyer_id = $1
                     AND ci.product_id = l.product_id AND ci.size_id = l.size_id
                   RETURNING ci.cart_id, ci.quantity)
                 UPDATE carts SET quantity = carts.quantity - (SELECT SUM(r.quantity) FROM removed r),
                                  updated_at = now()
                 WHERE id IN (SELECT cart_id FROM removed)",
            )
            .bind::<Text, _>(buyer_id)
            .bind::<Array<Text>, _>(ids)
            .bind::<Array<Int4>, _>(sizes),
        );
        Ok(())
    }

    async fn add_sales(&mut self, product_id: &str, delta: i64) -> DomainResult<()> {
        self.pending.push(
            fixed_sql("UPDATE products SET sales = GREATEST(0, sales + $2) WHERE id = $1")
                .bind::<Text, _>(product_id)
                .bind::<BigInt, _>(delta),
        );
        Ok(())
    }

    async fn grade_basis(&mut self, buyer_id: &str) -> DomainResult<(i64, Vec<Grade>)> {
        let rows: Vec<GradeBasisRow> = self
            .load_after_pending(fixed_sql(GRADE_BASIS).bind::<Text, _>(buyer_id))
            .await?;
        let amount = rows.as_slice().first().map_or(0, |r| r.amount);
        Ok((amount, rows.into_iter().map(|r| r.grade.into()).collect()))
    }

    async fn set_grade(
        &mut self,
        buyer_id: &str,
        cumulative: i64,
        grade_id: &str,
    ) -> DomainResult<()> {
        self.pending.push(
            fixed_sql(
                "UPDATE users SET cumulative_amount = $2, grade_id = $3, updated_at = now() WHERE id = $1",
            )
            .bind::<Text, _>(buyer_id)
            .bind::<BigInt, _>(cumulative)
            .bind::<Text, _>(grade_id),
        );
        Ok(())
    }

    async fn cart_holders(
        &mut self,
        product_id: &str,
        size_id: i32,
        except: &str,
    ) -> DomainResult<Vec<String>> {
        use crate::schema::{cart_items, carts};
        let c = self.ready().await?;
        Ok(cart_items::table
            .inner_join(carts::table)
            .filter(cart_items::product_id.eq(product_id))
            .filter(cart_items::size_id.eq(size_id))
            .filter(carts::buyer_id.ne(except))
            .select(carts::buyer_id)
            .distinct()
            .load(c)
            .await
            .map_err(PgError::from)?)
    }

    async fn emit(
        &mut self,
        notification: &::notifications::NewNotification,
    ) -> DomainResult<bool> {
        let c = self.ready().await?;
        Ok(emit(c, notification, chrono::Utc::now()).await?)
    }

    async fn store_response(
        &mut self,
        buyer_id: &str,
        key: &str,
        order_id: &str,
        body: &str,
    ) -> DomainResult<()> {
        self.pending.push(
            fixed_sql(
                "UPDATE idempotency_records SET order_id = $3, response_body = $4 \
                 WHERE user_id = $1 AND key = $2",
            )
            .bind::<Text, _>(buyer_id)
            .bind::<Text, _>(key)
            .bind::<Text, _>(order_id)
            .bind::<Text, _>(body),
        );
        Ok(())
    }

    async fn lock_order(&mut self, order_id: &str) -> DomainResult<Option<LockedOrder>> {
        let c = self.ready().await?;
        let row: Option<(String, Option<String>, String, i64, i64)> = orders::table
            .find(order_id)
            .select((
                orders::id,
                orders::buyer_id,
                orders::status,
                orders::use_point,
                orders::earned_point,
            ))
            .for_update()
            .first(c)
            .await
            .optional()
            .map_err(PgError::from)?;
        let Some((id, buyer_id, status, use_point, earned_point)) = row else {
            return Ok(None);
        };
        let items: Vec<(Option<String>, i32, i32)> = order_items::table
            .filter(order_items::order_id.eq(&id))
            .select((
                order_items::product_id,
                order_items::size_id,
                order_items::quantity,
            ))
            .load(c)
            .await
            .map_err(PgError::from)?;
        Ok(Some(LockedOrder {
            status: parse_status(&status)?,
            id,
            buyer_id,
            use_point,
            earned_point,
            items,
        }))
    }

    async fn restore_stocks(&mut self, lines: &[(String, i32, i32)], cap: i32) -> DomainResult<()> {
        let c = self.ready().await?;
        let (products, sizes, quantities): (Vec<String>, Vec<i32>, Vec<i32>) =
            lines.iter().cloned().collect();
        // The stock rows first, by a statement of their own: a deletion of one of the products
        // holds them, and once it commits, the upsert's snapshot no longer sees that product
        // and restores nothing for it. A single upsert would have seen it, waited, then
        // inserted a row for it and broken the foreign key. The key-share lock keeps a found
        // product until this commits.
        fixed_sql(
            "SELECT count(*) FROM (SELECT 1 FROM stocks k
               JOIN unnest($1::text[], $2::int[]) AS l(product_id, size_id)
                 ON k.product_id = l.product_id AND k.size_id = l.size_id
             ORDER BY k.product_id, k.size_id FOR UPDATE OF k) locked",
        )
        .bind::<Array<Text>, _>(&products)
        .bind::<Array<Int4>, _>(sizes.clone())
        .execute(c)
        .await
        .map_err(PgError::from)?;
        fixed_sql(
            "INSERT INTO stocks (product_id, size_id, quantity)
             SELECT p.id, l.size_id, LEAST(l.n, $4)
             FROM unnest($1::text[], $2::int[], $3::int[]) AS l(product_id, size_id, n)
             JOIN products p ON p.id = l.product_id
             ORDER BY p.id, l.size_id
             FOR KEY SHARE OF p
             ON CONFLICT (product_id, size_id)
             DO UPDATE SET quantity = LEAST(stocks.quantity + EXCLUDED.quantity, $4), updated_at = now()",
        )
        .bind::<Array<Text>, _>(products)
        .bind::<Array<Int4>, _>(sizes)
        .bind::<Array<Int4>, _>(quantities)
        .bind::<Int4, _>(cap)
        .execute(c)
        .await
        .map_err(PgError::from)?;
        Ok(())
    }

    async fn delete_reviews(&mut self, order_id: &str) -> DomainResult<()> {
        let c = self.ready().await?;
        fixed_sql(FORGET_ORDER_REVIEWS)
            .bind::<Text, _>(order_id)
            .execute(c)
            .await
            .map_err(PgError::from)?;
        fixed_sql(
            "DELETE FROM reviews rv USING order_items oi WHERE rv.order_item_id = oi.id AND oi.order_id = $1",
        )
        .bind::<Text, _>(order_id)
        .execute(c)
        .await
        .map_err(PgError::from)?;
        diesel::update(order_items::table.filter(order_items::order_id.eq(order_id)))
            .set(order_items::is_reviewed.eq(false))
            .execute(c)
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    async fn mark_cancelled(&mut self, order_id: &str, now: Timestamp) -> DomainResult<()> {
        let c = self.ready().await?;
        diesel::update(orders::table.find(order_id))
            .set((
                orders::status.eq(OrderStatus::Cancelled.as_str()),
                orders::updated_at.eq(now),
            ))
            .execute(c)
            .await
            .map_err(PgError::from)?;
        diesel::update(payments::table.filter(payments::order_id.eq(order_id)))
            .set((
                payments::status.eq("CancelledPayment"),
                payments::updated_at.eq(now),
            ))
            .execute(c)
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    async fn commit(mut self) -> DomainResult<()> {
        // A pending write that fails leaves the unit to roll back when dropped.
        self.ready().await?;
        let mut conn = self
            .conn
            .take()
            .ok_or_else(|| DomainError::internal("commit", "transaction already finished"))?;
        if let Err(e) = Tm::commit_transaction(&mut *conn).await {
            // A failed COMMIT leaves the transaction to roll back before the pool sees it.
            let _ = Tm::rollback_transaction(&mut *conn).await;
            return Err(PgError::from(e).into());
        }
        Ok(())
    }

    async fn rollback(mut self) -> DomainResult<()> {
        self.pending.clear();
        if let Some(mut conn) = self.conn.take() {
            Tm::rollback_transaction(&mut *conn)
                .await
                .map_err(PgError::from)?;
        }
        Ok(())
    }
}

fn parse_status(s: &str) -> DomainResult<OrderStatus> {
    OrderStatus::parse_stored(s)
        .ok_or_else(|| DomainError::internal("orders.status", format!("unknown status {s:?}")))
}

#[derive(Queryable)]
struct OrderRow {
    id: String,
    buyer_id: Option<String>,
    name: String,
    phone_number: String,
    address: String,
    subtotal: i64,
    total_quantity: i32,
    use_point: i64,
    earned_point: i64,
    status: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

#[derive(QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    order_id: String,
    #[diesel(sql_type = BigInt)]
    price: i64,
    #[diesel(sql_type = Int4)]
    quantity: i32,
    #[diesel(sql_type = Nullable<Text>)]
    product_id: Option<String>,
    #[diesel(sql_type = Text)]
    product_name: String,
    #[diesel(sql_type = Text)]
    product_image: String,
    #[diesel(sql_type = Bool)]
    is_reviewed: bool,
    #[diesel(sql_type = Int4)]
    size_id: i32,
    #[diesel(sql_type = Text)]
    en: String,
    #[diesel(sql_type = Text)]
    ko: String,
    #[diesel(sql_type = Nullable<Text>)]
    review_id: Option<String>,
    #[diesel(sql_type = Nullable<Int4>)]
    rating: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    review_content: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    review_created_at: Option<Timestamp>,
}

/// Orders with their items (request order), sizes, reviews and payment: three queries for any
/// number of orders.
async fn load_orders(c: &mut AsyncPgConnection, ids: Vec<String>) -> DomainResult<Vec<Order>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<OrderRow> = orders::table
        .filter(orders::id.eq_any(&ids))
        .select((
            orders::id,
            orders::buyer_id,
            orders::name,
            orders::phone_number,
            orders::address,
            orders::subtotal,
            orders::total_quantity,
            orders::use_point,
            orders::earned_point,
            orders::status,
            orders::created_at,
            orders::updated_at,
        ))
        .load(c)
        .await
        .map_err(PgError::from)?;
    let items: Vec<ItemRow> = fixed_sql(
        "SELECT oi.id, oi.order_id, oi.price, oi.quantity, oi.product_id, oi.product_name,
                oi.product_image, oi.is_reviewed, oi.size_id, z.en, z.ko,
                rv.id AS review_id, rv.rating, rv.content AS review_content, rv.created_at AS review_created_at
         FROM order_items oi JOIN sizes z ON z.id = oi.size_id
         LEFT JOIN reviews rv ON rv.order_item_id = oi.id
         WHERE oi.order_id = ANY($1) ORDER BY oi.order_id, oi.position",
    )
    .bind::<Array<Text>, _>(&ids)
    .load(c)
    .await
    .map_err(PgError::from)?;
    let pays: Vec<(String, String, i64, String, Timestamp, Timestamp)> = payments::table
        .filter(payments::order_id.eq_any(&ids))
        .select((
            payments::order_id,
            payments::id,
            payments::price,
            payments::status,
            payments::created_at,
            payments::updated_at,
        ))
        .load(c)
        .await
        .map_err(PgError::from)?;
    let mut orders = Vec::with_capacity(rows.len());
    for r in rows {
        let payment = pays
            .iter()
            .find(|p| p.0 == r.id)
            .map(|p| Payment {
                id: p.1.clone(),
                price: p.2,
                status: p.3.clone(),
                created_at: p.4,
                updated_at: p.5,
            })
            .ok_or_else(|| DomainError::internal("load order", "an order without its payment"))?;
        let order_items = items
            .iter()
            .filter(|i| i.order_id == r.id)
            .map(|i| OrderItem {
                id: i.id.clone(),
                price: i.price,
                quantity: i.quantity,
                product_id: i.product_id.clone(),
                product_name: i.product_name.clone(),
                product_image: i.product_image.clone(),
                is_reviewed: i.is_reviewed,
                size_id: i.size_id,
                size_en: i.en.clone(),
                size_ko: i.ko.clone(),
                review: match (
                    &i.review_id,
                    i.rating,
                    &i.review_content,
                    i.review_created_at,
                ) {
                    (Some(id), Some(rating), Some(content), Some(created_at)) => {
                        Some(ReviewBrief {
                            id: id.clone(),
                            rating,
                            content: content.clone(),
                            created_at,
                        })
                    }
                    _ => None,
                },
            })
            .collect();
        orders.push(Order {
            status: parse_status(&r.status)?,
            id: r.id,
            buyer_id: r.buyer_id,
            name: r.name,
            phone_number: r.phone_number,
            address: r.address,
            subtotal: r.subtotal,
            total_quantity: i64::from(r.total_quantity),
            use_point: r.use_point,
            earned_point: r.earned_point,
            created_at: r.created_at,
            updated_at: r.updated_at,
            items: order_items,
            payment,
        });
    }
    // Keep the order of `ids`.
    orders.sort_by_key(|o| ids.iter().position(|id| *id == o.id));
    Ok(orders)
}

impl OrderStore for Database {
    type Tx = PgOrderTx;

    async fn begin(&self) -> DomainResult<PgOrderTx> {
        let mut conn = self.conn().await?;
        Tm::begin_transaction(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(PgOrderTx {
            conn: Some(conn),
            now: None,
            pending: Vec::new(),
        })
    }

    async fn order(&self, id: &str) -> DomainResult<Option<Order>> {
        let mut conn = self.conn().await?;
        Ok(load_orders(&mut conn, vec![id.to_owned()]).await?.pop())
    }

    async fn orders_of(
        &self,
        buyer_id: &str,
        page: PageRequest,
        statuses: Option<Vec<OrderStatus>>,
    ) -> DomainResult<(Vec<Order>, i64)> {
        let mut conn = self.conn().await?;
        let names: Option<Vec<&str>> = statuses.map(|s| s.iter().map(|st| st.as_str()).collect());
        let filtered = || {
            let mut q = orders::table
                .filter(orders::buyer_id.eq(buyer_id.to_owned()))
                .into_boxed();
            if let Some(names) = &names {
                q = q.filter(orders::status.eq_any(names.clone()));
            }
            q
        };
        let total: i64 = filtered()
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let ids: Vec<String> = filtered()
            .order((orders::created_at.desc(), orders::id.desc()))
            .limit(page.size)
            .offset(page.offset())
            .select(orders::id)
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok((load_orders(&mut conn, ids).await?, total))
    }

    async fn update_recipient(
        &self,
        id: &str,
        changes: RecipientChanges,
        editable: &[OrderStatus],
        now: Timestamp,
    ) -> DomainResult<bool> {
        #[derive(AsChangeset)]
        #[diesel(table_name = orders)]
        struct Update {
            name: Option<String>,
            phone_number: Option<String>,
            address: Option<String>,
            updated_at: Timestamp,
        }
        let mut conn = self.conn().await?;
        let statuses: Vec<&str> = editable.iter().map(|s| s.as_str()).collect();
        let updated = diesel::update(
            orders::table
                .find(id)
                .filter(orders::status.eq_any(statuses)),
        )
        .set(Update {
            name: changes.name,
            phone_number: changes.phone_number,
            address: changes.address,
            updated_at: now,
        })
        .execute(&mut *conn)
        .await
        .map_err(PgError::from)?;
        Ok(updated == 1)
    }
}
