use std::fmt;

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
pub type DomainResult<T> = Result<T, DomainError>;

/// The one error type of the domain layer. Each variant is a class of outcome the contract
/// distinguishes; the message is the normative client-facing text (spec §0.5).
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Malformed input, failed validation or a violated business rule (400).
    #[error("{0}")]
    Invalid(String),
    /// Missing, invalid or expired credentials (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Wrong user type, or not the owner of the target (403).
    #[error("{0}")]
    Forbidden(String),
    /// Unknown resource (404).
    #[error("{0}")]
    NotFound(String),
    /// Uniqueness or state conflict (409).
    #[error("{0}")]
    Conflict(String),
    /// Body or file over its limit (413).
    #[error("{0}")]
    TooLarge(String),
    /// A dependency (database, object store) cannot be reached right now (503).
    #[error("dependency unavailable: {context}")]
    Unavailable {
        context: &'static str,
        #[source]
        source: BoxError,
    },
    /// Anything unexpected (500). The cause chain is logged, never shown to clients.
    #[error("internal failure: {context}")]
    Internal {
        context: &'static str,
        #[source]
        source: BoxError,
    },
}

impl DomainError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    pub fn internal(context: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            context,
            source: source.into(),
        }
    }

    pub fn unavailable(context: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Unavailable {
            context,
            source: source.into(),
        }
    }
}

/// Collects validation problems so that one 400 reports all of them, joined with `"; "` (§0.5).
#[derive(Debug, Default)]
pub struct Violations(Vec<String>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, problem: impl fmt::Display) {
        self.0.push(format!("{field}: {problem}"));
    }

    /// Records the problem of a field parse that failed and passes through the value that worked.
    pub fn take<T>(&mut self, result: Result<T, (String, String)>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err((field, problem)) => {
                self.add(&field, problem);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> DomainResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_join_with_semicolons() {
        let mut v = Violations::new();
        v.add("name", "must not be empty");
        v.add("email", "is not a valid address");
        match v.finish() {
            Err(DomainError::Invalid(m)) => {
                assert_eq!(m, "name: must not be empty; email: is not a valid address")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn no_violations_is_ok() {
        assert!(Violations::new().finish().is_ok());
    }
}
