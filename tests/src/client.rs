//! Typed request helpers and user factories.

use crate::{PASSWORD, TestApp};
use reqwest::Method;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// The `Set-Cookie` header values.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The `refreshToken` value set by this response, if any.
    pub fn refresh_cookie(&self) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            c.strip_prefix("refreshToken=")
                .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts the contract's error body and returns its message.
    #[track_caller]
    pub fn error_message(&self, status: u16) -> String {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        let obj = self.body.as_object().expect("error body is an object");
        assert_eq!(
            obj.len(),
            3,
            "error body has exactly three keys: {}",
            self.text
        );
        assert_eq!(self.body["statusCode"], json!(status));
        assert!(self.body["error"].is_string());
        self.body["message"]
            .as_str()
            .expect("message is a string")
            .to_owned()
    }
}

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
    pub user: Value,
}

pub struct Request<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

impl Request<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn as_user(self, session: &Session) -> Self {
        let token = session.access_token.clone();
        self.bearer(&token)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn cookie(self, refresh_token: &str) -> Self {
        let value = format!("refreshToken={refresh_token}");
        self.header("Cookie", &value)
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.header("Content-Type", content_type).body(body);
        self
    }

    pub fn multipart(mut self, form: reqwest::multipart::Form) -> Self {
        self.builder = self.builder.multipart(form);
        self
    }

    pub async fn send(self) -> Resp {
        let _ = self.app;
        let response = self
            .builder
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> Request<'_> {
        Request {
            app: self,
            builder: self.http.request(method, format!("{}{path}", self.base)),
        }
    }

    pub fn get(&self, path: &str) -> Request<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Request<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Request<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Request<'_> {
        self.request(Method::DELETE, path)
    }

    /// Signs up a user of `user_type` ("BUYER"/"SELLER") and returns the response body.
    pub async fn signup(&self, email: &str, user_type: &str) -> Value {
        let r = self
            .post("/api/users")
            .json(&json!({ "name": "테스트", "email": email, "password": PASSWORD, "type": user_type }))
            .send()
            .await;
        assert_eq!(r.status, 201, "signup failed: {}", r.text);
        r.body
    }

    pub async fn login(&self, email: &str, password: &str) -> Session {
        let r = self
            .post("/api/auth/login")
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await;
        assert_eq!(r.status, 201, "login failed: {}", r.text);
        Session {
            id: r.body["user"]["id"].as_str().expect("user id").to_owned(),
            email: email.to_owned(),
            access_token: r.body["accessToken"].as_str().expect("token").to_owned(),
            refresh_token: r.refresh_cookie().expect("refresh cookie"),
            user: r.body["user"].clone(),
        }
    }

    /// A new, logged-in user of `user_type` with a unique email.
    pub async fn user(&self, user_type: &str) -> Session {
        let email = format!(
            "{}-{}@codiit.test",
            user_type.to_lowercase(),
            kernel::id::random_suffix(8)
        );
        self.signup(&email, user_type).await;
        self.login(&email, PASSWORD).await
    }

    pub async fn buyer(&self) -> Session {
        self.user("BUYER").await
    }

    pub async fn seller(&self) -> Session {
        self.user("SELLER").await
    }

    /// One value from this test's database.
    pub async fn scalar<T>(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> T
    where
        T: for<'a> tokio_postgres::types::FromSql<'a>,
    {
        self.db
            .query_one(sql, params)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get(0)
    }

    /// The first column of every row `sql` returns from this test's database, as text.
    pub async fn column(&self, sql: &str) -> Vec<String> {
        self.column_with(sql, &[]).await
    }

    /// `column` with bound parameters.
    pub async fn column_with(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Vec<String> {
        self.db
            .query(sql, params)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// Cuts the server off its database: new connections refused, open ones terminated.
    pub async fn cut_off_database(&self) {
        let name = self.database_name();
        let admin = crate::database::connect(&crate::database::base_url()).await;
        admin
            .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
            .await
            .unwrap_or_else(|e| panic!("cutting the database off: {e}"));
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&name],
            )
            .await
            .unwrap_or_else(|e| panic!("cutting the database off: {e}"));
    }

    /// Lets the server connect to its database again after `cut_off_database`.
    pub async fn reconnect_database(&self) {
        let admin = crate::database::connect(&crate::database::base_url()).await;
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {} ALLOW_CONNECTIONS true",
                self.database_name()
            ))
            .await
            .unwrap_or_else(|e| panic!("reconnecting the database: {e}"));
    }

    fn database_name(&self) -> String {
        self.database_url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A store form the way the web client fills it.
pub fn store_body(name: &str) -> Value {
    json!({
        "name": name,
        "address": "서울특별시 강남구 테헤란로 123",
        "detailAddress": "1동 1106호",
        "phoneNumber": "010-1234-5678",
        "content": "저희는 CODI-IT 입니다. 좋은 옷을 팝니다."
    })
}

/// A product form with one size of stock.
pub fn product_body(name: &str, price: i64, category: &str) -> Value {
    json!({
        "name": name,
        "price": price,
        "categoryName": category,
        "stocks": [{ "sizeId": 3, "quantity": 5 }],
        "content": "<p>설명</p>"
    })
}

impl TestApp {
    /// A seller with a store; returns the session and the store id.
    pub async fn seller_with_store(&self) -> (Session, String) {
        let seller = self.seller().await;
        let r = self
            .post("/api/stores")
            .as_user(&seller)
            .json(&store_body(&format!("스토어 {}", &seller.id[..6])))
            .send()
            .await;
        assert_eq!(r.status, 201, "store creation failed: {}", r.text);
        let id = r.body["id"].as_str().expect("store id").to_owned();
        (seller, id)
    }

    /// Creates a product through the API and returns its detail body.
    pub async fn create_product(&self, seller: &Session, body: &Value) -> Value {
        let r = self
            .post("/api/products")
            .as_user(seller)
            .json(body)
            .send()
            .await;
        assert_eq!(r.status, 201, "product creation failed: {}", r.text);
        r.body
    }
}

impl TestApp {
    /// Opens the notification stream with a bearer token (and optionally a cursor).
    pub async fn stream(
        &self,
        session: &Session,
        last_event_id: Option<i64>,
    ) -> crate::sse::SseClient {
        let mut request = self
            .http
            .get(format!("{}/api/notifications/sse", self.base))
            .bearer_auth(&session.access_token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let mut client = crate::sse::SseClient::connect(request).await;
        assert_eq!(
            client.status, 200,
            "stream refused: {}",
            client.body_if_error
        );
        let first = client.next(std::time::Duration::from_secs(5)).await;
        assert_eq!(first, Some(crate::sse::Frame::Comment("connected".into())));
        client
    }

    /// Asks a question about a product; returns the inquiry body.
    pub async fn ask(
        &self,
        author: &Session,
        product_id: &str,
        title: &str,
        secret: bool,
    ) -> Value {
        let r = self
            .post(&format!("/api/products/{product_id}/inquiries"))
            .as_user(author)
            .json(
                &json!({ "title": title, "content": format!("{title} 내용"), "isSecret": secret }),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "inquiry failed: {}", r.text);
        r.body
    }

    /// A seller with a store and one product; returns (seller, product id).
    pub async fn seller_with_product(&self, name: &str) -> (Session, String) {
        let (seller, _) = self.seller_with_store().await;
        let product = self
            .create_product(&seller, &product_body(name, 10000, "top"))
            .await;
        (
            seller,
            product["id"].as_str().expect("product id").to_owned(),
        )
    }
}
