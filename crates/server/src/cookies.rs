//! The `refreshToken` cookie (spec §0.3): written and read by hand, the attributes are few
//! and exact.

use crate::config::SameSite;
use actix_web::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse};

pub const NAME: &str = "refreshToken";

#[derive(Debug, Clone)]
pub struct RefreshCookie {
    pub max_age_seconds: i64,
    pub same_site: SameSite,
    pub secure: bool,
}

impl RefreshCookie {
    fn attributes(&self, max_age: i64) -> String {
        let mut s = format!(
            "; Path=/; Max-Age={max_age}; HttpOnly; SameSite={}",
            self.same_site.as_str()
        );
        if self.secure {
            s.push_str("; Secure");
        }
        s
    }

    /// `Set-Cookie` value carrying `token`.
    pub fn set(&self, token: &str) -> String {
        format!("{NAME}={token}{}", self.attributes(self.max_age_seconds))
    }

    /// `Set-Cookie` value that clears the cookie: same name, path, SameSite and Secure.
    pub fn clear(&self) -> String {
        format!("{NAME}={}", self.attributes(0))
    }

    /// The cookie's value in the request, if any.
    pub fn read(req: &HttpRequest) -> Option<String> {
        req.headers()
            .get_all(COOKIE)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == NAME)
            .map(|(_, value)| value.trim().trim_matches('"').to_owned())
    }
}

/// Adds a `Set-Cookie` header built by [`RefreshCookie`].
pub fn append(response: &mut HttpResponse, set_cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(set_cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn attributes_match_the_contract() {
        let c = RefreshCookie {
            max_age_seconds: 604_800,
            same_site: SameSite::Lax,
            secure: false,
        };
        assert_eq!(
            c.set("abc"),
            "refreshToken=abc; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            c.clear(),
            "refreshToken=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
        let secure = RefreshCookie {
            same_site: SameSite::None,
            secure: true,
            ..c
        };
        assert!(secure.clear().ends_with("SameSite=None; Secure"));
    }

    #[test]
    fn reads_the_cookie_among_others() {
        let req = TestRequest::default()
            .insert_header((COOKIE, "a=1; refreshToken=tok-en_1; b=2"))
            .to_http_request();
        assert_eq!(RefreshCookie::read(&req).as_deref(), Some("tok-en_1"));
        let none = TestRequest::default().to_http_request();
        assert_eq!(RefreshCookie::read(&none), None);
    }
}
