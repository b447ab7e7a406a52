//! The catalog: stores and favourites, products with per-size stock and timed discounts, the
//! product search, and reference data (sizes, categories). Spec §2.3, §2.4, §4.3, §4.6, §4.11,
//! §4.12, §5.

pub mod messages;
pub mod model;
pub mod ports;
pub mod pricing;
pub mod product;
pub mod query;
pub mod reference;
pub mod service;
pub mod store;

pub use model::*;
pub use ports::{Products, Stores};
pub use query::{ProductQuery, ProductSort};
pub use reference::{Category, Reference, ReferenceData, Size, SizeLabel};
pub use service::{Catalog, CatalogSettings};
