use crate::model::{NewSession, NewUser, ProfileChanges, Session, User};
use kernel::{DomainResult, Timestamp, UserType};
use std::future::Future;

pub trait Users: Send + Sync {
    /// Inserts the user; `None` when the email is already registered (also under concurrency).
    fn create(&self, new: NewUser) -> impl Future<Output = DomainResult<Option<User>>> + Send;
    fn by_id(&self, id: &str) -> impl Future<Output = DomainResult<Option<User>>> + Send;
    /// The user and their password hash, by normalised email.
    fn credentials_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = DomainResult<Option<(User, String)>>> + Send;
    fn password_hash(&self, id: &str) -> impl Future<Output = DomainResult<Option<String>>> + Send;
    /// Applies the changes atomically and returns the updated user.
    fn update_profile(
        &self,
        id: &str,
        changes: ProfileChanges,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<User>> + Send;
    /// Deletes the account with every effect of spec §1.4, atomically.
    fn delete(&self, id: &str) -> impl Future<Output = DomainResult<()>> + Send;
}

pub trait Sessions: Send + Sync {
    fn create(&self, session: NewSession) -> impl Future<Output = DomainResult<()>> + Send;
    fn by_hash(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = DomainResult<Option<Session>>> + Send;
    fn by_id(&self, id: &str) -> impl Future<Output = DomainResult<Option<Session>>> + Send;
    /// Marks `presented_id` rotated and inserts its successor, atomically, but only if it is
    /// still unrotated and unrevoked. `false` when another request rotated it first.
    fn rotate(
        &self,
        presented_id: &str,
        successor: NewSession,
    ) -> impl Future<Output = DomainResult<bool>> + Send;
    /// Revokes every live token of the user, except the one with `except_hash`.
    fn revoke_all(
        &self,
        user_id: &str,
        except_hash: Option<String>,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<()>> + Send;
}

/// Password hashing is CPU work: implementations run it off the async workers.
pub trait PasswordHasher: Send + Sync {
    fn hash(&self, password: String) -> impl Future<Output = DomainResult<String>> + Send;
    fn verify(
        &self,
        password: String,
        hash: String,
    ) -> impl Future<Output = DomainResult<bool>> + Send;
    /// A valid hash of no real password, verified against when an email is unknown so both
    /// login failures take similar time.
    fn decoy_hash(&self) -> &str;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: String,
    pub user_type: UserType,
}

pub trait AccessTokens: Send + Sync {
    fn issue(&self, user: &User, now: Timestamp) -> DomainResult<String>;
    /// `None` for any token that is malformed, tampered, of another algorithm, or expired.
    fn verify(&self, token: &str, now: Timestamp) -> Option<AccessClaims>;
}

/// Opaque refresh tokens: random values whose successor is derivable on any instance.
pub trait RefreshTokens: Send + Sync {
    fn generate(&self) -> String;
    /// The stored form (SHA-256).
    fn hash(&self, token: &str) -> String;
    /// The successor every rotation of `token` yields, the same on every instance.
    fn successor_of(&self, token: &str) -> String;
}
