//! SSE streams over raw sockets: an HTTP client per stream would cost more memory than the
//! server's side of it, and 10,000 of them must fit next to the server on this machine.

use crate::args::Args;
use crate::load::percentile_ms;
use crate::token::{BUYERS, Minter, SELLERS};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc};

type Stream = BufReader<TcpStream>;

/// `host:port` of an `http://` base URL.
fn authority(base: &str) -> Result<String, String> {
    let rest = base
        .strip_prefix("http://")
        .ok_or("--base must be an http:// URL")?;
    Ok(rest.split('/').next().unwrap_or(rest).to_owned())
}

/// Opens E47 and waits for the `: connected` comment, so the stream is registered when this
/// returns (a stream without a cursor only receives notifications created after it connected).
async fn open(authority: &str, token: &str) -> Result<Stream, String> {
    let mut socket = TcpStream::connect(authority)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let request = format!(
        "GET /api/notifications/sse HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    socket
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut stream = BufReader::with_capacity(1024, socket);
    let mut line = String::new();
    stream
        .read_line(&mut line)
        .await
        .map_err(|e| format!("read: {e}"))?;
    if !line.starts_with("HTTP/1.1 200") {
        return Err(format!("stream refused: {}", line.trim_end()));
    }
    loop {
        line.clear();
        let n = stream
            .read_line(&mut line)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("stream closed before `: connected`".into());
        }
        if line.starts_with(": connected") {
            return Ok(stream);
        }
    }
}

/// Opens `count` streams, `parallel` connects at a time; `token(i)` names stream i's user.
async fn open_many(
    authority: &str,
    tokens: Vec<String>,
    parallel: usize,
) -> (Vec<Result<Stream, String>>, Duration) {
    let gate = Arc::new(Semaphore::new(parallel));
    let started = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let gate = Arc::clone(&gate);
            let authority = authority.to_owned();
            tokio::spawn(async move {
                let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                open(&authority, &token).await
            })
        })
        .collect();
    let mut streams = Vec::with_capacity(tasks.len());
    for task in tasks {
        streams.push(task.await.unwrap_or_else(|e| Err(e.to_string())));
    }
    (streams, started.elapsed())
}

fn first_error(streams: &[Result<Stream, String>]) -> Option<String> {
    streams.iter().find_map(|s| s.as_ref().err().cloned())
}

