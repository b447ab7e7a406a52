use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use identity::RefreshTokens;
use sha2::{Digest, Sha256};

/// 256-bit random refresh tokens. A rotation's successor is `HMAC-SHA256(key, presented)`, so
/// every instance derives the same successor without storing plaintext (spec §4.1).
pub struct OpaqueRefreshTokens {
    successor_key: Vec<u8>,
}

impl OpaqueRefreshTokens {
    /// `secret` is the server secret; a labelled derivation keeps this key distinct from the
    /// access-token key.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            successor_key: hmac_sha256(secret, b"codiit refresh-token successor v1").to_vec(),
        }
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl RefreshTokens for OpaqueRefreshTokens {
    fn generate(&self) -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn hash(&self, token: &str) -> String {
        crate::hex(&Sha256::digest(token.as_bytes()))
    }

    fn successor_of(&self, token: &str) -> String {
        URL_SAFE_NO_PAD.encode(hmac_sha256(&self.successor_key, token.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hashed_and_successors_reproducible() {
        let a = OpaqueRefreshTokens::new(b"secret-one-secret-one-secret-one");
        let b = OpaqueRefreshTokens::new(b"secret-one-secret-one-secret-one");
        let t = a.generate();
        assert_eq!(t.len(), 43);
        assert_ne!(t, a.generate());
        assert_eq!(a.hash(&t).len(), 64);
        assert_eq!(
            a.hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(a.successor_of(&t), b.successor_of(&t));
        assert_ne!(a.successor_of(&t), t);
        let c = OpaqueRefreshTokens::new(b"another-secret-another-secret-xx");
        assert_ne!(a.successor_of(&t), c.successor_of(&t));
    }
}
