use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserType {
    Buyer,
    Seller,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "BUYER",
            Self::Seller => "SELLER",
        }
    }

    /// Case-insensitive, as signup accepts it (spec E4).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("BUYER") {
            Some(Self::Buyer)
        } else if s.eq_ignore_ascii_case("SELLER") {
            Some(Self::Seller)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively() {
        assert_eq!(UserType::parse("seller"), Some(UserType::Seller));
        assert_eq!(UserType::parse("Buyer"), Some(UserType::Buyer));
        assert_eq!(UserType::parse("admin"), None);
        assert_eq!(UserType::Seller.as_str(), "SELLER");
    }
}
