use crate::Database;
use crate::dynamic::{Bind, bound};
use crate::error::PgError;
use crate::fixed::{PlanMode, fixed_sql, load_planned, shaped};
use crate::notifications::emit;
use crate::schema::{products, stocks};
use ::notifications::NewNotification;
use catalog::pricing::Discount;
use catalog::query::ProductSearch;
use catalog::{
    Category, NewProduct, ProductChanges, ProductDetail, ProductSort, ProductSummary, Products,
    ReviewStats, SellerProduct, SoldOut, Stock,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use kernel::paging::PageRequest;
use kernel::{DomainResult, Timestamp};
use std::sync::LazyLock;

/// The columns of a product summary; `p` is the product, `s` its store.
const SUMMARY_COLUMNS: &str = "
    p.id, p.store_id, s.name AS store_name, s.user_id AS owner_id, p.name, p.image, p.price,
    p.discount_rate, p.discount_start_time, p.discount_end_time, p.sales,
    p.reviews_count, p.reviews_sum, p.rate1_count, p.rate2_count, p.rate3_count, p.rate4_count,
    p.rate5_count, p.created_at, p.updated_at, in_stock.product_id IS NULL AS is_sold_out";

/// What `is_sold_out` in `SUMMARY_COLUMNS` reads: one in-stock row of the product, if any. A
/// lateral join, not `NOT EXISTS` in the column list, which a plan made for many rows turns
/// into a hashed subplan over every stock row (38 ms on the bench data).
const IN_STOCK_JOIN: &str = "LEFT JOIN LATERAL (SELECT k.product_id FROM stocks k \
     WHERE k.product_id = p.id AND k.quantity > 0 LIMIT 1) in_stock ON true";

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    store_id: String,
    #[diesel(sql_type = Text)]
    store_name: String,
    #[diesel(sql_type = Text)]
    owner_id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    image: String,
    #[diesel(sql_type = BigInt)]
    price: i64,
    #[diesel(sql_type = Int4)]
    discount_rate: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    discount_start_time: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    discount_end_time: Option<Timestamp>,
    #[diesel(sql_type = BigInt)]
    sales: i64,
    #[diesel(sql_type = Int4)]
    reviews_count: i32,
    #[diesel(sql_type = BigInt)]
    reviews_sum: i64,
    #[diesel(sql_type = Int4)]
    rate1_count: i32,
    #[diesel(sql_type = Int4)]
    rate2_count: i32,
    #[diesel(sql_type = Int4)]
    rate3_count: i32,
    #[diesel(sql_type = Int4)]
    rate4_count: i32,
    #[diesel(sql_type = Int4)]
    rate5_count: i32,
    #[diesel(sql_type = Timestamptz)]
    created_at: Timestamp,
    #[diesel(sql_type = Timestamptz)]
    updated_at: Timestamp,
    #[diesel(sql_type = Bool)]
    is_sold_out: bool,
}

