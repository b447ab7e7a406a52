//! Notification delivery (spec §2.10 E47): an in-process hub fed by the database listener, and
//! one task per open stream.
//!
//! The notifications table is the source of truth. A wake-up only says "this user has
//! something new"; each stream then reads the rows after the last cursor it sent. So a stream
//! that was slow, or a listener that reconnected, catches up from the table, nothing is
//! buffered per stream beyond a small bounded channel, and no cursor is sent twice.

use crate::state::AppState;
use actix_web::web::Bytes;
use adapter_postgres::ListenerEvent;
use kernel::DomainResult;
use kernel::time::format_ts;
use notifications::Alarm;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// Open streams on this instance, by recipient.
pub struct Hub {
    streams: Mutex<HashMap<String, Vec<Weak<Notify>>>>,
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            streams: Mutex::default(),
            closing: tokio::sync::watch::channel(false).0,
        }
    }
}

impl Hub {
    /// Ends every stream on this instance (shutdown): clients reconnect with their cursor.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    /// Registers a stream of `user_id`; it is woken on every new notification for that user.
    pub fn subscribe(&self, user_id: &str) -> Arc<Notify> {
        let notify = Arc::new(Notify::new());
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let entry = streams.entry(user_id.to_owned()).or_default();
        entry.retain(|w| w.strong_count() > 0);
        entry.push(Arc::downgrade(&notify));
        notify
    }

    pub fn handle(&self, event: ListenerEvent) {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            ListenerEvent::Notified(user_id) => {
                if let Some(entry) = streams.get_mut(&user_id) {
                    entry.retain(|w| match w.upgrade() {
                        Some(n) => {
                            n.notify_one();
                            true
                        }
                        None => false,
                    });
                    if entry.is_empty() {
                        streams.remove(&user_id);
                    }
                }
            }
            // Anything may have been missed while the listener was away: every stream re-reads.
            ListenerEvent::Connected => {
                streams.retain(|_, entry| {
                    entry.retain(|w| match w.upgrade() {
                        Some(n) => {
                            n.notify_one();
                            true
                        }
                        None => false,
                    });
                    !entry.is_empty()
                });
            }
        }
    }

    /// Open streams on this instance.
    pub fn open_streams(&self) -> usize {
        let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams
            .values()
            .flatten()
            .filter(|w| w.strong_count() > 0)
            .count()
    }
}

/// The contract's `Alarm`.
#[derive(Debug, Serialize, paperclip::actix::Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmResponse {
    pub id: String,
    pub user_id: String,
    pub content: String,
    pub is_checked: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Alarm> for AlarmResponse {
    fn from(a: Alarm) -> Self {
        Self {
            created_at: format_ts(&a.created_at),
            updated_at: format_ts(&a.updated_at),
            id: a.id,
            user_id: a.user_id,
            content: a.content,
            is_checked: a.is_checked,
        }
    }
}

/// One unnamed event: `id:` the cursor, `data:` the Alarm on one line.
fn event(alarm: Alarm) -> Bytes {
    let seq = alarm.seq;
    let data = serde_json::to_string(&AlarmResponse::from(alarm)).unwrap_or_else(|_| "{}".into());
    Bytes::from(format!("id: {seq}\ndata: {data}\n\n"))
}

/// How many frames may wait for a slow client before its task pauses.
const BUFFER: usize = 16;
/// Rows read per catch-up query.
const BATCH: i64 = 100;

/// Starts a stream for `user_id` and returns the receiving end of its frames.
///
/// Without a cursor the stream starts after the user's newest notification, read here, before
/// `: connected` is written: a client that acts once it sees `: connected` must get every
/// notification its action causes (read after that line, a notification committed in between
/// would lie behind the starting cursor and never be sent). If the cursor cannot be read, the
/// request fails (503) instead of opening a stream that would start at an unknown point.
pub async fn open(
    state: actix_web::web::Data<AppState>,
    user_id: String,
    cursor: Option<i64>,
) -> DomainResult<mpsc::Receiver<Bytes>> {
    let (tx, rx) = mpsc::channel::<Bytes>(BUFFER);
    // Subscribe before reading anything, so no wake-up between the read and the wait is lost.
    let wake = state.hub.subscribe(&user_id);
    let mut closing = state.hub.closing.subscribe();
    let cursor_given = cursor.is_some();
    let mut cursor = match cursor {
        Some(c) => c,
        None => state.notifications.latest_cursor(&user_id).await?,
    };
    tokio::spawn(async move {
        if tx
            .send(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        let heartbeat = Duration::from_secs(state.sse.heartbeat_seconds);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
        // A reconnecting client first replays at most the most recent `replay_limit` rows;
        // afterwards every wake-up reads onward from the cursor, oldest first.
        let mut replaying = cursor_given;
        let mut pending = true;
        loop {
            if pending {
                let (rows, limit) = if replaying {
                    let limit = state.sse.replay_limit;
                    (
                        state.notifications.replay(&user_id, cursor, limit).await,
                        limit,
                    )
                } else {
                    (
                        state.notifications.after(&user_id, cursor, BATCH).await,
                        BATCH,
                    )
                };
                match rows {
                    Ok(rows) => {
                        let full = rows.len() as i64 == limit;
                        for alarm in rows {
                            cursor = alarm.seq;
                            if tx.send(event(alarm)).await.is_err() {
                                return;
                            }
                            metrics::counter!("notifications_delivered_total").increment(1);
                        }
                        // A full replay skipped what was older; a full batch may have more.
                        pending = full && !replaying;
                        replaying = false;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "notification stream: catch-up failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        pending = true;
                    }
                }
                continue;
            }
            tokio::select! {
                _ = wake.notified() => pending = true,
                _ = ping.tick() => {
                    if tx.send(Bytes::from_static(b": ping\n\n")).await.is_err() {
                        return;
                    }
                }
                _ = tx.closed() => return,
                _ = closing.changed() => return,
            }
        }
    });
    Ok(rx)
}
