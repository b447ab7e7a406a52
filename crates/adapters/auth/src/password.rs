use identity::PasswordHasher;
use kernel::{DomainError, DomainResult};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use thread_priority::{ThreadPriority, set_current_thread_priority};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// bcrypt at a configurable cost. Hashing is CPU-bound, so it runs on hashing threads of its
/// own, one per core: never on an async worker, and a login flood queues instead of filling
/// the blocking pool. The hashing threads run at the lowest CPU priority (nice 19), so they use
/// every idle cycle but yield the cores at once to request workers and PostgreSQL: a login
/// flood cannot starve the other requests (make bench: product list during a login flood).
#[derive(Clone)]
pub struct BcryptHasher {
    cost: u32,
    jobs: mpsc::Sender<Job>,
    decoy: Arc<str>,
}

impl BcryptHasher {
    /// Starts the hashing threads; fails when a thread cannot be started or the cost is invalid.
    pub fn new(cost: u32) -> std::io::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..cores {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("bcrypt-{n}"))
                .spawn(move || hashing_thread(&queue))?;
        }
        let decoy = bcrypt::hash("decoy password for unknown emails", cost)
            .map_err(std::io::Error::other)?;
        Ok(Self {
            cost,
            jobs,
            decoy: decoy.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, bcrypt::BcryptError> + Send + 'static,
    ) -> DomainResult<T> {
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // The caller may have gone (a cancelled request); its result is not needed.
                let _ = done.send(work());
            }))
            .map_err(|_| {
                DomainError::internal("password hashing", "the hashing threads stopped")
            })?;
        result
            .await
            .map_err(|e| DomainError::internal("password hashing thread", e))?
            .map_err(|e| DomainError::internal("password hashing", e))
    }
}

/// Runs queued hashes until every sender is gone.
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>) {
    if let Err(e) = set_current_thread_priority(ThreadPriority::Min) {
        // Still correct, only less kind to other requests under a login flood.
        tracing::warn!(error = %e, "could not lower the priority of a password hashing thread");
    }
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(mpsc::RecvError) => return,
        }
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
    async fn hashes_and_verifies_on_low_priority_threads() {
        let h = BcryptHasher::new(4).unwrap();
        let hash = h.hash("test1234".into()).await.unwrap();
        assert!(hash.starts_with("$2b$04$"));
        assert!(h.verify("test1234".into(), hash.clone()).await.unwrap());
        assert!(!h.verify("test12345".into(), hash).await.unwrap());
        assert!(!h.verify("x".into(), "not a hash".into()).await.unwrap());
        let decoy = h.decoy_hash().to_owned();
        assert!(!h.verify("test1234".into(), decoy).await.unwrap());
        // The work ran on a hashing thread at nice 19.
        let nice = h
            .run(|| {
                let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
                let name = std::thread::current().name().map(str::to_owned);
                Ok((stat.split_whitespace().nth(18).map(str::to_owned), name))
            })
            .await
            .unwrap();
        assert_eq!(nice.0.as_deref(), Some("19"));
        assert!(nice.1.unwrap().starts_with("bcrypt-"));
    }
}
