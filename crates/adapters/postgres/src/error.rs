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

    /// A row it referenced went away: deleted by a concurrent request after the use case
    /// found it.
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(
            self,
            Self::Query(DieselError::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation,
                _
            ))
        )
    }

    /// A 404 with `missing` for a foreign key violation (see `is_foreign_key_violation`), else
    /// as mapped.
    pub fn or_gone(self, missing: &str) -> DomainError {
        self.or_gone_as(DomainError::NotFound(missing.into()))
    }

    /// `gone` for a foreign key violation, else as mapped.
    pub fn or_gone_as(self, gone: DomainError) -> DomainError {
        if self.is_foreign_key_violation() {
            gone
        } else {
            self.into()
        }
    }
}

/// A write racing the acting user's own account deletion: the account is gone, answered as a
/// token of a deleted user is (401).
pub(crate) fn account_gone() -> DomainError {
    DomainError::Unauthenticated(identity::messages::INVALID_ACCESS_TOKEN.into())
}

impl From<PgError> for DomainError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::Pool(_) => DomainError::unavailable("database", e),
            PgError::Query(DieselError::DatabaseError(kind, ref info))
                if lost_server(&kind, info.message()) =>
            {
                DomainError::unavailable("database", e)
            }
            other => DomainError::internal("database", other),
        }
    }
}

/// The server went away mid-request (restart, failover): the client should retry, so 503, not
/// 500. diesel-async reports a dropped connection (no SQLSTATE) as `UnableToSendCommand`; a
/// shutting-down server's 57P01/57P03 arrive as `Unknown` and are told apart by their message.
fn lost_server(kind: &DatabaseErrorKind, message: &str) -> bool {
    match kind {
        DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => true,
        DatabaseErrorKind::Unknown => {
            message.starts_with("terminating connection due to administrator command")
                || message.starts_with("the database system is shutting down")
                || message.starts_with("the database system is starting up")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(kind: DatabaseErrorKind, message: &str) -> DomainError {
        PgError::Query(DieselError::DatabaseError(
            kind,
            Box::new(message.to_owned()),
        ))
        .into()
    }

    #[test]
    fn a_lost_server_is_unavailable_not_internal() {
        for (kind, message) in [
            (DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            (
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
        ] {
            assert!(
                matches!(mapped(kind, message), DomainError::Unavailable { .. }),
                "{message}"
            );
        }
        assert!(matches!(
            mapped(DatabaseErrorKind::Unknown, "relation \"x\" does not exist"),
            DomainError::Internal { .. }
        ));
    }
}
