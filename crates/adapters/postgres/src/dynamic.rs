//! SQL built at run time (optional filters) with its bind values.

use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Int4, Text};

/// One bind value of a dynamic query.
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Int4(i32),
}

impl From<&Bind> for crate::fixed::Value {
    fn from(bind: &Bind) -> Self {
        match bind {
            Bind::Text(s) => Self::Text(s.clone()),
            Bind::Int(i) => Self::BigInt(*i),
            Bind::Int4(i) => Self::Int4(*i),
        }
    }
}

/// `sql` with `binds` attached in order (`$1`, `$2`, …).
pub(crate) fn bound<'a>(sql: String, binds: &[Bind]) -> BoxedSqlQuery<'a, Pg, SqlQuery> {
    let mut query = diesel::sql_query(sql).into_boxed();
    for bind in binds {
        query = match bind {
            Bind::Text(s) => query.bind::<Text, _>(s.clone()),
            Bind::Int(i) => query.bind::<BigInt, _>(*i),
            Bind::Int4(i) => query.bind::<Int4, _>(*i),
        };
    }
    query
}