impl SummaryRow {
    fn into_summary(self) -> (ProductSummary, String) {
        let summary = ProductSummary {
            id: self.id,
            store_id: self.store_id,
            store_name: self.store_name,
            name: self.name,
            image: self.image,
            price: self.price,
            discount: Discount {
                rate: self.discount_rate,
                start: self.discount_start_time,
                end: self.discount_end_time,
            },
            sales: self.sales,
            reviews: ReviewStats {
                count: i64::from(self.reviews_count),
                sum: self.reviews_sum,
                by_rating: [
                    self.rate1_count,
                    self.rate2_count,
                    self.rate3_count,
                    self.rate4_count,
                    self.rate5_count,
                ]
                .map(i64::from),
            },
            is_sold_out: self.is_sold_out,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        (summary, self.owner_id)
    }
}

/// A product-list row: the summary, and the count of every match (the same on each row).
#[derive(QueryableByName)]
struct PageRow {
    #[diesel(embed)]
    summary: SummaryRow,
    #[diesel(sql_type = BigInt)]
    total_count: i64,
}

/// The product detail (E19) with its stock rows (as arrays, in size order, so that the detail
/// is one statement): fixed text, built once, kept prepared.
static DETAIL_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SUMMARY_COLUMNS}, p.content, p.category_id, c.name AS category_name, \
         st.stock_ids, st.size_ids, st.size_names, st.quantities \
         FROM products p JOIN stores s ON s.id = p.store_id \
         JOIN categories c ON c.id = p.category_id {IN_STOCK_JOIN} \
         CROSS JOIN LATERAL (SELECT \
           COALESCE(array_agg(t.id ORDER BY t.size_id), '{{}}') AS stock_ids, \
           COALESCE(array_agg(t.size_id ORDER BY t.size_id), '{{}}') AS size_ids, \
           COALESCE(array_agg(z.name ORDER BY t.size_id), '{{}}') AS size_names, \
           COALESCE(array_agg(t.quantity ORDER BY t.size_id), '{{}}') AS quantities \
           FROM stocks t JOIN sizes z ON z.id = t.size_id WHERE t.product_id = p.id) st \
         WHERE p.id = $1"
    )
});

#[derive(QueryableByName)]
struct DetailExtra {
    #[diesel(sql_type = Text)]
    content: String,
    #[diesel(sql_type = Text)]
    category_id: String,
    #[diesel(sql_type = Text)]
    category_name: String,
    #[diesel(sql_type = Array<Text>)]
    stock_ids: Vec<String>,
    #[diesel(sql_type = Array<Int4>)]
    size_ids: Vec<i32>,
    #[diesel(sql_type = Array<Text>)]
    size_names: Vec<String>,
    #[diesel(sql_type = Array<Int4>)]
    quantities: Vec<i32>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(Queryable)]
struct SellerProductRow {
    id: String,
    image: String,
    name: String,
    price: i64,
    stock: i64,
    discount_rate: i32,
    discount_start_time: Option<Timestamp>,
    discount_end_time: Option<Timestamp>,
    created_at: Timestamp,
}

#[derive(AsChangeset)]
#[diesel(table_name = products)]
struct ProductUpdate {
    category_id: Option<String>,
    name: Option<String>,
    content: Option<String>,
    image: Option<String>,
    price: Option<i64>,
    discount_rate: Option<i32>,
    // `Some(None)` writes NULL.
    discount_start_time: Option<Option<Timestamp>>,
    discount_end_time: Option<Option<Timestamp>>,
    updated_at: Timestamp,
}

fn order_by(sort: ProductSort) -> &'static str {
    match sort {
        ProductSort::Recent => "p.created_at DESC, p.id DESC",
        ProductSort::LowPrice => "p.price ASC, p.created_at DESC, p.id DESC",
        ProductSort::HighPrice => "p.price DESC, p.created_at DESC, p.id DESC",
        ProductSort::MostReviewed => "p.reviews_count DESC, p.created_at DESC, p.id DESC",
        ProductSort::HighRating => {
            "p.reviews_rating_x10 DESC, p.reviews_count DESC, p.created_at DESC, p.id DESC"
        }
        ProductSort::SalesRanking => "p.sales DESC, p.created_at DESC, p.id DESC",
    }
}

/// `%` and `_` are literal in the search text (§5).
fn like_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// The WHERE clause of a search and its binds, numbered from `$1`.
struct Filters {
    clause: String,
    binds: Vec<Bind>,
    /// The placeholder of the category name, if filtered by one.
    category: Option<String>,
    /// The text's match on the product name, if searched: `p.name ILIKE $n`.
    name_match: Option<String>,
}

