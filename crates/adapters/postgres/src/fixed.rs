//! Fixed SQL that each connection keeps prepared.
//!
//! `diesel::sql_query` marks every query unsafe to cache, so each run costs two round trips
//! (prepare, then execute) and a fresh parse in PostgreSQL. SQL that is fixed text (a literal,
//! a `const`, or a `static` built once) is as safe to cache as a query built with the DSL:
//! diesel-async keeps it prepared per connection, keyed by its text. Text built per request
//! from a bounded set of shapes is kept once (`interned`) and prepared the same way;
//! `load_planned` keeps such a statement prepared yet chooses how PostgreSQL plans its run.

use crate::db::PooledConnection;
use crate::dynamic::Bind;
use diesel::QueryResult;
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Int4, Text, Timestamptz, Untyped};
use diesel_async::RunQueryDsl;
use kernel::Timestamp;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

/// Rust values accepted for the SQL type `ST`, as `SqlQuery::bind::<ST, _>` accepts them.
pub(crate) trait BindAs<ST> {
    fn value(self) -> Bind;
}

macro_rules! bind_as {
    ($st:ty, $rust:ty, $variant:ident, $convert:expr) => {
        impl BindAs<$st> for $rust {
            fn value(self) -> Bind {
                Bind::$variant($convert(self))
            }
        }
    };
}
bind_as!(Text, String, Text, |v| v);
bind_as!(Text, &String, Text, |v: &String| v.clone());
bind_as!(Text, &str, Text, str::to_owned);
bind_as!(BigInt, i64, BigInt, |v| v);
bind_as!(Int4, i32, Int4, |v| v);
bind_as!(Timestamptz, Timestamp, Timestamptz, |v| v);
bind_as!(Array<Text>, Vec<String>, TextArray, |v| v);
bind_as!(Array<Text>, &Vec<String>, TextArray, |v: &Vec<String>| v
    .clone());
bind_as!(Array<Int4>, Vec<i32>, Int4Array, |v| v);
bind_as!(Array<BigInt>, Vec<i64>, BigIntArray, |v| v);

#[derive(Debug, Clone)]
pub(crate) struct FixedSql {
    sql: &'static str,
    binds: Vec<Bind>,
}

/// Like `diesel::sql_query`, for SQL fixed at compile time or start-up.
pub(crate) fn fixed_sql(sql: &'static str) -> FixedSql {
    FixedSql {
        sql,
        binds: Vec::new(),
    }
}

/// SQL text picked from a small, fixed set of shapes (a sort order times which optional
/// filters are present), kept for the life of the process so that it can be prepared like fixed
/// SQL. Only for text that never embeds a value: the set must stay bounded.
pub(crate) fn interned(sql: String) -> &'static str {
    static SHAPES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    let mut shapes = SHAPES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = shapes.get(sql.as_str()) {
        return known;
    }
    let kept: &'static str = Box::leak(sql.into_boxed_str());
    shapes.insert(kept);
    kept
}

/// SQL of a bounded set of shapes (see `interned`) with its bind values, kept prepared.
pub(crate) fn shaped(sql: String, binds: &[Bind]) -> FixedSql {
    FixedSql {
        sql: interned(sql),
        binds: binds.to_vec(),
    }
}

/// How PostgreSQL plans one run of a kept-prepared statement (`plan_cache_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanMode {
    /// A plan made for this run's values.
    PerRun,
    /// The statement's one generic plan, made once per connection, whatever the values.
    Generic,
}

/// Runs a kept-prepared query under `mode` and gives the connection back with its result.
///
/// Left to itself, PostgreSQL plans a prepared statement's first five runs for their values and
/// then keeps planning per run unless the generic plan is costed as cheaply: measured on the
/// benchmark dataset, a wide price band took 16 ms on the generic plan of a plain page against
/// 0.7 ms on its own, while a page that branches on the band's width at run time (see
/// `products::search_sql`) is costed dearer than any one run's plan although it runs as fast.
/// Sent unprepared, the query gets its own plan but costs a second round trip (prepare, then
/// execute). Here the statement stays prepared and is sent between `SET plan_cache_mode = ...`
/// and its `RESET`, all three pipelined: one round trip, the plan asked for. The three are
/// written in order: each takes the statement cache's lock in turn (a FIFO lock, held while a
/// statement is first prepared) and writes its request before giving the lock up. The `RESET`
/// runs even when the query fails, and a run abandoned before it (a cancelled request) resets
/// the connection on its own (`PlanModeSwitch`): no pooled connection keeps the mode.
pub(crate) async fn load_planned<U>(
    conn: PooledConnection,
    query: FixedSql,
    mode: PlanMode,
) -> (PooledConnection, QueryResult<Vec<U>>)
where
    U: QueryableByName<Pg> + Send + 'static,
{
    let set = match mode {
        PlanMode::PerRun => "SET plan_cache_mode = force_custom_plan",
        PlanMode::Generic => "SET plan_cache_mode = force_generic_plan",
    };
    let switch = PlanModeSwitch(Some(conn));
    let result = match switch.0.as_deref() {
        Some(conn) => {
            let (mut before, mut run, mut after) = (conn, conn, conn);
            let (set, rows, reset) = futures_util::join!(
                fixed_sql(set).execute(&mut before),
                query.load::<U>(&mut run),
                fixed_sql(RESET_PLAN_MODE).execute(&mut after),
            );
            set.and(rows).and_then(|rows| reset.map(|_| rows))
        }
        None => unreachable!("the switch holds the connection until it is finished"),
    };
    (switch.finish(), result)
}

