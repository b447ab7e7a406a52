//! A closed-loop load runner: each connection sends its next request as soon as the previous
//! answer arrives, like wrk, so the figures are comparable with the wrk scenarios.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One request's result: the HTTP status, or a transport failure.
pub type Answer = Result<u16, String>;

#[derive(Default)]
pub struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    transport_errors: u64,
    first_transport_error: Option<String>,
}

impl Tally {
    fn record(&mut self, answer: Answer, took: Duration) {
        self.latencies_us.push(took.as_micros() as u64);
        match answer {
            Ok(status) => *self.statuses.entry(status).or_default() += 1,
            Err(e) => {
                self.transport_errors += 1;
                self.first_transport_error.get_or_insert(e);
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        self.transport_errors += other.transport_errors;
        if self.first_transport_error.is_none() {
            self.first_transport_error = other.first_transport_error;
        }
    }

    pub fn count(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// The scenario's JSON record; `expected` statuses are not errors.
    pub fn summary(
        mut self,
        scenario: &str,
        connections: usize,
        elapsed: Duration,
        expected: &[u16],
    ) -> Value {
        self.latencies_us.sort_unstable();
        let requests = self.latencies_us.len() as u64;
        let unexpected: u64 = self
            .statuses
            .iter()
            .filter(|(s, _)| !expected.contains(s))
            .map(|(_, n)| n)
            .sum();
        let statuses: BTreeMap<String, u64> = self
            .statuses
            .iter()
            .map(|(s, n)| (s.to_string(), *n))
            .collect();
        json!({
            "scenario": scenario,
            "connections": connections,
            "requests": requests,
            "seconds": elapsed.as_secs_f64(),
            "rps": requests as f64 / elapsed.as_secs_f64().max(1e-9),
            "p50_ms": percentile_ms(&self.latencies_us, 50.0),
            "p99_ms": percentile_ms(&self.latencies_us, 99.0),
            "errors": unexpected + self.transport_errors,
            "statuses": statuses,
            "transport_error": self.first_transport_error,
        })
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
pub fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    sorted_us[rank.clamp(1, sorted_us.len()) - 1] as f64 / 1000.0
}

/// Runs `connections` loops for `duration`; `request(connection, sequence)` sends one request.
pub async fn closed_loop<F, Fut>(
    connections: usize,
    duration: Duration,
    request: F,
) -> (Tally, Duration)
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Answer> + Send,
{
    let request = Arc::new(request);
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..connections)
        .map(|connection| {
            let request = Arc::clone(&request);
            tokio::spawn(async move {
                let mut tally = Tally::default();
                let mut sequence = 0;
                while Instant::now() < deadline {
                    let t0 = Instant::now();
                    let answer = request(connection, sequence).await;
                    tally.record(answer, t0.elapsed());
                    sequence += 1;
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for worker in workers {
        match worker.await {
            Ok(tally) => total.merge(tally),
            Err(e) => {
                total.transport_errors += 1;
                total.first_transport_error.get_or_insert(e.to_string());
            }
        }
    }
    (total, started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let us: Vec<u64> = (1..=100).map(|n| n * 1000).collect();
        assert_eq!(percentile_ms(&us, 50.0), 50.0);
        assert_eq!(percentile_ms(&us, 99.0), 99.0);
        assert_eq!(percentile_ms(&us[..1], 99.0), 1.0);
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
    }

    #[test]
    fn expected_statuses_are_not_errors() {
        let mut tally = Tally::default();
        tally.record(Ok(201), Duration::from_millis(2));
        tally.record(Ok(400), Duration::from_millis(3));
        tally.record(Ok(500), Duration::from_millis(4));
        tally.record(Err("reset".into()), Duration::from_millis(5));
        let v = tally.summary("s", 1, Duration::from_secs(1), &[201, 400]);
        assert_eq!(v["errors"], 2);
        assert_eq!(v["requests"], 4);
        assert_eq!(v["statuses"]["400"], 1);
        assert_eq!(v["transport_error"], "reset");
    }
}