fn filters(q: &ProductSearch) -> Filters {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    let mut category = None;
    let mut name_match = None;
    let next = |bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        format!("${}", binds.len())
    };
    if let Some(text) = &q.search {
        let n = next(Bind::Text(like_pattern(text)), &mut binds);
        let by_name = format!("p.name ILIKE {n}");
        // The matching stores are collected once (an InitPlan), so both halves of the OR are
        // index scans (trigram on the name, store_id) merged by a BitmapOr; a join with stores
        // filtered by the OR would test ILIKE against every product.
        clauses.push(format!(
            "({by_name} OR p.store_id = ANY (ARRAY(SELECT id FROM stores WHERE name ILIKE {n})))"
        ));
        name_match = Some(by_name);
    }
    if let Some(name) = &q.category_name {
        let n = next(Bind::Text(name.clone()), &mut binds);
        clauses.push(format!(
            "p.category_id = (SELECT id FROM categories WHERE name = {n})"
        ));
        category = Some(n);
    }
    if let Some(min) = q.price_min {
        let n = next(Bind::BigInt(min), &mut binds);
        clauses.push(format!("p.price >= {n}"));
    }
    if let Some(max) = q.price_max {
        let n = next(Bind::BigInt(max), &mut binds);
        clauses.push(format!("p.price <= {n}"));
    }
    if let Some(size) = q.size_id {
        let n = next(Bind::Int4(size), &mut binds);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM stocks z WHERE z.product_id = p.id AND z.size_id = {n})"
        ));
    }
    if let Some(store) = &q.store_id {
        let n = next(Bind::Text(store.clone()), &mut binds);
        clauses.push(format!("p.store_id = {n}"));
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    Filters {
        clause,
        binds,
        category,
        name_match,
    }
}

/// Whether the product exists (other repositories check it before their own work).
pub(crate) async fn product_exists(
    conn: &mut diesel_async::AsyncPgConnection,
    product_id: &str,
) -> Result<bool, PgError> {
    let found: Option<String> = products::table
        .find(product_id)
        .select(products::id)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// No text, price or size filter: at most a category and a store, whose selectivity hardly
/// depends on the value. Such lists can be counted from the counters (without a store) and
/// kept prepared.
fn only_equality_filters(q: &ProductSearch) -> bool {
    q.search.is_none() && q.price_min.is_none() && q.price_max.is_none() && q.size_id.is_none()
}

/// How PostgreSQL plans a list's statement (kept prepared in every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListPlanning {
    /// As PostgreSQL settles it: only equality filters, whose selectivity hardly depends on
    /// the value, so any plan it settles on is sound.
    Settled,
    /// A plan per run: a size filter, or a text too short for the trigram index, whose
    /// selectivity varies by orders of magnitude with the value ('%ab%' against '%zq%') and
    /// whose good plans (a sequential scan for the first) a page cannot branch between; and a
    /// band or text within a category or a store. There a generic plan, guessing a handful of
    /// matches, reads every product of the category by its index and sorts them even in the
    /// walking branch: the whole category for a page, where most of a big category matching
    /// needs a few dozen rows. (On the bench data, 2,857 products in a category, both run
    /// alike: 609 and 620 req/s for a wide band.)
    PerRun,
    /// One generic plan: a price band or a text the trigram index can search, and no other
    /// filter. The page branches at run time on the number of matches (see `search_sql`),
    /// except a band without text sorted by price, which the price index serves in order at
    /// any width. With the filters hidden from their indexes, the walk has no index to read
    /// but the sort's.
    Generic,
}

fn list_planning(q: &ProductSearch) -> ListPlanning {
    if only_equality_filters(q) {
        ListPlanning::Settled
    } else if q.size_id.is_none()
        && q.category_name.is_none()
        && q.store_id.is_none()
        && q.search.as_deref().is_none_or(trigram_searchable)
    {
        ListPlanning::Generic
    } else {
        ListPlanning::PerRun
    }
}

