//! PostgreSQL adapter: Diesel schema, diesel-async repositories implementing the domain ports,
//! the connection pool and embedded migrations. Stores and loads; decides nothing.

mod db;
mod dynamic;
mod error;
mod inquiries;
mod notifications;
mod products;
mod reference;
pub mod schema;
mod sessions;
mod stores;
mod users;

pub use db::{Database, PoolSettings, run_migrations};
pub use error::PgError;
pub use notifications::{CHANNEL, ListenerEvent, listen};
pub use products::search_sql;
