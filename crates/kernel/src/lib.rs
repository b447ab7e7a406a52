//! Shared vocabulary of every CodiIt domain crate: the domain error, ids, time, user types,
//! paging and input validation helpers. Pure: no framework, database or runtime.

pub mod error;
pub mod id;
pub mod lenient;
pub mod paging;
pub mod patch;
pub mod testing;
pub mod text;
pub mod time;
pub mod user_type;

pub use error::{BoxError, DomainError, DomainResult, Violations};
pub use patch::Patch;
pub use time::{Clock, SystemClock, Timestamp};
pub use user_type::UserType;

/// A boxed future that ports use where the implementation is chosen at run time (`dyn`).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
