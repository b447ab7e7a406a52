use crate::Database;
use crate::error::PgError;
use crate::fixed::fixed_sql;
use crate::schema::{notification_cursors, notifications};
use ::notifications::{
    Alarm, AlarmQuery, Alarms, Filter, LIST_LIMIT, NewNotification, Outbox, Sort,
};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use kernel::{DomainError, DomainResult, Timestamp};
use std::time::Duration;

/// The LISTEN/NOTIFY channel; payloads carry only the recipient's id.
pub const CHANNEL: &str = "codiit_notifications";

/// The product and inquiry a notification is about, as found (see `emit`).
#[derive(QueryableByName, Default)]
struct About {
    #[diesel(sql_type = Nullable<Text>)]
    product_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    inquiry_id: Option<String>,
}

#[derive(QueryableByName)]
struct Seq {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    seq: i64,
}

/// Writes a notification inside the caller's transaction and announces it on commit.
///
/// Incrementing the recipient's cursor locks their cursor row until the transaction ends, so
/// for one recipient a notification with a lower cursor can never commit after one with a
/// higher cursor (§4.8). A de-duplicated notification (an identical unread one exists) is
/// neither written nor announced; its cursor value is simply skipped.
///
/// The recipient's row is locked (key share) before their cursor, skipping it if locked: only
/// an account deletion holds a conflicting lock, so its recipient counts as gone. Waiting
/// instead could deadlock (the deletion may wait on a row this transaction holds), and not
/// locking would fail the insert's foreign key once the deletion commits.
pub(crate) async fn emit(
    conn: &mut AsyncPgConnection,
    n: &NewNotification,
    now: Timestamp,
) -> Result<bool, PgError> {
    let seq: Option<i64> = fixed_sql(
        "INSERT INTO notification_cursors (user_id, seq)
         SELECT id, 1 FROM users WHERE id = $1 FOR KEY SHARE SKIP LOCKED
         ON CONFLICT (user_id) DO UPDATE SET seq = notification_cursors.seq + 1
         RETURNING seq",
    )
    .bind::<diesel::sql_types::Text, _>(&n.recipient)
    .get_result::<Seq>(conn)
    .await
    .optional()?
    .map(|row| row.seq);
    let Some(seq) = seq else {
        return Ok(false); // the recipient's account is gone
    };
    // The product or inquiry it is about may have been deleted since the cause was seen (an
    // order refused because its product went): the reference is then null, as the deletion
    // would have left it. A key-share lock keeps a found row until this commits; a row locked
    // against it is being deleted (nothing else takes that lock), so it counts as gone rather
    // than being waited for, which could close a cycle with the deletion.
    let about = if n.product_id.is_some() || n.inquiry_id.is_some() {
        diesel::sql_query(
            "SELECT (SELECT id FROM products WHERE id = $1 FOR KEY SHARE SKIP LOCKED) AS product_id,
                    (SELECT id FROM inquiries WHERE id = $2 FOR KEY SHARE SKIP LOCKED) AS inquiry_id",
        )
        .bind::<Nullable<Text>, _>(&n.product_id)
        .bind::<Nullable<Text>, _>(&n.inquiry_id)
        .get_result::<About>(conn)
        .await?
    } else {
        About::default()
    };
    let (product_id, inquiry_id) = (about.product_id, about.inquiry_id);
    let inserted = diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(kernel::id::new_id()),
            notifications::user_id.eq(&n.recipient),
            notifications::seq.eq(seq),
            notifications::kind.eq(n.kind.as_str()),
            notifications::content.eq(&n.content),
            notifications::dedup_key.eq(n.dedup_key()),
            notifications::product_id.eq(&product_id),
            notifications::size_id.eq(n.size_id),
            notifications::inquiry_id.eq(&inquiry_id),
            notifications::created_at.eq(now),
            notifications::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        fixed_sql("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(CHANNEL)
            .bind::<diesel::sql_types::Text, _>(&n.recipient)
            .execute(conn)
            .await?;
    }
    Ok(inserted == 1)
}

