//! Product inquiries and seller replies (spec §2.5, §2.9, §4.10): secret-inquiry masking, the
//! author's edit window, deletion rights, one reply per inquiry, the reply-path id resolution,
//! and the notifications N1 / N2 written in the same transaction.

pub mod inquiry;
pub mod messages;
pub mod ports;
pub mod review;
pub mod service;

pub use inquiry::*;
pub use ports::{Inquiries, Reviews};
pub use review::{Review, ReviewDetail, ReviewableItem};
pub use service::Community;
