//! Authenticated write flows (spec E26 cart PATCH, E29 order placement) and bcrypt timing.

use crate::args::Args;
use crate::load::{Answer, closed_loop};
use crate::token::{BUYERS, Minter};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// (productId, sizeId) pairs with stock, one per line as `product_id|size_id` (psql -A output).
fn read_pairs(path: &str) -> Result<Vec<(String, i32)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    let pairs: Vec<(String, i32)> = text
        .lines()
        .filter_map(|line| {
            let (product, size) = line.split_once('|')?;
            Some((product.to_owned(), size.trim().parse().ok()?))
        })
        .collect();
    if pairs.is_empty() {
        return Err(format!("{path} holds no product|size pairs"));
    }
    Ok(pairs)
}

/// A cheap deterministic spread (splitmix64), so runs are repeatable without a rand crate.
fn spread(connection: usize, sequence: u64) -> u64 {
    let mut z = (connection as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(sequence.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Buyers {
    client: reqwest::Client,
    base: String,
    tokens: Vec<String>,
}

impl Buyers {
    /// One buyer per connection, so per-buyer locks (points, cart) never collide.
    fn new(args: &Args, connections: usize) -> Result<Self, String> {
        if connections == 0 || connections > BUYERS {
            return Err(format!("--connections must be 1..={BUYERS}"));
        }
        let minter = Minter::new(args.text("secret")?)?;
        let tokens = (1..=connections)
            .map(|n| minter.buyer(n))
            .collect::<Result<_, _>>()?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        Ok(Self {
            client,
            base: args.base()?,
            tokens,
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        connection: usize,
        body: Value,
    ) -> Answer {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[connection])
            .json(&body);
        if method == reqwest::Method::POST {
            // A fresh key per order, as the web client sends; it exercises the idempotency claim.
            request = request.header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        // Read the body so the connection is reused and rendering time is measured.
        response.bytes().await.map_err(|e| e.to_string())?;
        Ok(status)
    }
}

fn order_body(product_id: &str, size_id: i32) -> Value {
    json!({
        "name": "Bench Buyer",
        "phone": "010-1234-5678",
        "address": "Seoul, Bench-ro 1",
        "usePoint": 0,
        "orderItems": [{ "productId": product_id, "sizeId": size_id, "quantity": 1 }],
    })
}

/// E29 on sizes spread over the catalogue (`--pairs`) or all on one hot size (`--hot`).
pub async fn orders(args: &Args) -> Result<Value, String> {
    let scenario = args.text("scenario")?.to_owned();
    let connections: usize = args.number("connections", None)?;
    let duration = args.seconds("seconds", 10)?;
    let buyers = Arc::new(Buyers::new(args, connections)?);
    let (pairs, expected): (Vec<(String, i32)>, &[u16]) = match args.optional("hot") {
        Some(hot) => {
            let (product, size) = hot
                .rsplit_once(':')
                .ok_or("--hot must be PRODUCT_ID:SIZE_ID")?;
            let size = size.parse().map_err(|_| "--hot size must be a number")?;
            // Once the hot size is sold out, 400 (insufficient stock) is the contract's answer.
            (vec![(product.to_owned(), size)], &[201, 400])
        }
        None => (read_pairs(args.text("pairs")?)?, &[201]),
    };
    let pairs = Arc::new(pairs);
    let task_buyers = Arc::clone(&buyers);
    let (tally, elapsed) = closed_loop(connections, duration, move |connection, sequence| {
        let buyers = Arc::clone(&task_buyers);
        let pairs = Arc::clone(&pairs);
        async move {
            let (product, size) =
                &pairs[(spread(connection, sequence) % pairs.len() as u64) as usize];
            buyers
                .send(
                    reqwest::Method::POST,
                    "/api/orders",
                    connection,
                    order_body(product, *size),
                )
                .await
        }
    })
    .await;
    let placed = tally.count(201);
    let mut summary = tally.summary(&scenario, connections, elapsed, expected);
    summary["orders_placed"] = json!(placed);
    Ok(summary)
}

/// E26: each request sets the quantity of one line of the connection's buyer's cart.
pub async fn cart(args: &Args) -> Result<Value, String> {
    let scenario = args.text("scenario")?.to_owned();
    let connections: usize = args.number("connections", None)?;
    let duration = args.seconds("seconds", 10)?;
    let buyers = Arc::new(Buyers::new(args, connections)?);
    let pairs = Arc::new(read_pairs(args.text("pairs")?)?);
    let (tally, elapsed) = closed_loop(connections, duration, move |connection, sequence| {
        let buyers = Arc::clone(&buyers);
        let pairs = Arc::clone(&pairs);
        async move {
            let pick = spread(connection, sequence);
            let (product, size) = &pairs[(pick % pairs.len() as u64) as usize];
            let body = json!({
                "productId": product,
                "sizes": [{ "sizeId": size, "quantity": 1 + (pick >> 32) % 3 }],
            });
            buyers
                .send(reqwest::Method::PATCH, "/api/cart", connection, body)
                .await
        }
    })
    .await;
    Ok(tally.summary(&scenario, connections, elapsed, &[200]))
}

/// The time one bcrypt verification takes at the configured cost, and the login ceiling it
/// implies on this machine: cores ÷ time per hash.
pub fn bcrypt_time(args: &Args) -> Result<Value, String> {
    let cost: u32 = args.number("cost", None)?;
    let rounds: usize = args.number("rounds", Some(15))?;
    let hash = bcrypt::hash("BenchPass1!", cost).map_err(|e| e.to_string())?;
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let t0 = Instant::now();
            let ok = bcrypt::verify("BenchPass1!", &hash).unwrap_or(false);
            (ok, t0.elapsed().as_secs_f64() * 1000.0)
        })
        .filter_map(|(ok, ms)| ok.then_some(ms))
        .collect();
    if times.is_empty() {
        return Err("bcrypt verification failed".into());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(json!({
        "bcrypt_cost": cost,
        "hash_ms": median,
        "cores": cores,
        "limit_per_s": cores as f64 * 1000.0 / median,
    }))
}
