use crate::Database;
use crate::error::PgError;
use crate::fixed::fixed_sql;
use crate::reference::GradeRow;
use crate::schema::{grades, products, refresh_tokens, stores, users};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use identity::{NewUser, ProfileChanges, User, Users};
use kernel::{DomainError, DomainResult, Timestamp, UserType};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    name: String,
    email: String,
    user_type: String,
    image: String,
    points: i64,
    cumulative_amount: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

fn to_user((row, grade): (UserRow, GradeRow)) -> DomainResult<User> {
    let user_type = UserType::parse(&row.user_type).ok_or_else(|| {
        DomainError::internal(
            "users.type",
            format!("unknown user type {:?}", row.user_type),
        )
    })?;
    Ok(User {
        id: row.id,
        name: row.name,
        email: row.email,
        user_type,
        image: row.image,
        points: row.points,
        grade: grade.into(),
        cumulative_amount: row.cumulative_amount,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn load_user(
    conn: &mut AsyncPgConnection,
    id: &str,
) -> Result<Option<(UserRow, GradeRow)>, PgError> {
    Ok(users::table
        .inner_join(grades::table)
        .filter(users::id.eq(id))
        .select((UserRow::as_select(), GradeRow::as_select()))
        .first(conn)
        .await
        .optional()?)
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChanges {
    name: Option<String>,
    password_hash: Option<String>,
    image: Option<String>,
    updated_at: Timestamp,
}

/// Review aggregates of the products a user reviewed lose that user's reviews (spec §1.4).
const FORGET_USER_REVIEWS: &str = "
    UPDATE products p SET
        reviews_count = p.reviews_count - r.cnt,
        reviews_sum = p.reviews_sum - r.total,
        rate1_count = p.rate1_count - r.c1,
        rate2_count = p.rate2_count - r.c2,
        rate3_count = p.rate3_count - r.c3,
        rate4_count = p.rate4_count - r.c4,
        rate5_count = p.rate5_count - r.c5
    FROM (
        SELECT product_id, count(*)::int AS cnt, sum(rating)::bigint AS total,
               (count(*) FILTER (WHERE rating = 1))::int AS c1,
               (count(*) FILTER (WHERE rating = 2))::int AS c2,
               (count(*) FILTER (WHERE rating = 3))::int AS c3,
               (count(*) FILTER (WHERE rating = 4))::int AS c4,
               (count(*) FILTER (WHERE rating = 5))::int AS c5
        FROM reviews WHERE user_id = $1 AND product_id IS NOT NULL GROUP BY product_id
    ) r
    WHERE p.id = r.product_id";

/// Locks a user's row for key share, the first lock of a write acting for that user: an
/// account's deletion locks the user before anything its cascade reaches, so a write that took
/// some of those rows first could deadlock with it. `false` when the account is gone.
pub(crate) async fn hold_user(c: &mut AsyncPgConnection, id: &str) -> Result<bool, PgError> {
    Ok(users::table
        .find(id)
        .select(users::id)
        .for_key_share()
        .first::<String>(c)
        .await
        .optional()?
        .is_some())
}

impl Users for Database {
    async fn create(&self, new: NewUser) -> DomainResult<Option<User>> {
        let mut conn = self.conn().await?;
        let inserted = diesel::insert_into(users::table)
            .values((
                users::id.eq(&new.id),
                users::name.eq(&new.name),
                users::email.eq(&new.email),
                users::password_hash.eq(&new.password_hash),
                users::user_type.eq(new.user_type.as_str()),
                users::image.eq(&new.image),
                users::created_at.eq(new.now),
                users::updated_at.eq(new.now),
            ))
            .on_conflict(users::email)
            .do_nothing()
            .execute(&mut *conn)
            .await
            .map_err(PgError::from)?;
        if inserted == 0 {
            return Ok(None);
        }
        load_user(&mut conn, &new.id)
            .await?
            .map(to_user)
            .transpose()
    }

    async fn by_id(&self, id: &str) -> DomainResult<Option<User>> {
        let mut conn = self.conn().await?;
        load_user(&mut conn, id).await?.map(to_user).transpose()
    }

    async fn credentials_by_email(&self, email: &str) -> DomainResult<Option<(User, String)>> {
        let mut conn = self.conn().await?;
        let row: Option<(UserRow, GradeRow, String)> = users::table
            .inner_join(grades::table)
            .filter(users::email.eq(email))
            .select((
                UserRow::as_select(),
                GradeRow::as_select(),
                users::password_hash,
            ))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        row.map(|(u, g, hash)| Ok((to_user((u, g))?, hash)))
            .transpose()
    }

    async fn password_hash(&self, id: &str) -> DomainResult<Option<String>> {
        let mut conn = self.conn().await?;
        Ok(users::table
            .filter(users::id.eq(id))
            .select(users::password_hash)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?)
    }

    async fn update_profile(
        &self,
        id: &str,
        changes: ProfileChanges,
        now: Timestamp,
    ) -> DomainResult<User> {
        let mut conn = self.conn().await?;
        let row = conn
            .transaction::<_, PgError, _>(async |c| {
                // The user's row before its sessions, the order the account's deletion takes.
                users::table
                    .find(id)
                    .select(users::id)
                    .for_no_key_update()
                    .first::<String>(c)
                    .await
                    .optional()?;
                if let Some(except) = &changes.revoke_sessions_except {
                    let live = refresh_tokens::table
                        .filter(refresh_tokens::user_id.eq(id))
                        .filter(refresh_tokens::revoked_at.is_null());
                    match except {
                        Some(keep) => {
                            diesel::update(live.filter(refresh_tokens::token_hash.ne(keep)))
                                .set(refresh_tokens::revoked_at.eq(now))
                                .execute(c)
                                .await?
                        }
                        None => {
                            diesel::update(live)
                                .set(refresh_tokens::revoked_at.eq(now))
                                .execute(c)
                                .await?
                        }
                    };
                }
                diesel::update(users::table.filter(users::id.eq(id)))
                    .set(UserChanges {
                        name: changes.name.clone(),
                        password_hash: changes.password_hash.clone(),
                        image: changes.image.clone(),
                        updated_at: now,
                    })
                    .execute(c)
                    .await?;
                load_user(c, id).await
            })
            .await?;
        row.map(to_user)
            .transpose()?
            // The account was deleted while this request ran.
            .ok_or_else(crate::error::account_gone)
    }

    async fn delete(&self, id: &str) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            // Lock the user first so concurrent writes of this user's rows queue behind us.
            users::table
                .filter(users::id.eq(id))
                .select(users::id)
                .for_update()
                .first::<String>(c)
                .await
                .optional()?;
            // The reviewed products' rows in id order, as orders lock products, before the
            // aggregates' update takes them in whatever order its join yields.
            fixed_sql(
                "SELECT count(*) FROM (SELECT 1 FROM products WHERE id IN
                   (SELECT product_id FROM reviews WHERE user_id = $1)
                 ORDER BY id FOR NO KEY UPDATE) locked",
            )
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(c)
            .await?;
            fixed_sql(FORGET_USER_REVIEWS)
                .bind::<diesel::sql_types::Text, _>(id)
                .execute(c)
                .await?;
            // A seller's store goes with its products.
            let products: Vec<String> = products::table
                .inner_join(stores::table)
                .filter(stores::user_id.eq(id))
                .select(products::id)
                .load(c)
                .await?;
            crate::products::release(c, products).await?;
            // Everything else follows from the foreign keys: cascades for owned rows, SET NULL
            // for orders (a buyer's orders stay for the sellers' figures).
            diesel::delete(users::table.filter(users::id.eq(id)))
                .execute(c)
                .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}
