use crate::error::PgError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations");

/// Applied to every pooled connection. A transaction left open (a cancelled request, a bug)
/// must never hold stock row locks for long, and no statement may wait forever on a lock.
const SESSION_SETUP: &str = "SET lock_timeout = '5s'; \
     SET idle_in_transaction_session_timeout = '10s'; \
     SET statement_timeout = '30s'; \
     SET TIME ZONE 'UTC'";

#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Connections in all, shared out evenly between the lanes.
    pub max_size: usize,
    pub wait_timeout: Duration,
    pub connect_timeout: Duration,
    /// Pools of their own, one per thread that serves requests (see `Database::enter_lane`).
    pub lanes: usize,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 8,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            lanes: 1,
        }
    }
}

thread_local! {
    /// The lane this thread takes its connections from (see `Database::enter_lane`).
    static LANE: Cell<usize> = const { Cell::new(0) };
}

pub(crate) type PooledConnection = Object<AsyncPgConnection>;

/// The connection pools shared by every repository: one per lane.
#[derive(Clone)]
pub struct Database {
    lanes: Arc<[Pool<AsyncPgConnection>]>,
}

impl Database {
    pub fn connect(url: &str, settings: &PoolSettings) -> Result<Self, PgError> {
        let count = settings.lanes.max(1);
        let per_lane = settings.max_size.div_ceil(count).max(1);
        let lanes = (0..count)
            .map(|_| Self::pool(url, settings, per_lane))
            .collect::<Result<_, _>>()?;
        Ok(Self { lanes })
    }

    fn pool(
        url: &str,
        settings: &PoolSettings,
        max_size: usize,
    ) -> Result<Pool<AsyncPgConnection>, PgError> {
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        // No `SELECT 1` on every checkout (a round trip per checkout, up to three per request).
        // A connection PostgreSQL closed is already known as closed to the client, which the
        // fast check sees; one that dies unnoticed fails its query (503) and is dropped then.
        config.recycling_method = RecyclingMethod::Fast;
        let connect_timeout = settings.connect_timeout;
        config.custom_setup = Box::new(move |url| {
            let url = url.to_owned();
            Box::pin(async move {
                let mut conn =
                    tokio::time::timeout(connect_timeout, AsyncPgConnection::establish(&url))
                        .await
                        .map_err(|_| {
                            diesel::ConnectionError::BadConnection("timed out connecting".into())
                        })??;
                conn.batch_execute(SESSION_SETUP)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            })
        });
        let manager = AsyncDieselConnectionManager::new_with_config(url, config);
        Pool::builder(manager)
            .max_size(max_size)
            .wait_timeout(Some(settings.wait_timeout))
            .create_timeout(Some(settings.connect_timeout))
            .recycle_timeout(Some(settings.connect_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| PgError::Query(diesel::result::Error::QueryBuilderError(Box::new(e))))
    }

    /// Makes the calling thread take its connections from lane `lane` of every `Database`
    /// (modulo its number of lanes); threads that never call this use lane 0.
    ///
    /// A connection's protocol task runs on the runtime of the thread that opened it. Used from
    /// another request thread, each statement costs two cross-thread wake-ups (the request to
    /// the task's thread, the rows back): on two cores, 15-20% of the product-list throughput.
    /// With a lane per request thread, each thread opens and uses its own connections.
    pub fn enter_lane(lane: usize) {
        LANE.with(|l| l.set(lane));
    }

    pub(crate) async fn conn(&self) -> Result<PooledConnection, PgError> {
        let lane = LANE.with(Cell::get) % self.lanes.len();
        Ok(self.lanes[lane].get().await?)
    }

    /// Health check (E55): a trivial query.
    pub async fn ping(&self) -> Result<(), PgError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1").execute(&mut *conn).await?;
        Ok(())
    }

    /// Diagnostics: how one pooled connection plans, and the statements it keeps prepared with
    /// how many runs of each used a generic and a custom plan (both are per connection, so
    /// this sees the whole picture only with a pool of one).
    pub async fn planning(&self) -> Result<Planning, PgError> {
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            plan_cache_mode: String,
        }
        let mut conn = self.conn().await?;
        let mode: Mode = diesel::sql_query("SHOW plan_cache_mode")
            .get_result(&mut *conn)
            .await?;
        let statements = diesel::sql_query(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements",
        )
        .load(&mut *conn)
        .await?;
        Ok(Planning {
            plan_cache_mode: mode.plan_cache_mode,
            statements,
        })
    }

    /// `(in use, max size)` of the pools.
    pub fn pool_usage(&self) -> (usize, usize) {
        self.lanes
            .iter()
            .map(Pool::status)
            .fold((0, 0), |(used, max), s| {
                (used + s.size - s.available, max + s.max_size)
            })
    }
}

/// Applies pending embedded migrations over a dedicated connection. Blocking work, so it runs on
/// the blocking pool (a current-thread runtime would panic in the harness).
pub async fn run_migrations(
    url: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        // Instances starting together must not migrate at the same time: the first applies
        // the migrations, the others wait and then find nothing pending.
        diesel::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_lock(7270707)"),
            &mut conn,
        )?;
        let applied = conn.run_pending_migrations(MIGRATIONS).map(|versions| {
            versions
                .into_iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
        });
        diesel::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_unlock(7270707)"),
            &mut conn,
        )?;
        applied
    })
    .await?
}

/// How a connection plans (see `Database::planning`).
#[derive(Debug)]
pub struct Planning {
    pub plan_cache_mode: String,
    pub statements: Vec<PreparedStatement>,
}

/// A statement a connection keeps prepared, and how its runs were planned.
#[derive(Debug, diesel::QueryableByName)]
pub struct PreparedStatement {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub statement: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub generic_plans: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub custom_plans: i64,
}
