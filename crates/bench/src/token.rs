//! Access tokens minted with the server's secret, so that opening 10,000 streams does not cost
//! 10,000 bcrypt verifications. The claims are the server's (adapter-auth `Claims`).

use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    #[serde(rename = "type")]
    user_type: &'a str,
    iat: i64,
    exp: i64,
}

pub struct Minter {
    key: jsonwebtoken::EncodingKey,
    now: i64,
}

impl Minter {
    pub fn new(secret: &str) -> Result<Self, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Ok(Self {
            key: jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())
                .map_err(|e| format!("the JWT secret: {e}"))?,
            now,
        })
    }

    fn mint(&self, user_id: &str, user_type: &str) -> Result<String, String> {
        let claims = Claims {
            sub: user_id,
            user_type,
            iat: self.now,
            exp: self.now + 3600,
        };
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &self.key)
            .map_err(|e| format!("minting a token: {e}"))
    }

    /// Bench buyers are `bench-buyer-1` … `bench-buyer-5000` (deploy/bench/dataset.sql).
    pub fn buyer(&self, n: usize) -> Result<String, String> {
        self.mint(&format!("bench-buyer-{n}"), "BUYER")
    }

    /// Bench sellers are `bench-seller-1` … `bench-seller-200`; seller n owns `bench-product-n`.
    pub fn seller(&self, n: usize) -> Result<String, String> {
        self.mint(&format!("bench-seller-{n}"), "SELLER")
    }
}

pub const BUYERS: usize = 5000;
pub const SELLERS: usize = 200;
