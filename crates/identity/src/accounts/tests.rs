//! `Accounts` against in-memory fakes of its ports.

use super::*;
use crate::model::Session;
use crate::ports::AccessClaims;
use kernel::testing::block_on;
use kernel::{BoxFuture, Timestamp};
use loyalty::Grade;
use media::MediaStore;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
struct Db {
    users: Mutex<HashMap<String, (User, String)>>,
    sessions: Mutex<HashMap<String, (Session, String)>>,
}

#[derive(Clone, Default)]
struct Fake(Arc<Db>);

fn green() -> Grade {
    Grade {
        id: "grade_green".into(),
        name: "Green".into(),
        rate: 1,
        min_amount: 0,
    }
}

impl Users for Fake {
    async fn create(&self, new: NewUser) -> DomainResult<Option<User>> {
        let mut users = self.0.users.lock().unwrap();
        if users.values().any(|(u, _)| u.email == new.email) {
            return Ok(None);
        }
        let user = User {
            id: new.id.clone(),
            name: new.name,
            email: new.email,
            user_type: new.user_type,
            image: new.image,
            points: 0,
            grade: green(),
            cumulative_amount: 0,
            created_at: new.now,
            updated_at: new.now,
        };
        users.insert(new.id, (user.clone(), new.password_hash));
        Ok(Some(user))
    }
    async fn by_id(&self, id: &str) -> DomainResult<Option<User>> {
        Ok(self.0.users.lock().unwrap().get(id).map(|(u, _)| u.clone()))
    }
    async fn credentials_by_email(&self, email: &str) -> DomainResult<Option<(User, String)>> {
        Ok(self
            .0
            .users
            .lock()
            .unwrap()
            .values()
            .find(|(u, _)| u.email == email)
            .cloned())
    }
    async fn password_hash(&self, id: &str) -> DomainResult<Option<String>> {
        Ok(self.0.users.lock().unwrap().get(id).map(|(_, h)| h.clone()))
    }
    async fn update_profile(
        &self,
        id: &str,
        changes: ProfileChanges,
        now: Timestamp,
    ) -> DomainResult<User> {
        if let Some(except) = &changes.revoke_sessions_except {
            self.revoke_all(id, except.clone(), now).await?;
        }
        let mut users = self.0.users.lock().unwrap();
        let (user, hash) = users.get_mut(id).unwrap();
        if let Some(n) = changes.name {
            user.name = n;
        }
        if let Some(i) = changes.image {
            user.image = i;
        }
        if let Some(h) = changes.password_hash {
            *hash = h;
        }
        user.updated_at = now;
        Ok(user.clone())
    }
    async fn delete(&self, id: &str) -> DomainResult<()> {
        self.0.users.lock().unwrap().remove(id);
        self.0
            .sessions
            .lock()
            .unwrap()
            .retain(|_, (s, _)| s.user_id != id);
        Ok(())
    }
}

impl Sessions for Fake {
    async fn create(&self, s: NewSession) -> DomainResult<()> {
        let session = Session {
            id: s.id.clone(),
            user_id: s.user_id,
            expires_at: s.expires_at,
            rotated_at: None,
            successor_id: None,
            revoked_at: None,
        };
        self.0
            .sessions
            .lock()
            .unwrap()
            .insert(s.id, (session, s.token_hash));
        Ok(())
    }
    async fn by_hash(&self, hash: &str) -> DomainResult<Option<Session>> {
        Ok(self
            .0
            .sessions
            .lock()
            .unwrap()
            .values()
            .find(|(_, h)| h == hash)
            .map(|(s, _)| s.clone()))
    }
    async fn by_id(&self, id: &str) -> DomainResult<Option<Session>> {
        Ok(self
            .0
            .sessions
            .lock()
            .unwrap()
            .get(id)
            .map(|(s, _)| s.clone()))
    }
    async fn rotate(&self, presented: &str, successor: NewSession) -> DomainResult<bool> {
        {
            let mut sessions = self.0.sessions.lock().unwrap();
            let (s, _) = sessions.get_mut(presented).unwrap();
            if s.rotated_at.is_some() || s.revoked_at.is_some() {
                return Ok(false);
            }
            s.rotated_at = Some(successor.now);
            s.successor_id = Some(successor.id.clone());
        }
        Sessions::create(self, successor).await?;
        Ok(true)
    }
    async fn revoke_all(
        &self,
        user: &str,
        except: Option<String>,
        now: Timestamp,
    ) -> DomainResult<()> {
        for (s, h) in self.0.sessions.lock().unwrap().values_mut() {
            if s.user_id == user && Some(&*h) != except.as_ref() && s.revoked_at.is_none() {
                s.revoked_at = Some(now);
            }
        }
        Ok(())
    }
}

