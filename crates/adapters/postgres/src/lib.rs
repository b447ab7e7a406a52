//! PostgreSQL adapter: Diesel schema, diesel-async repositories implementing the domain ports,
//! the connection pool and embedded migrations. Stores and loads; decides nothing.

mod carts;
mod db;
mod dynamic;
mod error;
mod fixed;
mod inquiries;
mod insights;
mod notifications;
mod orders;
mod products;
mod reference;
mod reviews;
pub mod schema;
mod sessions;
mod stores;
mod users;

pub use db::{Database, Planning, PoolSettings, PreparedStatement, run_migrations};
pub use error::PgError;
pub use notifications::{CHANNEL, ListenerEvent, ListenerProbe, listen, listen_probing};
pub use orders::PgOrderTx;
pub use products::search_sql;