/// Reports an arrival time for every `data:` line (one per notification event).
fn watch(mut stream: Stream, arrivals: mpsc::UnboundedSender<Instant>) {
    tokio::spawn(async move {
        let mut line = String::new();
        loop {
            line.clear();
            match stream.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) if line.starts_with("data:") => {
                    if arrivals.send(Instant::now()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
            }
        }
    });
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn server_rss_mb(pid: Option<u32>) -> Option<f64> {
    rss_kb(pid?).map(|kb| kb as f64 / 1024.0)
}

/// Samples the server's RSS every 100 ms from one process, so the sampling costs the machine
/// next to nothing while it is measured; the peak is rewritten to `--out` as it grows.
pub async fn rss_watch(args: &Args) -> Result<Value, String> {
    let pid: u32 = args.number("pid", None)?;
    let out = args.text("out")?;
    let mut peak = 0;
    while let Some(kb) = rss_kb(pid) {
        if kb > peak {
            peak = kb;
            std::fs::write(out, format!("{peak}\n")).map_err(|e| format!("writing {out}: {e}"))?;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Value::Null)
}

/// Notification delivery with `--streams` open: every seller and the remaining streams on
/// buyers. Buyers post inquiries (E22); each causes N1 to the product's seller, whose stream
/// reports the arrival. Latency runs from sending the request — before its transaction
/// commits — to the event on the stream, so it bounds commit-to-client from above.
pub async fn latency(args: &Args) -> Result<Value, String> {
    let scenario = args.text("scenario")?.to_owned();
    let base = args.base()?;
    let streams: usize = args.number("streams", Some(1000))?;
    let events: usize = args.number("events", Some(1000))?;
    let senders: usize = args.number("senders", Some(8))?;
    if !(SELLERS..=SELLERS + BUYERS).contains(&streams) || senders == 0 || senders > SELLERS {
        return Err(format!(
            "--streams must be {SELLERS}..={} and --senders 1..={SELLERS}",
            SELLERS + BUYERS
        ));
    }
    let minter = Minter::new(args.text("secret")?)?;
    let mut tokens = (1..=SELLERS)
        .map(|n| minter.seller(n))
        .collect::<Result<Vec<_>, _>>()?;
    for n in 1..=streams - SELLERS {
        tokens.push(minter.buyer(n)?);
    }
    let (opened, open_time) = open_many(&authority(&base)?, tokens, 64).await;
    let failed = opened.iter().filter(|s| s.is_err()).count();
    if let Some(e) = first_error(&opened) {
        return Err(format!("{failed} of {streams} streams failed to open: {e}"));
    }
    let mut arrivals = Vec::with_capacity(SELLERS);
    // Idle buyer streams stay open (and count) until the measurement ends.
    let mut idle_streams = Vec::with_capacity(streams - SELLERS);
    for (i, stream) in opened.into_iter().flatten().enumerate() {
        if i < SELLERS {
            let (tx, rx) = mpsc::unbounded_channel();
            watch(stream, tx);
            arrivals.push(rx);
        } else {
            idle_streams.push(stream);
        }
    }

    let client = reqwest::Client::new();
    let buyer_tokens: Arc<Vec<String>> = Arc::new(
        (1..=senders)
            .map(|n| minter.buyer(n))
            .collect::<Result<_, _>>()?,
    );
    // Sender s owns sellers s, s + senders, …: one inquiry in flight per seller at a time.
    let mut by_sender: Vec<Vec<(usize, mpsc::UnboundedReceiver<Instant>)>> =
        (0..senders).map(|_| Vec::new()).collect();
    for (i, rx) in arrivals.into_iter().enumerate() {
        by_sender[i % senders].push((i + 1, rx));
    }
    let per_sender = events.div_ceil(senders);
    let started = Instant::now();
    let tasks: Vec<_> = by_sender
        .into_iter()
        .enumerate()
        .map(|(s, mut sellers)| {
            let client = client.clone();
            let base = base.clone();
            let tokens = Arc::clone(&buyer_tokens);
            tokio::spawn(async move {
                let mut send_to_event = Vec::new();
                let mut created_to_event = Vec::new();
                let mut lost = 0u64;
                let mut refused = 0u64;
                for k in 0..per_sender {
                    let slot = k % sellers.len();
                    let (seller, rx) = &mut sellers[slot];
                    let t0 = Instant::now();
                    let sent = client
                        .post(format!("{base}/api/products/bench-product-{seller}/inquiries"))
                        .bearer_auth(&tokens[s])
                        .json(&json!({ "title": "Bench size question", "content": format!("Does it run true to size? #{k}") }))
                        .send()
                        .await;
                    let created = Instant::now();
                    if !matches!(&sent, Ok(r) if r.status().as_u16() == 201) {
                        refused += 1;
                        continue;
                    }
                    match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                        Ok(Some(at)) => {
                            send_to_event.push(at.duration_since(t0).as_micros() as u64);
                            created_to_event
                                .push(at.saturating_duration_since(created).as_micros() as u64);
                        }
                        _ => lost += 1,
                    }
                }
                (send_to_event, created_to_event, lost, refused)
            })
        })
        .collect();
    let (mut send_to_event, mut created_to_event, mut lost, mut refused) = (vec![], vec![], 0, 0);
    for task in tasks {
        let (a, b, l, r) = task.await.map_err(|e| e.to_string())?;
        send_to_event.extend(a);
        created_to_event.extend(b);
        lost += l;
        refused += r;
    }
    let elapsed = started.elapsed();
    drop(idle_streams);
    send_to_event.sort_unstable();
    created_to_event.sort_unstable();
    Ok(json!({
        "scenario": scenario,
        "connections": streams,
        "requests": send_to_event.len(),
        "seconds": elapsed.as_secs_f64(),
        "rps": send_to_event.len() as f64 / elapsed.as_secs_f64().max(1e-9),
        "p50_ms": percentile_ms(&send_to_event, 50.0),
        "p99_ms": percentile_ms(&send_to_event, 99.0),
        "errors": lost + refused,
        "lost_events": lost,
        "refused_requests": refused,
        "after_201_p50_ms": percentile_ms(&created_to_event, 50.0),
        "after_201_p99_ms": percentile_ms(&created_to_event, 99.0),
        "open_seconds": open_time.as_secs_f64(),
    }))
}

/// `--streams` idle streams held open for `--hold` seconds; the server's RSS is read while they
/// are all open, and before, to give the cost per stream.
pub async fn idle(args: &Args) -> Result<Value, String> {
    let scenario = args.text("scenario")?.to_owned();
    let base = args.base()?;
    let streams: usize = args.number("streams", Some(10_000))?;
    let hold = args.seconds("hold", 5)?;
    let pid: Option<u32> = args.optional("server-pid").and_then(|p| p.parse().ok());
    let minter = Minter::new(args.text("secret")?)?;
    // Buyers open several streams each beyond 5,000, as tabs do.
    let tokens = (0..streams)
        .map(|i| minter.buyer(i % BUYERS + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let rss_before = server_rss_mb(pid);
    let (opened, open_time) = open_many(&authority(&base)?, tokens, 256).await;
    let failed = opened.iter().filter(|s| s.is_err()).count();
    let error = first_error(&opened);
    tokio::time::sleep(hold).await;
    let rss_open = server_rss_mb(pid);
    // Every stream must still be open after the hold: a peek that finds EOF means it was dropped.
    let mut dropped = 0;
    for stream in opened.iter().flatten() {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), stream.get_ref().peek(&mut byte)).await
        {
            dropped += 1;
        }
    }
    let open = streams - failed;
    drop(opened);
    let per_stream_kb = match (rss_before, rss_open) {
        (Some(before), Some(open_rss)) if open > 0 => {
            Some((open_rss - before) * 1024.0 / open as f64)
        }
        _ => None,
    };
    Ok(json!({
        "scenario": scenario,
        "connections": streams,
        "requests": open,
        "seconds": open_time.as_secs_f64(),
        "rps": open as f64 / open_time.as_secs_f64().max(1e-9),
        "errors": failed + dropped,
        "open_error": error,
        "rss_mb": rss_open,
        "rss_before_mb": rss_before,
        "kb_per_stream": per_stream_kb,
    }))
}
