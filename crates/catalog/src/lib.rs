//! The catalog: sizes and categories (reference data, spec §1.2). Stores, products, stock and
//! price rules join this crate with the catalog capability.

pub mod reference;

pub use reference::{Category, Reference, ReferenceData, Size, SizeLabel};
