use diesel::result::{DatabaseErrorKind, Error as DieselError};
use kernel::DomainError;

/// Errors of this adapter, mapped into the domain error at the port seam.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("database query failed")]
    Query(#[from] DieselError),
    #[error("no database connection available")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
}

impl PgError {
    /// The violated unique constraint's name, if this is a unique violation.
    pub fn unique_violation(&self) -> Option<&str> {
        match self {
            Self::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
                info.constraint_name()
            }
            _ => None,
        }
    }
}

impl From<PgError> for DomainError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::Pool(_) => DomainError::unavailable("database", e),
            PgError::Query(DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)) => {
                DomainError::unavailable("database", e)
            }
            other => DomainError::internal("database", other),
        }
    }
}
