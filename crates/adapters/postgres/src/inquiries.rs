use crate::Database;
use crate::dynamic::Bind;
use crate::error::PgError;
use crate::fixed::{fixed_sql, shaped};
use crate::notifications::emit;
use crate::schema::{inquiries, replies};
use crate::users::hold_user;
use ::notifications::NewNotification;
use community::{
    Inquiries, Inquiry, InquiryChanges, InquirySort, InquiryStatus, NewInquiry, NewReply,
    ProductInquiryQuery, ProductRef, Reply,
};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::paging::PageRequest;
use kernel::{DomainError, DomainResult, Timestamp};
use std::sync::LazyLock;

/// An inquiry with its author, product, store and reply.
const SELECT: &str = "
    SELECT i.id, i.user_id, u.name AS user_name, i.title, i.content, i.status, i.is_secret,
           i.created_at, i.updated_at,
           p.id AS product_id, p.name AS product_name, p.image AS product_image,
           s.id AS store_id, s.name AS store_name, s.user_id AS seller_id,
           r.id AS reply_id, r.user_id AS reply_user_id, ru.name AS reply_user_name,
           r.content AS reply_content, r.created_at AS reply_created_at,
           r.updated_at AS reply_updated_at
    FROM inquiries i
    JOIN users u ON u.id = i.user_id
    JOIN products p ON p.id = i.product_id
    JOIN stores s ON s.id = p.store_id
    LEFT JOIN replies r ON r.inquiry_id = i.id
    LEFT JOIN users ru ON ru.id = r.user_id";

const FROM_FOR_COUNT: &str = "
    FROM inquiries i JOIN products p ON p.id = i.product_id JOIN stores s ON s.id = p.store_id";

/// One inquiry by id: fixed text, built once, kept prepared.
static ONE_SQL: LazyLock<String> = LazyLock::new(|| format!("{SELECT} WHERE i.id = $1"));

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Text)]
    user_name: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    content: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bool)]
    is_secret: bool,
    #[diesel(sql_type = Timestamptz)]
    created_at: Timestamp,
    #[diesel(sql_type = Timestamptz)]
    updated_at: Timestamp,
    #[diesel(sql_type = Text)]
    product_id: String,
    #[diesel(sql_type = Text)]
    product_name: String,
    #[diesel(sql_type = Text)]
    product_image: String,
    #[diesel(sql_type = Text)]
    store_id: String,
    #[diesel(sql_type = Text)]
    store_name: String,
    #[diesel(sql_type = Text)]
    seller_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    reply_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    reply_user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    reply_user_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    reply_content: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    reply_created_at: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    reply_updated_at: Option<Timestamp>,
}

