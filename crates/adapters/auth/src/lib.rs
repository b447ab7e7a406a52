//! Credentials adapters: bcrypt password hashing on the blocking pool, HS256 access tokens,
//! and opaque refresh tokens stored as SHA-256 hashes.

mod access;
mod password;
mod refresh;

pub use access::JwtAccessTokens;
pub use password::BcryptHasher;
pub use refresh::OpaqueRefreshTokens;

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xF) as usize] as char);
    }
    out
}
