use crate::messages::*;
use crate::model::{NewSession, NewUser, ProfileChanges, User};
use crate::ports::{AccessTokens, PasswordHasher, RefreshTokens, Sessions, Users};
use crate::validate;
use chrono::Duration;
use kernel::{Clock, DomainError, DomainResult, UserType, Violations, id::new_id};
use media::{ImageInput, Images};
use std::sync::Arc;

/// How long parallel refreshes presenting an already rotated token still succeed (§4.1 step 4).
pub const REFRESH_GRACE: Duration = Duration::seconds(10);

#[derive(Debug, Clone)]
pub struct AccountSettings {
    pub refresh_ttl: Duration,
    pub default_user_image: String,
}

pub struct SignupInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub user_type: Option<String>,
}

pub struct ProfileInput {
    pub current_password: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub image: Option<ImageInput>,
}

#[derive(Debug)]
pub struct LoginOutcome {
    pub user: User,
    pub access_token: String,
    pub refresh_token: String,
}

#[derive(Debug)]
pub struct RefreshOutcome {
    pub access_token: String,
    pub refresh_token: String,
}

/// The accounts use cases, generic over their ports.
pub struct Accounts<U, S, H, A, R> {
    users: U,
    sessions: S,
    hasher: H,
    access: A,
    refresh: R,
    images: Images,
    clock: Arc<dyn Clock>,
    settings: AccountSettings,
}