const RESET_PLAN_MODE: &str = "RESET plan_cache_mode";

/// A pooled connection with `plan_cache_mode` switched for one query. Dropped before
/// `finish` (its run abandoned), it sends the `RESET` in a task of its own before going back to
/// the pool, as an abandoned order transaction rolls back (`orders::PgOrderTx`).
struct PlanModeSwitch(Option<PooledConnection>);

impl PlanModeSwitch {
    fn finish(mut self) -> PooledConnection {
        match self.0.take() {
            Some(conn) => conn,
            None => unreachable!("finished once"),
        }
    }
}

impl Drop for PlanModeSwitch {
    fn drop(&mut self) {
        if let Some(mut conn) = self.0.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(e) = fixed_sql(RESET_PLAN_MODE).execute(&mut *conn).await {
                    tracing::warn!(error = %e, "resetting an abandoned plan mode failed");
                }
            });
        }
    }
}

impl FixedSql {
    /// Binds `$1`, then `$2` on the next call, and so on, as `SqlQuery::bind` does.
    pub(crate) fn bind<ST, V: BindAs<ST>>(mut self, value: V) -> Self {
        self.binds.push(value.value());
        self
    }
}

/// The text between placeholders, and each placeholder's number: diesel writes its own
/// placeholder for every bind it is given, in order, so `$n` is replaced by bind n.
fn segments(sql: &str) -> impl Iterator<Item = (&str, Option<usize>)> {
    let mut rest = sql;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut from = 0;
        while let Some(at) = rest[from..].find('$').map(|i| i + from) {
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(rest.len() - at - 1, |n| n);
            if digits > 0 {
                let text = &rest[..at];
                let n = rest[at + 1..at + 1 + digits].parse().ok();
                rest = &rest[at + 1 + digits..];
                return Some((text, n));
            }
            from = at + 1;
        }
        let text = rest;
        rest = "";
        Some((text, None))
    })
}

impl QueryFragment<Pg> for FixedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (text, placeholder) in segments(self.sql) {
            out.push_sql(text);
            let Some(n) = placeholder else { continue };
            let value = n
                .checked_sub(1)
                .and_then(|i| self.binds.get(i))
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(format!("no bind for ${n}").into())
                })?;
            match value {
                Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Bind::BigInt(v) => out.push_bind_param::<BigInt, _>(v)?,
                Bind::Int4(v) => out.push_bind_param::<Int4, _>(v)?,
                Bind::Timestamptz(v) => out.push_bind_param::<Timestamptz, _>(v)?,
                Bind::TextArray(v) => out.push_bind_param::<Array<Text>, _>(v)?,
                Bind::Int4Array(v) => out.push_bind_param::<Array<Int4>, _>(v)?,
                Bind::BigIntArray(v) => out.push_bind_param::<Array<BigInt>, _>(v)?,
            }
        }
        Ok(())
    }
}

impl QueryId for FixedSql {
    type QueryId = ();
    // Cached by its text (and bind types), not by Rust type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for FixedSql {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_split_the_text() {
        let parts: Vec<_> =
            segments("UPDATE t SET a = $2 WHERE id = $1 AND b >= $2 RETURNING $").collect();
        assert_eq!(
            parts,
            vec![
                ("UPDATE t SET a = ", Some(2)),
                (" WHERE id = ", Some(1)),
                (" AND b >= ", Some(2)),
                (" RETURNING $", None),
            ]
        );
        assert_eq!(
            segments("SELECT 1").collect::<Vec<_>>(),
            vec![("SELECT 1", None)]
        );
        assert_eq!(segments("$1").collect::<Vec<_>>(), vec![("", Some(1))]);
    }

    #[test]
    fn interned_text_is_kept_once() {
        let a = interned("SELECT 1 -- interned_text_is_kept_once".to_owned());
        let b = interned("SELECT 1 -- interned_text_is_kept_once".to_owned());
        assert!(std::ptr::eq(a, b));
    }
}
