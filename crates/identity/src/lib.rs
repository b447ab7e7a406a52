//! Accounts, credentials and sessions (spec §2.1, §2.2, §4.1): signup, login, refresh-token
//! rotation with its grace window, logout, profile changes and account deletion.

pub mod accounts;
pub mod messages;
pub mod model;
pub mod ports;
pub mod validate;

pub use accounts::{
    AccountSettings, Accounts, LoginOutcome, ProfileInput, RefreshOutcome, SignupInput,
};
pub use model::{NewSession, NewUser, ProfileChanges, Session, User};
pub use ports::{AccessClaims, AccessTokens, PasswordHasher, RefreshTokens, Sessions, Users};
