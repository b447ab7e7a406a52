//! Cart and orders (spec §2.6, §2.7, §4.4, §4.5): `PlaceOrder` and `CancelOrder` as the spec's
//! numbered steps against a unit-of-work port. The use cases own every rule (line validation,
//! order-time prices, canonical lock order, conditional stock decrements, points, idempotency,
//! grades, and which notifications an order emits); the storage adapter offers primitives.

pub mod cart;
pub mod messages;
pub mod model;
pub mod ports;
pub mod request;
pub mod service;

pub use model::*;
pub use ports::{Carts, OrderStore, OrderTx};
pub use service::{Ordering, Placed};
