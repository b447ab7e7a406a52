//! SQL built at run time (optional filters) with its bind values.

use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Int4, Text, Timestamptz};
use kernel::Timestamp;

/// One bind value, of a dynamic query or of a fixed one (`crate::fixed`).
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    BigInt(i64),
    Int4(i32),
    Timestamptz(Timestamp),
    TextArray(Vec<String>),
    Int4Array(Vec<i32>),
    BigIntArray(Vec<i64>),
}

/// `sql` with `binds` attached in order (`$1`, `$2`, …).
pub(crate) fn bound<'a>(sql: String, binds: &[Bind]) -> BoxedSqlQuery<'a, Pg, SqlQuery> {
    let mut query = diesel::sql_query(sql).into_boxed();
    for bind in binds {
        query = match bind.clone() {
            Bind::Text(v) => query.bind::<Text, _>(v),
            Bind::BigInt(v) => query.bind::<BigInt, _>(v),
            Bind::Int4(v) => query.bind::<Int4, _>(v),
            Bind::Timestamptz(v) => query.bind::<Timestamptz, _>(v),
            Bind::TextArray(v) => query.bind::<Array<Text>, _>(v),
            Bind::Int4Array(v) => query.bind::<Array<Int4>, _>(v),
            Bind::BigIntArray(v) => query.bind::<Array<BigInt>, _>(v),
        };
    }
    query
}