impl Outbox for Database {
    /// Written by a task of its own, which the caller awaits: a request dropped meanwhile (its
    /// client went away) does not take the batch with it. The failure notifications of an order
    /// (N6, N7) are written after the order's rollback, and nothing else would write them.
    async fn emit(&self, notifications: Vec<NewNotification>) -> DomainResult<usize> {
        let db = self.clone();
        tokio::spawn(async move { db.emit_batch(notifications).await })
            .await
            .map_err(|e| DomainError::internal("writing notifications", e))?
    }
}

impl Database {
    async fn emit_batch(&self, mut notifications: Vec<NewNotification>) -> DomainResult<usize> {
        notifications.sort_by(|a, b| a.recipient.cmp(&b.recipient));
        let mut conn = self.conn().await?;
        let now = chrono::Utc::now();
        let written = conn
            .transaction::<_, PgError, _>(async |c| {
                let mut written = 0;
                for n in &notifications {
                    written += usize::from(emit(c, n, now).await?);
                }
                Ok(written)
            })
            .await?;
        Ok(written)
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct AlarmRow {
    id: String,
    user_id: String,
    seq: i64,
    content: String,
    is_checked: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<AlarmRow> for Alarm {
    fn from(r: AlarmRow) -> Self {
        Alarm {
            id: r.id,
            user_id: r.user_id,
            seq: r.seq,
            content: r.content,
            is_checked: r.is_checked,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Alarms for Database {
    async fn list(&self, user_id: &str, query: AlarmQuery) -> DomainResult<(Vec<Alarm>, i64)> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = notifications::table
                .filter(notifications::user_id.eq(user_id.to_owned()))
                .into_boxed();
            q = match query.filter {
                Filter::All => q,
                Filter::Unchecked => q.filter(notifications::is_checked.eq(false)),
                Filter::Checked => q.filter(notifications::is_checked.eq(true)),
            };
            q
        };
        let mut rows = filtered().select(AlarmRow::as_select());
        rows = match query.sort {
            Sort::Recent => {
                rows.order((notifications::created_at.desc(), notifications::seq.desc()))
            }
            Sort::Oldest => rows.order((notifications::created_at.asc(), notifications::seq.asc())),
        };
        let (limit, offset) = match query.page {
            Some(page) => (page.size, page.offset()),
            None => (LIST_LIMIT, 0),
        };
        let rows: Vec<AlarmRow> = rows
            .limit(limit)
            .offset(offset)
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        let total: i64 = filtered()
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok((rows.into_iter().map(Alarm::from).collect(), total))
    }

    async fn check(
        &self,
        user_id: &str,
        alarm_id: &str,
        now: Timestamp,
    ) -> DomainResult<Option<Alarm>> {
        let mut conn = self.conn().await?;
        let mine = notifications::table
            .filter(notifications::id.eq(alarm_id))
            .filter(notifications::user_id.eq(user_id));
        let checked: Option<AlarmRow> =
            diesel::update(mine.filter(notifications::is_checked.eq(false)))
                .set((
                    notifications::is_checked.eq(true),
                    notifications::checked_at.eq(now),
                    notifications::updated_at.eq(now),
                ))
                .returning(AlarmRow::as_returning())
                .get_result(&mut *conn)
                .await
                .optional()
                .map_err(PgError::from)?;
        let row = match checked {
            Some(row) => Some(row),
            // Already checked (idempotent), or not this user's.
            None => mine
                .select(AlarmRow::as_select())
                .first(&mut *conn)
                .await
                .optional()
                .map_err(PgError::from)?,
        };
        Ok(row.map(Alarm::from))
    }

    async fn after(
        &self,
        user_id: &str,
        after: i64,
        limit: i64,
        newest: bool,
    ) -> DomainResult<Vec<Alarm>> {
        let mut conn = self.conn().await?;
        let query = notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::seq.gt(after))
            .limit(limit)
            .select(AlarmRow::as_select());
        let mut rows: Vec<AlarmRow> = if newest {
            query
                .order(notifications::seq.desc())
                .load(&mut *conn)
                .await
        } else {
            query.order(notifications::seq.asc()).load(&mut *conn).await
        }
        .map_err(PgError::from)?;
        if newest {
            rows.reverse();
        }
        Ok(rows.into_iter().map(Alarm::from).collect())
    }

    async fn latest_cursor(&self, user_id: &str) -> DomainResult<i64> {
        let mut conn = self.conn().await?;
        let seq: Option<i64> = notification_cursors::table
            .find(user_id)
            .select(notification_cursors::seq)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(seq.unwrap_or(0))
    }
}

/// What the listener reports to the in-process hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerEvent {
    /// A notification for this user committed (on any instance).
    Notified(String),
    /// The listener (re)connected: anything may have been missed while it was down.
    Connected,
}

/// How the listener finds out that its connection died without a word (a half-open TCP
/// connection: a NAT timeout, a failover, a partition), which no read ever reports: after
/// `every` without a notification it asks the server, and reconnects when no answer comes
/// within `timeout`.
#[derive(Debug, Clone, Copy)]
pub struct ListenerProbe {
    pub every: Duration,
    pub timeout: Duration,
}

impl Default for ListenerProbe {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(15),
            timeout: Duration::from_secs(5),
        }
    }
}

