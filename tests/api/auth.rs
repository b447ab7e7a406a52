//! E1-E3 and the access-token rules of spec §0.3 and §4.1.

use api_tests::{PASSWORD, keys, spawn_app};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::join_all;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const BAD_CREDENTIALS: &str = "이메일 또는 비밀번호가 올바르지 않습니다.";
const INVALID_TOKEN: &str = "유효하지 않거나 만료된 토큰입니다.";
const INVALID_REFRESH: &str = "유효하지 않거나 만료된 리프레시 토큰입니다.";

fn sign(header: &Value, claims: &Value, secret: &str) -> String {
    let head = URL_SAFE_NO_PAD.encode(header.to_string());
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{head}.{body}").as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{head}.{body}.{sig}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_answers_201_with_user_token_and_refresh_cookie() {
    let app = spawn_app().await;
    app.signup("buyer@codiit.test", "BUYER").await;
    let r = app
        .post("/api/auth/login")
        .json(&json!({ "email": " Buyer@CODIIT.test ", "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(keys(&r.body), ["accessToken", "user"]);
    let user = &r.body["user"];
    assert_eq!(
        keys(user),
        [
            "createdAt",
            "email",
            "grade",
            "id",
            "image",
            "name",
            "points",
            "type",
            "updatedAt"
        ]
    );
    assert_eq!(user["email"], "buyer@codiit.test");
    assert_eq!(user["points"], 0);
    assert_eq!(
        user["grade"],
        json!({ "id": "grade_green", "name": "Green", "rate": 1, "minAmount": 0 })
    );

    let cookies = r.set_cookies();
    assert_eq!(cookies.len(), 1);
    let cookie = &cookies[0];
    let token = r.refresh_cookie().unwrap();
    assert!(token.len() >= 43, "at least 256 bits: {token}");
    assert_eq!(
        cookie,
        &format!("refreshToken={token}; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax")
    );

    // The refresh token is stored only as its SHA-256 hash.
    let stored: String = app
        .scalar(
            "SELECT token_hash FROM refresh_tokens WHERE user_id = $1",
            &[&user["id"].as_str().unwrap()],
        )
        .await;
    assert_eq!(stored.len(), 64);
    assert_ne!(stored, token);

    // The access token is an HS256 JWT with sub, type, iat and exp (1 h).
    let access = r.body["accessToken"].as_str().unwrap();
    let parts: Vec<&str> = access.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    assert_eq!(claims["sub"], user["id"]);
    assert_eq!(claims["type"], "BUYER");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let me = app.get("/api/users/me").bearer(access).send().await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], user["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_email_and_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    app.signup("a@codiit.test", "BUYER").await;
    let unknown = app
        .post("/api/auth/login")
        .json(&json!({ "email": "nobody@codiit.test", "password": PASSWORD }))
        .send()
        .await;
    let wrong = app
        .post("/api/auth/login")
        .json(&json!({ "email": "a@codiit.test", "password": "wrong-password" }))
        .send()
        .await;
    assert_eq!(unknown.error_message(401), BAD_CREDENTIALS);
    assert_eq!(wrong.error_message(401), BAD_CREDENTIALS);
    assert_eq!(unknown.body, wrong.body);
    assert!(unknown.set_cookies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_rejects_malformed_input_with_400() {
    let app = spawn_app().await;
    let cases = [
        json!({}),
        json!({ "email": "a@codiit.test" }),
        json!({ "email": "not-an-email", "password": PASSWORD }),
        json!({ "email": "a@codiit.test", "password": "" }),
        json!({ "email": "a@codiit.test", "password": 12345678 }),
        json!({ "email": ["a@codiit.test"], "password": PASSWORD }),
    ];
    for body in cases {
        let r = app.post("/api/auth/login").json(&body).send().await;
        let message = r.error_message(400);
        assert!(message.contains(':'), "{body}: {message}");
    }
    let malformed = app
        .post("/api/auth/login")
        .raw("application/json", "{\"email\": ")
        .send()
        .await;
    assert_eq!(malformed.error_message(400), "잘못된 요청 형식입니다.");
    let not_object = app
        .post("/api/auth/login")
        .raw("application/json", "[1,2]")
        .send()
        .await;
    assert_eq!(not_object.error_message(400), "잘못된 요청 형식입니다.");
    let form = app
        .post("/api/auth/login")
        .raw("application/x-www-form-urlencoded", "email=a&password=b")
        .send()
        .await;
    assert_eq!(form.error_message(400), "잘못된 요청 형식입니다.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_login_is_a_separate_session() {
    let app = spawn_app().await;
    let first = app.buyer().await;
    let second = app.login(&first.email, PASSWORD).await;
    assert_ne!(first.refresh_token, second.refresh_token);
    for session in [&first, &second] {
        let r = app
            .post("/api/auth/refresh")
            .cookie(&session.refresh_token)
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_the_cookie_and_issues_a_working_access_token() {
    let app = spawn_app().await;
    let s = app.seller().await;
    // The web client sends a JSON content type, `{}` and no Authorization; a stray one is ignored.
    let r = app
        .post("/api/auth/refresh")
        .cookie(&s.refresh_token)
        .header("Authorization", "Bearer garbage")
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.body), ["accessToken"]);
    let successor = r.refresh_cookie().unwrap();
    assert_ne!(successor, s.refresh_token);
    assert!(r.set_cookies()[0].contains("Max-Age=604800"));
    let me = app
        .get("/api/users/me")
        .bearer(r.body["accessToken"].as_str().unwrap())
        .send()
        .await;
    assert_eq!(me.body["type"], "SELLER");

    let rotated: i64 = app
        .scalar(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = $1 AND rotated_at IS NOT NULL AND successor_id IS NOT NULL",
            &[&s.id],
        )
        .await;
    assert_eq!(rotated, 1);
    // The successor rotates in turn.
    let next = app
        .post("/api/auth/refresh")
        .cookie(&successor)
        .send()
        .await;
    assert_eq!(next.status, 200);
    assert_ne!(next.refresh_cookie().unwrap(), successor);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_refreshes_with_one_cookie_share_one_successor() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    let responses = join_all((0..20).map(|_| {
        app.post("/api/auth/refresh")
            .cookie(&s.refresh_token)
            .send()
    }))
    .await;
    let successors: Vec<String> = responses
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text);
            r.refresh_cookie().unwrap()
        })
        .collect();
    assert!(
        successors.iter().all(|t| t == &successors[0]),
        "{successors:?}"
    );
    let rows: i64 = app
        .scalar(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = $1",
            &[&s.id],
        )
        .await;
    assert_eq!(rows, 2, "exactly one successor was created");
    let me = app
        .post("/api/auth/refresh")
        .cookie(&successors[0])
        .send()
        .await;
    assert_eq!(me.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_after_the_grace_window_is_refused_and_clears_the_cookie() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    assert_eq!(
        app.post("/api/auth/refresh")
            .cookie(&s.refresh_token)
            .send()
            .await
            .status,
        200
    );
    app.db
        .execute(
            "UPDATE refresh_tokens SET rotated_at = now() - interval '11 seconds' WHERE user_id = $1 AND rotated_at IS NOT NULL",
            &[&s.id],
        )
        .await
        .unwrap();
    let late = app
        .post("/api/auth/refresh")
        .cookie(&s.refresh_token)
        .send()
        .await;
    assert_eq!(late.error_message(401), INVALID_REFRESH);
    assert_eq!(
        late.set_cookies(),
        ["refreshToken=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_without_or_with_a_bad_cookie_is_401() {
    let app = spawn_app().await;
    let missing = app.post("/api/auth/refresh").send().await;
    assert_eq!(missing.error_message(401), "리프레시 토큰이 없습니다.");
    let empty = app
        .post("/api/auth/refresh")
        .header("Cookie", "refreshToken=")
        .send()
        .await;
    assert_eq!(empty.error_message(401), "리프레시 토큰이 없습니다.");
    let forged = app
        .post("/api/auth/refresh")
        .cookie("forged-token")
        .send()
        .await;
    assert_eq!(forged.error_message(401), INVALID_REFRESH);
    assert!(forged.set_cookies()[0].contains("Max-Age=0"));

    let s = app.buyer().await;
    app.db
        .execute(
            "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            &[&s.id],
        )
        .await
        .unwrap();
    let expired = app
        .post("/api/auth/refresh")
        .cookie(&s.refresh_token)
        .send()
        .await;
    assert_eq!(expired.error_message(401), INVALID_REFRESH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_every_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    let other = app.login(&s.email, PASSWORD).await;
    let r = app
        .post("/api/auth/logout")
        .as_user(&s)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({ "message": "성공적으로 로그아웃되었습니다." })
    );
    assert_eq!(
        r.set_cookies(),
        ["refreshToken=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"]
    );
    for token in [&s.refresh_token, &other.refresh_token] {
        let refresh = app.post("/api/auth/refresh").cookie(token).send().await;
        assert_eq!(refresh.error_message(401), INVALID_REFRESH);
    }
    // Access tokens are stateless and stay valid until they expire.
    assert_eq!(
        app.get("/api/users/me").as_user(&s).send().await.status,
        200
    );
    let anonymous = app.post("/api/auth/logout").send().await;
    assert_eq!(anonymous.error_message(401), "로그인이 필요합니다.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_tampered_expired_and_foreign_tokens_are_401() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    let now = chrono::Utc::now().timestamp();
    let hs256 = json!({ "alg": "HS256", "typ": "JWT" });
    let claims = |exp: i64| json!({ "sub": s.id, "type": "BUYER", "iat": now - 10, "exp": exp });

    let forged_secret = sign(
        &hs256,
        &claims(now + 600),
        "another-secret-0123456789abcdef0123",
    );
    let expired = sign(&hs256, &claims(now - 1), api_tests::JWT_SECRET);
    let none_alg = {
        let t = sign(
            &json!({ "alg": "none", "typ": "JWT" }),
            &claims(now + 600),
            api_tests::JWT_SECRET,
        );
        let mut parts: Vec<&str> = t.split('.').collect();
        parts[2] = "";
        parts.join(".")
    };
    let hs512 = {
        let head = URL_SAFE_NO_PAD.encode(json!({ "alg": "HS512", "typ": "JWT" }).to_string());
        let valid: Vec<&str> = s.access_token.split('.').collect();
        format!("{head}.{}.{}", valid[1], valid[2])
    };
    let tampered = {
        let valid: Vec<&str> = s.access_token.split('.').collect();
        let body = URL_SAFE_NO_PAD.encode(claims(now + 99_999).to_string());
        format!("{}.{body}.{}", valid[0], valid[2])
    };
    for token in [
        forged_secret,
        expired,
        none_alg,
        hs512,
        tampered,
        "garbage".into(),
    ] {
        let r = app.get("/api/users/me").bearer(&token).send().await;
        assert_eq!(r.error_message(401), INVALID_TOKEN, "{token}");
    }
    let valid = sign(&hs256, &claims(now + 600), api_tests::JWT_SECRET);
    assert_eq!(
        app.get("/api/users/me").bearer(&valid).send().await.status,
        200
    );
    // The scheme name is case-insensitive; other schemes are invalid.
    let lower = app
        .get("/api/users/me")
        .header("Authorization", &format!("bearer {}", s.access_token))
        .send()
        .await;
    assert_eq!(lower.status, 200);
    let basic = app
        .get("/api/users/me")
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await;
    assert_eq!(basic.error_message(401), INVALID_TOKEN);
    let missing = app.get("/api/users/me").send().await;
    assert_eq!(missing.error_message(401), "로그인이 필요합니다.");
}
