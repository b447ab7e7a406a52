//! Black-box API tests: the real server against real PostgreSQL, one fresh database per test.

// A failed unwrap is a failed test here, which is the point.
#![allow(clippy::unwrap_used)]

mod auth;
mod cart;
mod dashboard;
mod demo;
mod http;
mod inquiries;
mod metadata;
mod notifications;
mod openapi;
mod ops;
mod orders;
mod product_list;
mod products;
mod reviews;
mod stores;
mod upload;
mod users;