/// Whether the trigram index can find a text's matches: pg_trgm takes its trigrams from runs
/// of three or more letters or digits. For a shorter text ('%a%') the index would be read whole,
/// slower than the sequential scan a plan made for that text picks. Only ASCII letters and
/// digits count: which other characters pg_trgm takes as letters depends on the database's
/// locale (under `C`, every non-ASCII character splits words), so a text of Hangul alone keeps
/// a plan per run, right under any locale.
fn trigram_searchable(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if c.is_ascii_alphanumeric() {
            run + 1
        } else {
            0
        };
        run >= 3
    })
}

/// The SQL of one product-list page (which carries the count of all matches in a
/// `total_count` column) and of the count alone, with the number of filter binds (also used by
/// the tests to check the plans). The page size is written into the text (at most 100 sizes),
/// and a first page has no OFFSET: a statement kept prepared gets one generic plan only if
/// that plan is costed like the plans made for its values, and PostgreSQL costs a `LIMIT $n`
/// or `OFFSET $n` as a tenth of the table, so such a list would be planned on every request
/// (0.5 ms of planning for 0.15 ms of work). Later pages bind their offset (`$n + 1`).
pub fn search_sql(q: &ProductSearch) -> (String, String, usize) {
    let f = filters(q);
    let clause = &f.clause;
    let n = f.binds.len();
    let order = order_by(q.sort);
    // The products a sort's index holds: all of them, or the category's.
    let counted = match &f.category {
        Some(c) => format!(
            "SELECT COALESCE(sum(products), 0)::bigint AS count FROM product_counts \
             WHERE category_id = (SELECT id FROM categories WHERE name = {c})"
        ),
        None => "SELECT COALESCE(sum(products), 0)::bigint AS count FROM product_counts".into(),
    };
    // Without a filter, or with only a category, the count is kept by triggers
    // (migration product_counts): counting 20,000 products cost 5x the page itself.
    let count = if only_equality_filters(q) && q.store_id.is_none() {
        counted.clone()
    } else {
        format!("SELECT count(*) AS count FROM products p {clause}")
    };
    let size = q.page.size;
    let (offset, rows_walked) = if q.page.offset() > 0 {
        (
            format!(" OFFSET ${}", n + 1),
            // In numeric: an absurd page's offset (up to i64::MAX) would overflow a bigint.
            format!("({size} + ${}::numeric)", n + 1),
        )
    } else {
        (String::new(), size.to_string())
    };
    let by_price = matches!(q.sort, ProductSort::LowPrice | ProductSort::HighPrice);
    let page = if list_planning(q) == ListPlanning::Generic && (q.search.is_some() || !by_price) {
        // A text search, or a price band under a sort other than price, has two good plans, and
        // which one depends on how many products match, unknown to a generic plan: walk the
        // sort's index until a page of matches is found (about (offset + size) x all / matches
        // rows), or read every match by its own index (trigram, price) and sort them (matches
        // rows). The matches are counted first (that is the total anyway) and the page takes
        // the cheaper branch; the other one is never started (a one-time filter). One generic
        // plan serves every text and band: on the benchmark dataset, planning a page per run
        // cost PostgreSQL 700 µs a price band (against 420 µs for this plan's run) and 360 µs a
        // search (its run: 1 ms).
        // The walk hides the filters from their indexes, so that it keeps to the sort's index:
        // the text from the trigram index (as `IS TRUE`, which costs nothing per row, unlike
        // an expression on the name), and the band (`p.price ` appears in the clause only in
        // the band's two comparisons) from the price indexes, unless sorted by price, where
        // the price index walks the band in order.
        let mut walk = match &f.name_match {
            Some(m) => {
                debug_assert_eq!(clause.matches(m.as_str()).count(), 1, "{clause}");
                clause.replace(m.as_str(), &format!("({m}) IS TRUE"))
            }
            None => clause.clone(),
        };
        if !by_price {
            let band = usize::from(q.price_min.is_some()) + usize::from(q.price_max.is_some());
            debug_assert_eq!(clause.matches("p.price ").count(), band, "{clause}");
            walk = walk.replace("p.price ", "p.price + 0 ");
        }
        // The read of every match sits behind `OFFSET 0`, planned on its own, for the matches
        // alone: not walking the sort's index, which a generic plan's guess of the matches
        // might favour.
        format!(
            "WITH matches AS MATERIALIZED ({count}), \
             wide AS MATERIALIZED (SELECT matches.count::numeric * matches.count > {rows_walked} * ({counted}) \
             AS yes FROM matches) \
             SELECT {SUMMARY_COLUMNS}, (SELECT count FROM matches) AS total_count \
             FROM ((SELECT p.* FROM products p {walk} AND (SELECT yes FROM wide) \
             ORDER BY {order} LIMIT {size}{offset}) \
             UNION ALL (SELECT p.* FROM (SELECT * FROM products p {clause} \
             AND NOT (SELECT yes FROM wide) OFFSET 0) p \
             ORDER BY {order} LIMIT {size}{offset})) p \
             JOIN stores s ON s.id = p.store_id {IN_STOCK_JOIN} ORDER BY {order}"
        )
    } else {
        // The page is chosen first, by index, and only its rows get their store name and
        // sold-out flag: computed over the whole match set, the sold-out check would scan
        // every stock row. The count rides along as an uncorrelated subquery (run once, and
        // only when the page has a row), so a page costs one statement, not two.
        format!(
            "SELECT {SUMMARY_COLUMNS}, ({count}) AS total_count \
             FROM (SELECT p.* FROM products p {clause} ORDER BY {order} \
             LIMIT {size}{offset}) p JOIN stores s ON s.id = p.store_id {IN_STOCK_JOIN} \
             ORDER BY {order}"
        )
    };
    (page, count, n)
}

