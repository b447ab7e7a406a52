use identity::PasswordHasher;
use kernel::{DomainError, DomainResult};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// bcrypt at a configurable cost. Hashing is CPU-bound, so it runs on the blocking pool, never
/// on an async worker, and at most one hash per core runs at once so a login flood queues
/// instead of starving the blocking pool.
#[derive(Clone)]
pub struct BcryptHasher {
    cost: u32,
    permits: Arc<Semaphore>,
    decoy: Arc<str>,
}

impl BcryptHasher {
    pub fn new(cost: u32) -> Result<Self, bcrypt::BcryptError> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let decoy = bcrypt::hash("decoy password for unknown emails", cost)?;
        Ok(Self {
            cost,
            permits: Arc::new(Semaphore::new(cores)),
            decoy: decoy.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, bcrypt::BcryptError> + Send + 'static,
    ) -> DomainResult<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| DomainError::internal("password hashing closed", e))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| DomainError::internal("password hashing task", e))?
            .map_err(|e| DomainError::internal("password hashing", e))
    }
}

impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: String) -> DomainResult<String> {
        let cost = self.cost;
        self.run(move || bcrypt::hash(password, cost)).await
    }

    async fn verify(&self, password: String, hash: String) -> DomainResult<bool> {
        // A malformed stored hash is a failed login, not a server error.
        self.run(move || Ok(bcrypt::verify(password, &hash).unwrap_or(false)))
            .await
    }

    fn decoy_hash(&self) -> &str {
        &self.decoy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies_off_the_worker() {
        let h = BcryptHasher::new(4).unwrap();
        let hash = h.hash("test1234".into()).await.unwrap();
        assert!(hash.starts_with("$2b$04$"));
        assert!(h.verify("test1234".into(), hash.clone()).await.unwrap());
        assert!(!h.verify("test12345".into(), hash).await.unwrap());
        assert!(!h.verify("x".into(), "not a hash".into()).await.unwrap());
        let decoy = h.decoy_hash().to_owned();
        assert!(!h.verify("test1234".into(), decoy).await.unwrap());
    }
}
