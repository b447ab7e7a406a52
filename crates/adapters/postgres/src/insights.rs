use crate::Database;
use crate::error::PgError;
use crate::schema::products;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use insights::{SalesFigures, TopProduct, Totals, Window};
use kernel::DomainResult;

/// The store's paid or shipped lines; cancelled orders drop out of every figure (§4.9).
const IN_SCOPE: &str = "FROM order_items oi JOIN orders o ON o.id = oi.order_id
    WHERE oi.store_id = $1 AND o.status IN ('CompletedPayment', 'Shipped')";

/// The per-window columns, as one JSON object (their number varies with the windows).
#[derive(QueryableByName)]
struct Figures {
    #[diesel(sql_type = Text)]
    figures: String,
}

#[derive(QueryableByName)]
struct Buckets {
    #[diesel(sql_type = BigInt)]
    b0: i64,
    #[diesel(sql_type = BigInt)]
    b1: i64,
    #[diesel(sql_type = BigInt)]
    b2: i64,
    #[diesel(sql_type = BigInt)]
    b3: i64,
    #[diesel(sql_type = BigInt)]
    b4: i64,
}

impl SalesFigures for Database {
    async fn totals(&self, store_id: &str, windows: &[Window]) -> DomainResult<Vec<Totals>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn().await?;
        // One pass over the store's lines since the earliest window, every window a FILTER.
        let mut columns = Vec::new();
        for (i, w) in windows.iter().enumerate() {
            let (from, to) = (2 + 2 * i, 3 + 2 * i);
            let op = if w.to_inclusive { "<=" } else { "<" };
            let cond = format!("o.created_at >= ${from} AND o.created_at {op} ${to}");
            columns.push(format!(
                "count(DISTINCT o.id) FILTER (WHERE {cond})::bigint AS o{i}"
            ));
            columns.push(format!(
                "COALESCE(SUM(oi.price * oi.quantity) FILTER (WHERE {cond}), 0)::bigint AS s{i}"
            ));
        }
        let earliest = 2 + 2 * windows.len();
        let sql = format!(
            "SELECT row_to_json(t)::text AS figures FROM (SELECT {} {IN_SCOPE} AND o.created_at >= ${earliest}) t",
            columns.join(", ")
        );
        let mut query = diesel::sql_query(sql)
            .into_boxed()
            .bind::<Text, _>(store_id.to_owned());
        for w in windows {
            query = query
                .bind::<Timestamptz, _>(w.from)
                .bind::<Timestamptz, _>(w.to);
        }
        let earliest_from = windows.iter().map(|w| w.from).min().unwrap_or_default();
        let row: Figures = query
            .bind::<Timestamptz, _>(earliest_from)
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let value: serde_json::Value = serde_json::from_str(&row.figures)
            .map_err(|e| kernel::DomainError::internal("dashboard figures", e))?;
        Ok((0..windows.len())
            .map(|i| Totals {
                orders: value[format!("o{i}")].as_i64().unwrap_or(0),
                sales: value[format!("s{i}")].as_i64().unwrap_or(0),
            })
            .collect())
    }

    async fn top_products(&self, store_id: &str) -> DomainResult<Vec<TopProduct>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, String, i64, i64)> = products::table
            .filter(products::store_id.eq(store_id))
            .filter(products::sales.gt(0))
            .order((
                products::sales.desc(),
                products::name.asc(),
                products::id.asc(),
            ))
            .limit(5)
            .select((
                products::id,
                products::name,
                products::price,
                products::sales,
            ))
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, price, sales)| TopProduct {
                id,
                name,
                price,
                sales,
            })
            .collect())
    }

    async fn price_buckets(&self, store_id: &str) -> DomainResult<[i64; 5]> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT
                COALESCE(SUM(oi.price * oi.quantity) FILTER (WHERE oi.price < 20000), 0)::bigint AS b0,
                COALESCE(SUM(oi.price * oi.quantity) FILTER (WHERE oi.price >= 20000 AND oi.price < 50000), 0)::bigint AS b1,
                COALESCE(SUM(oi.price * oi.quantity) FILTER (WHERE oi.price >= 50000 AND oi.price < 100000), 0)::bigint AS b2,
                COALESCE(SUM(oi.price * oi.quantity) FILTER (WHERE oi.price >= 100000 AND oi.price < 200000), 0)::bigint AS b3,
                COALESCE(SUM(oi.price * oi.quantity) FILTER (WHERE oi.price >= 200000), 0)::bigint AS b4
             {IN_SCOPE}"
        );
        let b: Buckets = diesel::sql_query(sql)
            .bind::<Text, _>(store_id)
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok([b.b0, b.b1, b.b2, b.b3, b.b4])
    }
}