impl Products for Database {
    async fn create(&self, new: NewProduct) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            diesel::insert_into(products::table)
                .values((
                    products::id.eq(&new.id),
                    products::store_id.eq(&new.store_id),
                    products::category_id.eq(&new.category_id),
                    products::name.eq(&new.name),
                    products::content.eq(&new.content),
                    products::image.eq(&new.image),
                    products::price.eq(new.price),
                    products::discount_rate.eq(new.discount.rate),
                    products::discount_start_time.eq(new.discount.start),
                    products::discount_end_time.eq(new.discount.end),
                    products::created_at.eq(new.now),
                    products::updated_at.eq(new.now),
                ))
                .execute(c)
                .await?;
            let rows: Vec<_> = new
                .stocks
                .iter()
                .map(|line| {
                    (
                        stocks::id.eq(kernel::id::new_id()),
                        stocks::product_id.eq(&new.id),
                        stocks::size_id.eq(line.size_id),
                        stocks::quantity.eq(line.quantity),
                        stocks::created_at.eq(new.now),
                        stocks::updated_at.eq(new.now),
                    )
                })
                .collect();
            diesel::insert_into(stocks::table)
                .values(&rows)
                .execute(c)
                .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn detail(&self, id: &str) -> DomainResult<Option<ProductDetail>> {
        let mut conn = self.conn().await?;
        let row: Option<(SummaryRow, DetailExtra)> = fixed_sql(&DETAIL_SQL)
            .bind::<Text, _>(id)
            .get_result::<SummaryAndDetail>(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?
            .map(|r| (r.summary, r.extra));
        let Some((summary, extra)) = row else {
            return Ok(None);
        };
        let (summary, owner_id) = summary.into_summary();
        let stocks = extra
            .stock_ids
            .into_iter()
            .zip(extra.size_ids)
            .zip(extra.size_names)
            .zip(extra.quantities)
            .map(|(((id, size_id), size_name), quantity)| Stock {
                id,
                product_id: summary.id.clone(),
                size_id,
                size_name,
                quantity,
            })
            .collect();
        Ok(Some(ProductDetail {
            stocks,
            summary,
            owner_id,
            content: extra.content,
            category: Category {
                id: extra.category_id,
                name: extra.category_name,
            },
        }))
    }

    async fn update(
        &self,
        id: &str,
        changes: ProductChanges,
        now: Timestamp,
        on_sold_out: impl Fn(&SoldOut) -> Vec<NewNotification> + Send + Sync,
    ) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            // Lock the stock rows first: orders decrement them concurrently, and "from > 0"
            // must be judged on the quantities this edit replaces.
            let before: Vec<(i32, i32)> = if changes.stocks.is_some() {
                stocks::table
                    .filter(stocks::product_id.eq(id))
                    .select((stocks::size_id, stocks::quantity))
                    .order(stocks::size_id)
                    .for_update()
                    .load(c)
                    .await?
            } else {
                Vec::new()
            };
            if let Some(lines) = &changes.stocks {
                let sizes: Vec<i32> = lines.iter().map(|l| l.size_id).collect();
                diesel::delete(
                    stocks::table
                        .filter(stocks::product_id.eq(id))
                        .filter(stocks::size_id.ne_all(&sizes)),
                )
                .execute(c)
                .await?;
                let mut sorted: Vec<_> = lines.iter().collect();
                sorted.sort_by_key(|l| l.size_id);
                let rows: Vec<_> = sorted
                    .into_iter()
                    .map(|line| {
                        (
                            stocks::id.eq(kernel::id::new_id()),
                            stocks::product_id.eq(id),
                            stocks::size_id.eq(line.size_id),
                            stocks::quantity.eq(line.quantity),
                            stocks::created_at.eq(now),
                            stocks::updated_at.eq(now),
                        )
                    })
                    .collect();
                diesel::insert_into(stocks::table)
                    .values(&rows)
                    .on_conflict((stocks::product_id, stocks::size_id))
                    .do_update()
                    .set((
                        stocks::quantity.eq(diesel::upsert::excluded(stocks::quantity)),
                        stocks::updated_at.eq(now),
                    ))
                    .execute(c)
                    .await?;
            }
            // The product row after its stock rows, the order orders take them in.
            let discount = changes.discount;
            diesel::update(products::table.find(id))
                .set(ProductUpdate {
                    category_id: changes.category_id.clone(),
                    name: changes.name.clone(),
                    content: changes.content.clone(),
                    image: changes.image.clone(),
                    price: changes.price,
                    discount_rate: discount.map(|d| d.rate),
                    discount_start_time: discount.map(|d| d.start),
                    discount_end_time: discount.map(|d| d.end),
                    updated_at: now,
                })
                .execute(c)
                .await?;
            if let Some(lines) = &changes.stocks {
                let sold_out: Vec<i32> = lines
                    .iter()
                    .filter(|l| l.quantity == 0)
                    .filter(|l| before.iter().any(|(size, q)| *size == l.size_id && *q > 0))
                    .map(|l| l.size_id)
                    .collect();
                let mut outbox = Vec::new();
                for size_id in sold_out {
                    let event = sold_out_event(c, id, size_id).await?;
                    outbox.extend(on_sold_out(&event));
                }
                // One order of recipients for every writer, so cursor row locks cannot deadlock.
                outbox.sort_by(|a, b| a.recipient.cmp(&b.recipient));
                for n in &outbox {
                    emit(c, n, now).await?;
                }
            }
            Ok(())
        })
        .await
        // Deleted by its seller meanwhile: a new stock row's foreign key found it gone.
        .map_err(|e| e.or_gone(catalog::messages::PRODUCT_NOT_FOUND))?;
        Ok(())
    }

    async fn delete(&self, id: &str) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            release(c, vec![id.to_owned()]).await?;
            // Stocks, inquiries (with replies) cascade; order items, reviews and notifications
            // keep their rows with a null reference (§1.4).
            diesel::delete(products::table.find(id)).execute(c).await?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn of_store(
        &self,
        store_id: &str,
        page: PageRequest,
    ) -> DomainResult<(Vec<SellerProduct>, i64)> {
        let mut conn = self.conn().await?;
        let total: i64 = products::table
            .filter(products::store_id.eq(store_id))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let stock_sum = diesel::dsl::sql::<BigInt>(
            "(SELECT COALESCE(SUM(k.quantity), 0)::bigint FROM stocks k WHERE k.product_id = products.id)",
        );
        let rows: Vec<SellerProductRow> = products::table
            .filter(products::store_id.eq(store_id))
            .order((products::created_at.desc(), products::id.desc()))
            .limit(page.size)
            .offset(page.offset())
            .select((
                products::id,
                products::image,
                products::name,
                products::price,
                stock_sum,
                products::discount_rate,
                products::discount_start_time,
                products::discount_end_time,
                products::created_at,
            ))
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let list = rows
            .into_iter()
            .map(|r| SellerProduct {
                id: r.id,
                image: r.image,
                name: r.name,
                price: r.price,
                stock: r.stock,
                discount: Discount {
                    rate: r.discount_rate,
                    start: r.discount_start_time,
                    end: r.discount_end_time,
                },
                created_at: r.created_at,
            })
            .collect();
        Ok((list, total))
    }

    async fn search(&self, q: &ProductSearch) -> DomainResult<(Vec<ProductSummary>, i64)> {
        let conn = self.conn().await?;
        let (page_sql, count_sql, _) = search_sql(q);
        let binds = filters(q).binds;
        let mut page = shaped(page_sql, &binds);
        if q.page.offset() > 0 {
            page = page.bind::<BigInt, _>(q.page.offset());
        }
        // Every shape of this SQL is kept prepared; `list_planning` says how it is planned.
        let (mut conn, rows) = match list_planning(q) {
            ListPlanning::Settled => {
                let mut conn = conn;
                let rows = page.load(&mut *conn).await;
                (conn, rows)
            }
            ListPlanning::PerRun => load_planned(conn, page, PlanMode::PerRun).await,
            ListPlanning::Generic => load_planned(conn, page, PlanMode::Generic).await,
        };
        let rows: Vec<PageRow> = rows.map_err(PgError::from)?;
        let total = match rows.as_slice().first() {
            Some(row) => row.total_count,
            // An empty first page means no match; past the end, the count is asked alone.
            None if q.page.page == 1 => 0,
            None => {
                bound(count_sql, &binds)
                    .get_result::<Count>(&mut *conn)
                    .await
                    .map_err(PgError::from)?
                    .count
            }
        };
        Ok((
            rows.into_iter()
                .map(|r| r.summary.into_summary().0)
                .collect(),
            total,
        ))
    }
}

