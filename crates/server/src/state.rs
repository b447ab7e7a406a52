//! What every handler can reach: the use cases, wired to their adapters.

use crate::cookies::RefreshCookie;
use adapter_auth::{BcryptHasher, JwtAccessTokens, OpaqueRefreshTokens};
use adapter_postgres::Database;
use catalog::{Catalog, Reference};
use community::Community;
use identity::Accounts;
use loyalty::Loyalty;
use media::Images;
use notifications::Notifications;
use std::sync::Arc;

pub type AccountsService =
    Accounts<Database, Database, BcryptHasher, JwtAccessTokens, OpaqueRefreshTokens>;

pub type CatalogService = Catalog<Database, Database, Database>;

pub struct AppState {
    pub db: Database,
    pub accounts: AccountsService,
    pub loyalty: Loyalty<Database>,
    pub reference: Reference<Database>,
    pub catalog: CatalogService,
    pub images: Images,
    pub refresh_cookie: RefreshCookie,
    pub community: Community<Database>,
    pub ordering: ordering::Ordering<Database, Database, Database>,
    pub reviews: community::service::ReviewBook<Database>,
    pub insights: insights::Insights<Database, Database>,
    pub notifications: Notifications<Database>,
    pub hub: Arc<crate::sse::Hub>,
    pub login_limiter: crate::ops::LoginLimiter,
    pub sse: SseSettings,
}

#[derive(Debug, Clone)]
pub struct SseSettings {
    pub heartbeat_seconds: u64,
    pub replay_limit: i64,
}
