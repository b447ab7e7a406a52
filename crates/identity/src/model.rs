use kernel::{Timestamp, UserType};
use loyalty::Grade;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub user_type: UserType,
    pub image: String,
    pub points: i64,
    pub grade: Grade,
    /// Σ subtotal of paid, non-cancelled orders (§4.2).
    pub cumulative_amount: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub user_type: UserType,
    pub image: String,
    pub now: Timestamp,
}

/// A stored refresh token (only its hash is known to the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub expires_at: Timestamp,
    pub rotated_at: Option<Timestamp>,
    pub successor_id: Option<String>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub expires_at: Timestamp,
    pub now: Timestamp,
}

/// What a profile update writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub image: Option<String>,
    /// When set, every refresh token of the user is revoked except the one with this hash
    /// (`Some(None)`: all of them).
    pub revoke_sessions_except: Option<Option<String>>,
}

impl ProfileChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.password_hash.is_none() && self.image.is_none()
    }
}
