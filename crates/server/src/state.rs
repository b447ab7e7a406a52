//! What every handler can reach: the use cases, wired to their adapters.

use crate::cookies::RefreshCookie;
use adapter_auth::{BcryptHasher, JwtAccessTokens, OpaqueRefreshTokens};
use adapter_postgres::Database;
use catalog::{Catalog, Reference};
use identity::Accounts;
use loyalty::Loyalty;
use media::Images;

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
}