struct PlainHasher;
impl PasswordHasher for PlainHasher {
    async fn hash(&self, p: String) -> DomainResult<String> {
        Ok(format!("h:{p}"))
    }
    async fn verify(&self, p: String, h: String) -> DomainResult<bool> {
        Ok(h == format!("h:{p}"))
    }
    fn decoy_hash(&self) -> &str {
        "h:\u{0}decoy"
    }
}

struct Clk(Mutex<Timestamp>);
impl Clock for Clk {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

struct Tokens;
impl AccessTokens for Tokens {
    fn issue(&self, user: &User, now: Timestamp) -> DomainResult<String> {
        Ok(format!(
            "{}|{}|{}",
            user.id,
            user.user_type.as_str(),
            now.timestamp() + 3600
        ))
    }
    fn verify(&self, token: &str, now: Timestamp) -> Option<AccessClaims> {
        let mut parts = token.split('|');
        let (id, ty, exp) = (parts.next()?, parts.next()?, parts.next()?);
        (exp.parse::<i64>().ok()? > now.timestamp()).then(|| AccessClaims {
            user_id: id.into(),
            user_type: UserType::parse(ty).unwrap(),
        })
    }
}

struct Opaque(Mutex<u32>);
impl RefreshTokens for Opaque {
    fn generate(&self) -> String {
        let mut n = self.0.lock().unwrap();
        *n += 1;
        format!("rt{n}")
    }
    fn hash(&self, t: &str) -> String {
        format!("#{t}")
    }
    fn successor_of(&self, t: &str) -> String {
        format!("{t}'")
    }
}

struct NoMedia;
impl MediaStore for NoMedia {
    fn put(&self, key: String, _: Vec<u8>, _: &'static str) -> BoxFuture<'_, DomainResult<String>> {
        Box::pin(async move { Ok(format!("http://media.test/{key}")) })
    }
}

type TestAccounts = Accounts<Fake, Fake, PlainHasher, Tokens, Opaque>;

fn setup() -> (TestAccounts, Fake, Arc<Clk>) {
    let fake = Fake::default();
    let clock = Arc::new(Clk(Mutex::new(
        chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap(),
    )));
    let accounts = Accounts::new(
        fake.clone(),
        fake.clone(),
        PlainHasher,
        Tokens,
        Opaque(Mutex::new(0)),
        Images::new(Arc::new(NoMedia), clock.clone()),
        clock.clone(),
        AccountSettings {
            refresh_ttl: Duration::days(7),
            default_user_image: "http://localhost:3000/static/default-user.png".into(),
        },
    );
    (accounts, fake, clock)
}

fn signup_input(email: &str) -> SignupInput {
    SignupInput {
        name: Some(" 데모구매자 ".into()),
        email: Some(email.into()),
        password: Some("test1234".into()),
        user_type: None,
    }
}

fn advance(clock: &Clk, secs: i64) {
    *clock.0.lock().unwrap() += Duration::seconds(secs);
}

fn message(e: DomainError) -> String {
    e.to_string()
}

#[test]
fn signup_normalises_and_defaults() {
    let (accounts, _, _) = setup();
    let user = block_on(accounts.signup(signup_input(" User@X.com "))).unwrap();
    assert_eq!(user.email, "user@x.com");
    assert_eq!(user.name, "데모구매자");
    assert_eq!(user.user_type, UserType::Buyer);
    assert_eq!(user.points, 0);
    assert_eq!(user.grade.name, "Green");
    assert!(user.image.ends_with("/static/default-user.png"));
}

#[test]
fn signup_reports_every_problem_and_duplicates() {
    let (accounts, _, _) = setup();
    let err = block_on(accounts.signup(SignupInput {
        name: None,
        email: Some("nope".into()),
        password: Some("short".into()),
        user_type: Some("ADMIN".into()),
    }))
    .unwrap_err();
    let m = message(err);
    for field in ["name:", "email:", "password:", "type:"] {
        assert!(m.contains(field), "{m}");
    }
    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let dup = block_on(accounts.signup(signup_input("A@X.COM"))).unwrap_err();
    assert!(matches!(dup, DomainError::Conflict(m) if m == EMAIL_TAKEN));
}

#[test]
fn login_fails_alike_for_unknown_email_and_wrong_password() {
    let (accounts, _, _) = setup();
    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let unknown = block_on(accounts.login(Some("b@x.com".into()), Some("test1234".into())));
    let wrong = block_on(accounts.login(Some("a@x.com".into()), Some("wrong-pass".into())));
    for r in [unknown, wrong] {
        assert!(matches!(r, Err(DomainError::Unauthenticated(m)) if m == BAD_CREDENTIALS));
    }
    let ok = block_on(accounts.login(Some(" A@x.COM".into()), Some("test1234".into()))).unwrap();
    assert_eq!(ok.user.email, "a@x.com");
    assert!(matches!(
        block_on(accounts.login(Some("a@x.com".into()), Some(String::new()))),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn refresh_rotates_once_and_shares_the_successor_within_grace() {
    let (accounts, fake, clock) = setup();
    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let login = block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();

    let first = block_on(accounts.refresh(Some(&login.refresh_token))).unwrap();
    assert_eq!(first.refresh_token, format!("{}'", login.refresh_token));
    advance(&clock, 10);
    let again = block_on(accounts.refresh(Some(&login.refresh_token))).unwrap();
    assert_eq!(again.refresh_token, first.refresh_token);
    assert_eq!(
        fake.0.sessions.lock().unwrap().len(),
        2,
        "one successor only"
    );

    advance(&clock, 1);
    let late = block_on(accounts.refresh(Some(&login.refresh_token))).unwrap_err();
    assert!(matches!(late, DomainError::Unauthenticated(m) if m == INVALID_REFRESH_TOKEN));

    // The successor itself rotates normally.
    let next = block_on(accounts.refresh(Some(&first.refresh_token))).unwrap();
    assert_eq!(next.refresh_token, format!("{}'", first.refresh_token));
}

#[test]
fn refresh_refuses_missing_unknown_expired_and_revoked_tokens() {
    let (accounts, _, clock) = setup();
    let missing = block_on(accounts.refresh(None)).unwrap_err();
    assert!(matches!(missing, DomainError::Unauthenticated(m) if m == NO_REFRESH_TOKEN));
    let empty = block_on(accounts.refresh(Some(""))).unwrap_err();
    assert!(matches!(empty, DomainError::Unauthenticated(m) if m == NO_REFRESH_TOKEN));
    let unknown = block_on(accounts.refresh(Some("forged"))).unwrap_err();
    assert!(matches!(unknown, DomainError::Unauthenticated(m) if m == INVALID_REFRESH_TOKEN));

    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let login = block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();
    advance(&clock, 7 * 86_400);
    assert!(block_on(accounts.refresh(Some(&login.refresh_token))).is_err());

    let login = block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();
    block_on(accounts.logout(&login.user)).unwrap();
    assert!(block_on(accounts.refresh(Some(&login.refresh_token))).is_err());
}

#[test]
fn grace_ends_when_the_successor_is_revoked() {
    let (accounts, _, _) = setup();
    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let login = block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();
    block_on(accounts.refresh(Some(&login.refresh_token))).unwrap();
    block_on(accounts.logout(&login.user)).unwrap();
    assert!(block_on(accounts.refresh(Some(&login.refresh_token))).is_err());
}

#[test]
fn authenticate_rejects_tokens_of_deleted_users() {
    let (accounts, _, _) = setup();
    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let login = block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();
    assert_eq!(
        block_on(accounts.authenticate(&login.access_token))
            .unwrap()
            .id,
        login.user.id
    );
    block_on(accounts.delete_account(&login.user)).unwrap();
    let err = block_on(accounts.authenticate(&login.access_token)).unwrap_err();
    assert!(matches!(err, DomainError::Unauthenticated(m) if m == INVALID_ACCESS_TOKEN));
}

#[test]
fn password_change_needs_the_current_password_and_keeps_only_this_session() {
    let (accounts, _, _) = setup();
    block_on(accounts.signup(signup_input("a@x.com"))).unwrap();
    let here = block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();
    let elsewhere =
        block_on(accounts.login(Some("a@x.com".into()), Some("test1234".into()))).unwrap();

    let wrong = block_on(accounts.update_profile(
        &here.user,
        Some(&here.refresh_token),
        ProfileInput {
            current_password: Some("nope-nope".into()),
            name: None,
            password: Some("newpass123".into()),
            image: None,
        },
    ))
    .unwrap_err();
    assert!(matches!(wrong, DomainError::Invalid(m) if m == WRONG_CURRENT_PASSWORD));

    let missing = block_on(accounts.update_profile(
        &here.user,
        None,
        ProfileInput {
            current_password: None,
            name: Some("x".into()),
            password: None,
            image: None,
        },
    ))
    .unwrap_err();
    assert!(message(missing).starts_with("currentPassword:"));

    let updated = block_on(accounts.update_profile(
        &here.user,
        Some(&here.refresh_token),
        ProfileInput {
            current_password: Some("test1234".into()),
            name: Some("새이름".into()),
            password: Some("newpass123".into()),
            image: Some(ImageInput::Url("https://cdn.test/me.png".into())),
        },
    ))
    .unwrap();
    assert_eq!(updated.name, "새이름");
    assert_eq!(updated.image, "https://cdn.test/me.png");
    assert!(block_on(accounts.refresh(Some(&here.refresh_token))).is_ok());
    assert!(block_on(accounts.refresh(Some(&elsewhere.refresh_token))).is_err());
    assert!(block_on(accounts.login(Some("a@x.com".into()), Some("newpass123".into()))).is_ok());
}