/// The sold-out size with the product's current name and every buyer holding it in a cart.
async fn sold_out_event(
    c: &mut diesel_async::AsyncPgConnection,
    product_id: &str,
    size_id: i32,
) -> Result<SoldOut, PgError> {
    use crate::schema::{cart_items, carts, sizes};
    let product_name: String = products::table
        .find(product_id)
        .select(products::name)
        .first(c)
        .await?;
    let size_name: String = sizes::table
        .find(size_id)
        .select(sizes::name)
        .first(c)
        .await?;
    let cart_holders: Vec<String> = cart_items::table
        .inner_join(carts::table)
        .filter(cart_items::product_id.eq(product_id))
        .filter(cart_items::size_id.eq(size_id))
        .select(carts::buyer_id)
        .distinct()
        .load(c)
        .await?;
    Ok(SoldOut {
        product_id: product_id.to_owned(),
        product_name,
        size_id,
        size_name,
        cart_holders,
    })
}

#[derive(QueryableByName)]
struct SummaryAndDetail {
    #[diesel(embed)]
    summary: SummaryRow,
    #[diesel(embed)]
    extra: DetailExtra,
}

/// Readies products for deletion, inside the deleting transaction. Locks, each kind sorted:
/// - their stock rows, in the order orders take them (product, size), before the product rows:
///   an order holding a stock row next needs the product's row, so taking the product first
///   would deadlock with it;
/// - the product rows: from here no cart line or stock row for them can be added (its foreign
///   key check waits), and one being added has committed;
/// - the carts holding them, so two deletions sharing carts take them in one order.
///
/// Then deletes those cart lines and takes their quantities off `Cart.quantity` (the cached Σ
/// of §1.3), which the cascade would leave as it was.
pub(crate) async fn release(
    c: &mut diesel_async::AsyncPgConnection,
    product_ids: Vec<String>,
) -> Result<(), PgError> {
    // A stock row committed while the first lock waited (an edit adding a size, a cancel
    // restoring one) escaped it, and an order may hold it and wait for the product: waiting
    // for it with the products locked would close a cycle. So once the products are locked
    // the stock rows are counted again, skipping those locked by others; if any is, every
    // lock taken here is given back (a savepoint) and taken again after a pause. Orders hold
    // a stock row for milliseconds; the tries are capped (each leaves a subtransaction), and
    // past the cap PostgreSQL's deadlock detection settles the rare remaining case.
    if product_ids.is_empty() {
        return Ok(());
    }
    for attempt in 1u64.. {
        let all_held = c
            .transaction::<_, PgError, _>(async |c| {
                for lock in [
                    "SELECT count(*) FROM (SELECT 1 FROM stocks WHERE product_id = ANY($1)
                     ORDER BY product_id, size_id FOR UPDATE) locked",
                    "SELECT count(*) FROM (SELECT 1 FROM products WHERE id = ANY($1)
                     ORDER BY id FOR UPDATE) locked",
                ] {
                    fixed_sql(lock)
                        .bind::<Array<Text>, _>(&product_ids)
                        .execute(c)
                        .await?;
                }
                let unheld: Count = fixed_sql(
                    "SELECT (SELECT count(*) FROM stocks WHERE product_id = ANY($1))
                          - (SELECT count(*) FROM (SELECT 1 FROM stocks WHERE product_id = ANY($1)
                             ORDER BY product_id, size_id FOR UPDATE SKIP LOCKED) held) AS count",
                )
                .bind::<Array<Text>, _>(&product_ids)
                .get_result(c)
                .await?;
                if unheld.count > 0 && attempt < 20 {
                    return Err(PgError::Query(diesel::result::Error::RollbackTransaction));
                }
                Ok(unheld.count == 0)
            })
            .await;
        match all_held {
            Err(PgError::Query(diesel::result::Error::RollbackTransaction)) => {
                tokio::time::sleep(std::time::Duration::from_millis(2 * attempt)).await;
            }
            other => {
                other?;
                break;
            }
        }
    }
    fixed_sql(
        "SELECT count(*) FROM (SELECT 1 FROM carts WHERE id IN
           (SELECT cart_id FROM cart_items WHERE product_id = ANY($1))
         ORDER BY id FOR NO KEY UPDATE) locked",
    )
    .bind::<Array<Text>, _>(&product_ids)
    .execute(c)
    .await?;
    fixed_sql(
        "WITH gone AS (DELETE FROM cart_items WHERE product_id = ANY($1) RETURNING cart_id, quantity)
         UPDATE carts c SET quantity = c.quantity - g.quantity
         FROM (SELECT cart_id, SUM(quantity)::int AS quantity FROM gone GROUP BY cart_id) g
         WHERE c.id = g.cart_id",
    )
    .bind::<Array<Text>, _>(&product_ids)
    .execute(c)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_literal() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn only_three_ascii_letters_or_digits_in_a_row_reach_the_trigram_index() {
        for text in ["linen", "duct 77", "a-b-c1x9", "니트 wool"] {
            assert!(trigram_searchable(text), "{text}");
        }
        for text in ["77", "a b c", "a-b-c", "니트 스커트", "ab%_"] {
            assert!(!trigram_searchable(text), "{text}");
        }
    }
}
