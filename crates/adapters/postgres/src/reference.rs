use crate::Database;
use crate::error::PgError;
use crate::schema::{categories, grades, sizes};
use catalog::{Category, ReferenceData, Size, SizeLabel};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::DomainResult;
use loyalty::{Grade, GradeCatalog};

/// A grade row, selected with the DSL or by column name (`id, name, rate, min_amount`).
#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = grades)]
pub(crate) struct GradeRow {
    id: String,
    name: String,
    rate: i32,
    min_amount: i64,
}

impl From<GradeRow> for Grade {
    fn from(r: GradeRow) -> Self {
        Grade {
            id: r.id,
            name: r.name,
            rate: r.rate,
            min_amount: r.min_amount,
        }
    }
}

impl GradeCatalog for Database {
    async fn all_grades(&self) -> DomainResult<Vec<Grade>> {
        let mut conn = self.conn().await?;
        let rows: Vec<GradeRow> = grades::table
            .select(GradeRow::as_select())
            .order(grades::min_amount.asc())
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows.into_iter().map(Grade::from).collect())
    }
}

impl ReferenceData for Database {
    async fn sizes(&self) -> DomainResult<Vec<Size>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(i32, String, String, String)> = sizes::table
            .select((sizes::id, sizes::name, sizes::en, sizes::ko))
            .order(sizes::id.asc())
            .load(&mut *conn)
            .await
            .map_err(PgError::from)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, en, ko)| Size {
                id,
                name,
                size: SizeLabel { en, ko },
            })
            .collect())
    }

    async fn category_by_name(&self, lower_name: &str) -> DomainResult<Option<Category>> {
        let mut conn = self.conn().await?;
        let row: Option<(String, String)> = categories::table
            .filter(categories::name.eq(lower_name))
            .select((categories::id, categories::name))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(PgError::from)?;
        Ok(row.map(|(id, name)| Category { id, name }))
    }
}
