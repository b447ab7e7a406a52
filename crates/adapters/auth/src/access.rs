use identity::{AccessClaims, AccessTokens, User};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use kernel::{DomainError, DomainResult, Timestamp, UserType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(rename = "type")]
    user_type: UserType,
    iat: i64,
    exp: i64,
}

/// HS256 access tokens (spec §0.3). Expiry is checked against the injected clock.
pub struct JwtAccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl JwtAccessTokens {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Result<Self, jsonwebtoken::errors::Error> {
        // Only HS256 is accepted: `alg: none` and every other algorithm fail validation.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl_seconds,
        })
    }
}

impl AccessTokens for JwtAccessTokens {
    fn issue(&self, user: &User, now: Timestamp) -> DomainResult<String> {
        let claims = Claims {
            sub: user.id.clone(),
            user_type: user.user_type,
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_seconds,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| DomainError::internal("signing access token", e))
    }

    fn verify(&self, token: &str, now: Timestamp) -> Option<AccessClaims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        if data.claims.exp <= now.timestamp() {
            return None;
        }
        Some(AccessClaims {
            user_id: data.claims.sub,
            user_type: data.claims.user_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::{Duration, Utc};

    fn user() -> User {
        User {
            id: "u1".into(),
            name: "n".into(),
            email: "a@x.com".into(),
            user_type: UserType::Seller,
            image: "http://x/i.png".into(),
            points: 0,
            grade: loyalty::Grade {
                id: "grade_green".into(),
                name: "Green".into(),
                rate: 1,
                min_amount: 0,
            },
            cumulative_amount: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trips_and_expires() {
        let t = JwtAccessTokens::new(SECRET, 3600).unwrap();
        let now = Utc::now();
        let token = t.issue(&user(), now).unwrap();
        let claims = t.verify(&token, now).unwrap();
        assert_eq!(claims.user_id, "u1");
        assert_eq!(claims.user_type, UserType::Seller);
        assert!(t.verify(&token, now + Duration::seconds(3599)).is_some());
        assert!(t.verify(&token, now + Duration::seconds(3600)).is_none());
    }

    #[test]
    fn rejects_other_keys_tampering_and_alg_none() {
        let t = JwtAccessTokens::new(SECRET, 3600).unwrap();
        let now = Utc::now();
        let token = t.issue(&user(), now).unwrap();
        let other = JwtAccessTokens::new(b"another secret of thirty-two bytes!", 3600).unwrap();
        assert!(other.verify(&token, now).is_none());

        let parts: Vec<&str> = token.split('.').collect();
        let payload = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"admin","type":"SELLER","iat":{0},"exp":{1}}}"#,
            now.timestamp(),
            now.timestamp() + 60
        ));
        let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
        assert!(t.verify(&tampered, now).is_none());

        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            t.verify(&format!("{none_header}.{payload}."), now)
                .is_none()
        );
        assert!(t.verify("garbage", now).is_none());
    }
}