/// One dedicated, non-pooled LISTEN connection per instance, for as long as the process runs.
/// When the connection drops (or stops answering the probe) it reconnects (with back-off) and
/// reports `Connected`, so every open stream catches up from the table, which is the source of
/// truth.
pub async fn listen(database_url: String, on_event: impl Fn(ListenerEvent) + Send + 'static) {
    listen_probing(database_url, ListenerProbe::default(), on_event).await
}

/// `listen` with the given probe.
pub async fn listen_probing(
    database_url: String,
    probe: ListenerProbe,
    on_event: impl Fn(ListenerEvent) + Send + 'static,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let started = tokio::time::Instant::now();
        let outcome = listen_once(&database_url, probe, &on_event).await;
        // A connection that served for a while is a fresh failure, not one more in a row.
        if started.elapsed() > Duration::from_secs(30) {
            backoff = Duration::from_millis(100);
        }
        match outcome {
            Ok(()) => {
                tracing::warn!("notification listener connection closed; reconnecting");
                backoff = Duration::from_millis(100);
            }
            Err(e) => tracing::warn!(error = %e, "notification listener failed; reconnecting"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn listen_once(
    database_url: &str,
    probe: ListenerProbe,
    on_event: &(impl Fn(ListenerEvent) + Send),
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut conn = tokio::time::timeout(
        Duration::from_secs(5),
        AsyncPgConnection::establish(database_url),
    )
    .await??;
    tokio::time::timeout(
        probe.timeout,
        diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn),
    )
    .await
    .map_err(|_| "the listener connection did not answer LISTEN")??;
    tracing::info!("notification listener connected");
    on_event(ListenerEvent::Connected);
    loop {
        {
            // The connection queues notifications while no stream reads them (the probe).
            let mut stream = std::pin::pin!(conn.notifications_stream());
            loop {
                match tokio::time::timeout(probe.every, stream.next()).await {
                    Ok(Some(notification)) => {
                        on_event(ListenerEvent::Notified(notification?.payload));
                    }
                    Ok(None) => return Ok(()),
                    Err(_quiet) => break,
                }
            }
        }
        tokio::time::timeout(
            probe.timeout,
            diesel::sql_query("SELECT 1").execute(&mut conn),
        )
        .await
        .map_err(|_| "the listener connection stopped answering")??;
    }
}