impl Row {
    fn into_inquiry(self) -> DomainResult<Inquiry> {
        let status = InquiryStatus::parse_stored(&self.status).ok_or_else(|| {
            DomainError::internal(
                "inquiries.status",
                format!("unknown status {:?}", self.status),
            )
        })?;
        let reply = match (
            self.reply_id,
            self.reply_user_id,
            self.reply_content,
            self.reply_created_at,
            self.reply_updated_at,
        ) {
            (Some(id), Some(user_id), Some(content), Some(created_at), Some(updated_at)) => {
                Some(Reply {
                    id,
                    inquiry_id: self.id.clone(),
                    user_id,
                    user_name: self.reply_user_name.unwrap_or_default(),
                    content,
                    created_at,
                    updated_at,
                })
            }
            _ => None,
        };
        Ok(Inquiry {
            id: self.id,
            user_id: self.user_id,
            user_name: self.user_name,
            title: self.title,
            content: self.content,
            status,
            is_secret: self.is_secret,
            created_at: self.created_at,
            updated_at: self.updated_at,
            reply,
            product: ProductRef {
                id: self.product_id,
                name: self.product_name,
                image: self.product_image,
                store_id: self.store_id,
                store_name: self.store_name,
                seller_id: self.seller_id,
            },
        })
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

async fn load_one(conn: &mut AsyncPgConnection, id: &str) -> Result<Option<Row>, PgError> {
    Ok(fixed_sql(&ONE_SQL)
        .bind::<Text, _>(id)
        .get_result::<Row>(conn)
        .await
        .optional()?)
}

/// One page (or all rows) of inquiries matching `clause`, and their count.
async fn page_of(
    db: &Database,
    clause: String,
    mut binds: Vec<Bind>,
    order: &str,
    page: Option<PageRequest>,
) -> DomainResult<(Vec<Inquiry>, i64)> {
    let mut conn = db.conn().await?;
    // Unpaged (the product detail's list), the rows are the count.
    let total = match page {
        Some(_) => Some(
            shaped(
                format!("SELECT count(*) AS count {FROM_FOR_COUNT} {clause}"),
                &binds,
            )
            .get_result::<Count>(&mut *conn)
            .await
            .map_err(PgError::from)?
            .count,
        ),
        None => None,
    };
    let mut sql = format!("{SELECT} {clause} ORDER BY {order}");
    if let Some(page) = page {
        sql.push_str(&format!(
            " LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        binds.push(Bind::BigInt(page.size));
        binds.push(Bind::BigInt(page.offset()));
    }
    let rows: Vec<Row> = shaped(sql, &binds)
        .load(&mut *conn)
        .await
        .map_err(PgError::from)?;
    let list: Vec<Inquiry> = rows
        .into_iter()
        .map(Row::into_inquiry)
        .collect::<DomainResult<_>>()?;
    let total = total.unwrap_or(list.len() as i64);
    Ok((list, total))
}

fn with_status(mut clause: String, binds: &mut Vec<Bind>, status: Option<InquiryStatus>) -> String {
    if let Some(status) = status {
        binds.push(Bind::Text(status.as_str().to_owned()));
        clause.push_str(&format!(" AND i.status = ${}", binds.len()));
    }
    clause
}

const NEWEST_FIRST: &str = "i.created_at DESC, i.id DESC";

/// Locks an inquiry's row before its reply's, the order the inquiry's own deletion takes them
/// in (parent, then the children its cascade reaches).
async fn lock_inquiry(c: &mut AsyncPgConnection, id: &str) -> Result<(), PgError> {
    inquiries::table
        .find(id)
        .select(inquiries::id)
        .for_no_key_update()
        .first::<String>(c)
        .await
        .optional()?;
    Ok(())
}

impl Inquiries for Database {
    async fn product(&self, product_id: &str) -> DomainResult<Option<ProductRef>> {
        use crate::schema::{products, stores};
        let mut conn = self.conn().await?;
        let row: Option<(String, String, String, String, String, String)> = products::table
            .inner_join(stores::table)
            .filter(products::id.eq(product_id))
            .select((
                products::id,
                products::name,
                products::image,
                stores::id,
                stores::name,
                stores::user_id,
            ))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(
            |(id, name, image, store_id, store_name, seller_id)| ProductRef {
                id,
                name,
                image,
                store_id,
                store_name,
                seller_id,
            },
        ))
    }

    async fn create(
        &self,
        new: NewInquiry,
        notify: Option<NewNotification>,
    ) -> DomainResult<Inquiry> {
        let mut conn = self.conn().await?;
        let row = conn
            .transaction::<_, PgError, _>(async |c| {
                diesel::insert_into(inquiries::table)
                    .values((
                        inquiries::id.eq(&new.id),
                        inquiries::user_id.eq(&new.user_id),
                        inquiries::product_id.eq(&new.product_id),
                        inquiries::title.eq(&new.title),
                        inquiries::content.eq(&new.content),
                        inquiries::is_secret.eq(new.is_secret),
                        inquiries::created_at.eq(new.now),
                        inquiries::updated_at.eq(new.now),
                    ))
                    .execute(c)
                    .await?;
                if let Some(n) = &notify {
                    emit(c, n, new.now).await?;
                }
                load_one(c, &new.id).await
            })
            .await
            // The product was deleted since the use case found it.
            .map_err(|e| e.or_gone(community::messages::PRODUCT_NOT_FOUND))?;
        row.ok_or_else(|| DomainError::internal("inquiries.create", "inquiry vanished"))?
            .into_inquiry()
    }

    async fn by_id(&self, id: &str) -> DomainResult<Option<Inquiry>> {
        let mut conn = self.conn().await?;
        load_one(&mut conn, id)
            .await?
            .map(Row::into_inquiry)
            .transpose()
    }

    async fn of_product(
        &self,
        product_id: &str,
        query: ProductInquiryQuery,
    ) -> DomainResult<(Vec<Inquiry>, i64)> {
        let mut binds = vec![Bind::Text(product_id.to_owned())];
        let clause = with_status("WHERE i.product_id = $1".into(), &mut binds, query.status);
        let order = match query.sort {
            InquirySort::Recent => NEWEST_FIRST,
            InquirySort::Oldest => "i.created_at ASC, i.id ASC",
        };
        page_of(self, clause, binds, order, query.page).await
    }

    async fn of_author(
        &self,
        user_id: &str,
        page: PageRequest,
        status: Option<InquiryStatus>,
    ) -> DomainResult<(Vec<Inquiry>, i64)> {
        let mut binds = vec![Bind::Text(user_id.to_owned())];
        let clause = with_status("WHERE i.user_id = $1".into(), &mut binds, status);
        page_of(self, clause, binds, NEWEST_FIRST, Some(page)).await
    }

    async fn of_seller(
        &self,
        seller_id: &str,
        page: PageRequest,
        status: Option<InquiryStatus>,
    ) -> DomainResult<(Vec<Inquiry>, i64)> {
        let mut binds = vec![Bind::Text(seller_id.to_owned())];
        let clause = with_status("WHERE s.user_id = $1".into(), &mut binds, status);
        page_of(self, clause, binds, NEWEST_FIRST, Some(page)).await
    }

    async fn update_unanswered(
        &self,
        id: &str,
        changes: InquiryChanges,
        now: Timestamp,
    ) -> DomainResult<Option<Inquiry>> {
        #[derive(AsChangeset)]
        #[diesel(table_name = inquiries)]
        struct Update {
            title: Option<String>,
            content: Option<String>,
            is_secret: Option<bool>,
            updated_at: Timestamp,
        }
        let mut conn = self.conn().await?;
        // The status, on the row itself, not a look at `replies`: an edit waiting on a reply's
        // lock of this row re-checks the row as the reply left it, while a subquery would still
        // see no reply and let an answered inquiry be edited.
        let unanswered = inquiries::status.eq(InquiryStatus::WaitingAnswer.as_str());
        let updated = diesel::update(inquiries::table.find(id).filter(unanswered))
            .set(Update {
                title: changes.title,
                content: changes.content,
                is_secret: changes.is_secret,
                updated_at: now,
            })
            .execute(&mut *conn)
            .await
            .map_err(PgError::from)?;
        if updated == 0 {
            return Ok(None);
        }
        load_one(&mut conn, id)
            .await?
            .map(Row::into_inquiry)
            .transpose()
    }

    async fn delete(&self, id: &str) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        diesel::delete(inquiries::table.find(id))
            .execute(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    async fn reply_by_id(&self, id: &str) -> DomainResult<Option<Reply>> {
        let mut conn = self.conn().await?;
        let inquiry_id: Option<String> = replies::table
            .find(id)
            .select(replies::inquiry_id)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        let Some(inquiry_id) = inquiry_id else {
            return Ok(None);
        };
        let inquiry = load_one(&mut conn, &inquiry_id)
            .await?
            .map(Row::into_inquiry)
            .transpose()?;
        Ok(inquiry.and_then(|i| i.reply))
    }

    async fn create_reply(
        &self,
        new: NewReply,
        notify: Option<NewNotification>,
    ) -> DomainResult<Option<Reply>> {
        let mut conn = self.conn().await?;
        let created = conn
            .transaction::<_, PgError, _>(async |c| {
                // The seller, then the inquiry, then the reply: parents before children, as
                // the deletions that cascade to them take them.
                hold_user(c, &new.user_id).await?;
                lock_inquiry(c, &new.inquiry_id).await?;
                let inserted = diesel::insert_into(replies::table)
                    .values((
                        replies::id.eq(&new.id),
                        replies::inquiry_id.eq(&new.inquiry_id),
                        replies::user_id.eq(&new.user_id),
                        replies::content.eq(&new.content),
                        replies::created_at.eq(new.now),
                        replies::updated_at.eq(new.now),
                    ))
                    .on_conflict(replies::inquiry_id)
                    .do_nothing()
                    .execute(c)
                    .await?;
                if inserted == 0 {
                    return Ok(None);
                }
                diesel::update(inquiries::table.find(&new.inquiry_id))
                    .set((
                        inquiries::status.eq(InquiryStatus::CompletedAnswer.as_str()),
                        inquiries::updated_at.eq(new.now),
                    ))
                    .execute(c)
                    .await?;
                if let Some(n) = &notify {
                    emit(c, n, new.now).await?;
                }
                // Read back in the transaction: a deletion right after the commit must not
                // make this reply look like someone else's (a 409).
                load_one(c, &new.inquiry_id).await
            })
            .await
            // The inquiry was deleted since the use case found it.
            .map_err(|e| e.or_gone(community::messages::INQUIRY_NOT_FOUND))?;
        created
            .map(Row::into_inquiry)
            .transpose()
            .map(|inquiry| inquiry.and_then(|i| i.reply))
    }

    async fn update_reply(&self, id: &str, content: String, now: Timestamp) -> DomainResult<Reply> {
        let mut conn = self.conn().await?;
        diesel::update(replies::table.find(id))
            .set((replies::content.eq(content), replies::updated_at.eq(now)))
            .execute(&mut *conn)
            .await
            .map_err(PgError::from)?;
        drop(conn);
        self.reply_by_id(id)
            .await?
            .ok_or_else(|| DomainError::NotFound(community::messages::REPLY_NOT_FOUND.into()))
    }

    async fn delete_reply(&self, reply: &Reply, now: Timestamp) -> DomainResult<()> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, PgError, _>(async |c| {
            // The inquiry before its reply, the order the inquiry's own deletion takes.
            lock_inquiry(c, &reply.inquiry_id).await?;
            let deleted = diesel::delete(replies::table.find(&reply.id))
                .execute(c)
                .await?;
            if deleted == 1 {
                diesel::update(inquiries::table.find(&reply.inquiry_id))
                    .set((
                        inquiries::status.eq(InquiryStatus::WaitingAnswer.as_str()),
                        inquiries::updated_at.eq(now),
                    ))
                    .execute(c)
                    .await?;
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}
