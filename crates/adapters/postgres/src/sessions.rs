use crate::Database;
use crate::error::PgError;
use crate::schema::refresh_tokens;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use identity::{NewSession, Session, Sessions};
use kernel::{DomainError, DomainResult, Timestamp};

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct SessionRow {
    id: String,
    user_id: String,
    expires_at: Timestamp,
    rotated_at: Option<Timestamp>,
    successor_id: Option<String>,
    revoked_at: Option<Timestamp>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: r.id,
            user_id: r.user_id,
            expires_at: r.expires_at,
            rotated_at: r.rotated_at,
            successor_id: r.successor_id,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct SessionInsert<'a> {
    id: &'a str,
    user_id: &'a str,
    token_hash: &'a str,
    expires_at: Timestamp,
    created_at: Timestamp,
}

fn insert_values(s: &NewSession) -> SessionInsert<'_> {
    SessionInsert {
        id: &s.id,
        user_id: &s.user_id,
        token_hash: &s.token_hash,
        expires_at: s.expires_at,
        created_at: s.now,
    }
}

impl Sessions for Database {
    async fn create(&self, session: NewSession) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        diesel::insert_into(refresh_tokens::table)
            .values(insert_values(&session))
            .execute(&mut *conn)
            .await
            // The account was deleted while its login ran.
            .map_err(|e| {
                PgError::from(e).or_gone_as(DomainError::Unauthenticated(
                    identity::messages::BAD_CREDENTIALS.into(),
                ))
            })?;
        Ok(())
    }

    async fn by_hash(&self, token_hash: &str) -> DomainResult<Option<Session>> {
        let mut conn = self.conn().await?;
        let row: Option<SessionRow> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(SessionRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(Session::from))
    }

    async fn by_id(&self, id: &str) -> DomainResult<Option<Session>> {
        let mut conn = self.conn().await?;
        let row: Option<SessionRow> = refresh_tokens::table
            .find(id)
            .select(SessionRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(Session::from))
    }

    async fn rotate(&self, presented_id: &str, successor: NewSession) -> DomainResult<bool> {
        let mut conn = self.conn().await?;
        let rotated = conn
            .transaction::<_, PgError, _>(async |c| {
                // The user before the tokens, the order the account's deletion takes.
                crate::users::hold_user(c, &successor.user_id).await?;
                // The conditional UPDATE takes the row lock: of concurrent rotations exactly
                // one matches; the others wait, re-check, and match nothing.
                let marked = diesel::update(
                    refresh_tokens::table
                        .filter(refresh_tokens::id.eq(presented_id))
                        .filter(refresh_tokens::rotated_at.is_null())
                        .filter(refresh_tokens::revoked_at.is_null()),
                )
                .set((
                    refresh_tokens::rotated_at.eq(successor.now),
                    refresh_tokens::successor_id.eq(&successor.id),
                ))
                .execute(c)
                .await?;
                if marked == 1 {
                    diesel::insert_into(refresh_tokens::table)
                        .values(insert_values(&successor))
                        .execute(c)
                        .await?;
                }
                Ok(marked == 1)
            })
            .await
            // The account was deleted while its session was refreshed.
            .map_err(|e| {
                e.or_gone_as(DomainError::Unauthenticated(
                    identity::messages::INVALID_REFRESH_TOKEN.into(),
                ))
            })?;
        Ok(rotated)
    }

    async fn revoke_all(
        &self,
        user_id: &str,
        except_hash: Option<String>,
        now: Timestamp,
    ) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        let live = refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null());
        match except_hash {
            Some(keep) => {
                diesel::update(live.filter(refresh_tokens::token_hash.ne(keep)))
                    .set(refresh_tokens::revoked_at.eq(now))
                    .execute(&mut *conn)
                    .await
            }
            None => {
                diesel::update(live)
                    .set(refresh_tokens::revoked_at.eq(now))
                    .execute(&mut *conn)
                    .await
            }
        }
        .map_err(PgError::from)?;
        Ok(())
    }
}