impl<U, S, H, A, R> Accounts<U, S, H, A, R>
where
    U: Users,
    S: Sessions,
    H: PasswordHasher,
    A: AccessTokens,
    R: RefreshTokens,
{
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        users: U,
        sessions: S,
        hasher: H,
        access: A,
        refresh: R,
        images: Images,
        clock: Arc<dyn Clock>,
        settings: AccountSettings,
    ) -> Self {
        Self {
            users,
            sessions,
            hasher,
            access,
            refresh,
            images,
            clock,
            settings,
        }
    }

    /// E4.
    pub async fn signup(&self, input: SignupInput) -> DomainResult<User> {
        let mut v = Violations::new();
        let name = v.take(required("name", input.name).and_then(|n| validate::name(&n)));
        let email = v.take(required("email", input.email).and_then(|e| validate::email(&e)));
        let password = v.take(
            required("password", input.password)
                .and_then(|p| validate::new_password("password", &p)),
        );
        let user_type = match input.user_type.as_deref().map(str::trim) {
            None | Some("") => Some(UserType::Buyer),
            Some(t) => {
                let parsed = UserType::parse(t);
                if parsed.is_none() {
                    v.add("type", "must be BUYER or SELLER");
                }
                parsed
            }
        };
        v.finish()?;
        let (Some(name), Some(email), Some(password), Some(user_type)) =
            (name, email, password, user_type)
        else {
            return Err(DomainError::invalid("invalid signup"));
        };
        let password_hash = self.hasher.hash(password).await?;
        let new = NewUser {
            id: new_id(),
            name,
            email,
            password_hash,
            user_type,
            image: self.settings.default_user_image.clone(),
            now: self.clock.now(),
        };
        self.users
            .create(new)
            .await?
            .ok_or_else(|| DomainError::Conflict(EMAIL_TAKEN.into()))
    }

    /// E1. One 401 for an unknown email and a wrong password, with similar timing.
    pub async fn login(
        &self,
        email: Option<String>,
        password: Option<String>,
    ) -> DomainResult<LoginOutcome> {
        let mut v = Violations::new();
        let email = v.take(required("email", email).and_then(|e| validate::email(&e)));
        let password = v.take(required_raw("password", password));
        v.finish()?;
        let (Some(email), Some(password)) = (email, password) else {
            return Err(DomainError::invalid("invalid login"));
        };
        let found = self.users.credentials_by_email(&email).await?;
        let (user, hash) = match found {
            Some(pair) => pair,
            None => {
                let decoy = self.hasher.decoy_hash().to_owned();
                let _ = self.hasher.verify(password, decoy).await?;
                return Err(DomainError::Unauthenticated(BAD_CREDENTIALS.into()));
            }
        };
        if !self.hasher.verify(password, hash).await? {
            return Err(DomainError::Unauthenticated(BAD_CREDENTIALS.into()));
        }
        let now = self.clock.now();
        let refresh_token = self.refresh.generate();
        self.sessions
            .create(NewSession {
                id: new_id(),
                user_id: user.id.clone(),
                token_hash: self.refresh.hash(&refresh_token),
                expires_at: now + self.settings.refresh_ttl,
                now,
            })
            .await?;
        let access_token = self.access.issue(&user, now)?;
        Ok(LoginOutcome {
            user,
            access_token,
            refresh_token,
        })
    }

    /// E2, step by step as §4.1 numbers them.
    pub async fn refresh(&self, cookie: Option<&str>) -> DomainResult<RefreshOutcome> {
        let invalid = || DomainError::Unauthenticated(INVALID_REFRESH_TOKEN.into());
        // 1. No cookie.
        let token = match cookie.map(str::trim) {
            Some(t) if !t.is_empty() => t,
            _ => return Err(DomainError::Unauthenticated(NO_REFRESH_TOKEN.into())),
        };
        // 2. Unknown, revoked, expired, or its user is gone.
        let now = self.clock.now();
        let presented_hash = self.refresh.hash(token);
        let mut session = self
            .sessions
            .by_hash(&presented_hash)
            .await?
            .ok_or_else(invalid)?;
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Err(invalid());
        }
        let user = self
            .users
            .by_id(&session.user_id)
            .await?
            .ok_or_else(invalid)?;
        let successor = self.refresh.successor_of(token);
        // 3. Not rotated yet: exactly one concurrent request wins the rotation.
        if session.rotated_at.is_none() {
            let rotated = self
                .sessions
                .rotate(
                    &session.id,
                    NewSession {
                        id: new_id(),
                        user_id: user.id.clone(),
                        token_hash: self.refresh.hash(&successor),
                        expires_at: now + self.settings.refresh_ttl,
                        now,
                    },
                )
                .await?;
            if rotated {
                return Ok(RefreshOutcome {
                    access_token: self.access.issue(&user, now)?,
                    refresh_token: successor,
                });
            }
            session = self
                .sessions
                .by_hash(&presented_hash)
                .await?
                .ok_or_else(invalid)?;
        }
        // 4. Rotated at most 10 s ago and the successor is live: hand out that same successor.
        // 5. Otherwise 401.
        let within_grace = session
            .rotated_at
            .is_some_and(|at| now - at <= REFRESH_GRACE);
        if !within_grace || session.revoked_at.is_some() {
            return Err(invalid());
        }
        let successor_id = session.successor_id.as_deref().ok_or_else(invalid)?;
        let successor_live = self
            .sessions
            .by_id(successor_id)
            .await?
            .is_some_and(|s| s.revoked_at.is_none() && s.expires_at > now);
        if !successor_live {
            return Err(invalid());
        }
        Ok(RefreshOutcome {
            access_token: self.access.issue(&user, now)?,
            refresh_token: successor,
        })
    }

    /// E3: revokes every refresh token of the user.
    pub async fn logout(&self, user: &User) -> DomainResult<()> {
        self.sessions
            .revoke_all(&user.id, None, self.clock.now())
            .await
    }

    /// Resolves an access token to its (still existing) user.
    pub async fn authenticate(&self, token: &str) -> DomainResult<User> {
        let invalid = || DomainError::Unauthenticated(INVALID_ACCESS_TOKEN.into());
        let claims = self
            .access
            .verify(token, self.clock.now())
            .ok_or_else(invalid)?;
        self.users.by_id(&claims.user_id).await?.ok_or_else(invalid)
    }

    /// E6. Validates, checks the current password, then stores the image and the changes.
    pub async fn update_profile(
        &self,
        user: &User,
        presented_refresh_token: Option<&str>,
        input: ProfileInput,
    ) -> DomainResult<User> {
        let mut v = Violations::new();
        let current = v.take(required_raw("currentPassword", input.current_password));
        let name = input.name.map(|n| v.take(validate::name(&n)));
        let password = input
            .password
            .map(|p| v.take(validate::new_password("password", &p)));
        v.finish()?;
        media::check(input.image.as_ref())?;
        let current =
            current.ok_or_else(|| DomainError::invalid("currentPassword: is required"))?;

        let stored = self
            .users
            .password_hash(&user.id)
            .await?
            .ok_or_else(|| DomainError::Unauthenticated(INVALID_ACCESS_TOKEN.into()))?;
        if !self.hasher.verify(current, stored).await? {
            return Err(DomainError::invalid(WRONG_CURRENT_PASSWORD));
        }

        let mut changes = ProfileChanges {
            name: name.flatten(),
            ..ProfileChanges::default()
        };
        if let Some(Some(password)) = password {
            changes.password_hash = Some(self.hasher.hash(password).await?);
            // Keep only the session making this request, if its token is live.
            let keep = match presented_refresh_token.filter(|t| !t.is_empty()) {
                Some(token) => {
                    let hash = self.refresh.hash(token);
                    let now = self.clock.now();
                    self.sessions.by_hash(&hash).await?.and_then(|s| {
                        (s.user_id == user.id
                            && s.revoked_at.is_none()
                            && s.rotated_at.is_none()
                            && s.expires_at > now)
                            .then_some(hash)
                    })
                }
                None => None,
            };
            changes.revoke_sessions_except = Some(keep);
        }
        changes.image = self.images.resolve(input.image).await?;
        if changes.is_empty() {
            return Ok(user.clone());
        }
        self.users
            .update_profile(&user.id, changes, self.clock.now())
            .await
    }

    /// E9.
    pub async fn delete_account(&self, user: &User) -> DomainResult<()> {
        self.users.delete(&user.id).await
    }
}

fn required(field: &str, value: Option<String>) -> Result<String, (String, String)> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err((field.to_owned(), "is required".to_owned())),
    }
}

/// Like `required`, for passwords: any non-empty value, untrimmed.
fn required_raw(field: &str, value: Option<String>) -> Result<String, (String, String)> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err((field.to_owned(), "is required".to_owned())),
    }
}

#[cfg(test)]
mod tests;
