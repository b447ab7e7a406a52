//! A minimal Server-Sent Events client for the tests: reads frames as the server writes them.

use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `: text`
    Comment(String),
    /// An event: its `id:` and its `data:` parsed as JSON, plus every raw line.
    Event {
        id: i64,
        data: Value,
        lines: Vec<String>,
    },
}

pub struct SseClient {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    stream: Option<futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>>,
    buffer: String,
    pub body_if_error: String,
}

impl SseClient {
    pub async fn connect(request: reqwest::RequestBuilder) -> Self {
        let response = request
            .send()
            .await
            .expect("the stream request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if status != 200 {
            let body = response.text().await.unwrap_or_default();
            return Self {
                status,
                headers,
                stream: None,
                buffer: String::new(),
                body_if_error: body,
            };
        }
        Self {
            status,
            headers,
            stream: Some(response.bytes_stream().boxed()),
            buffer: String::new(),
            body_if_error: String::new(),
        }
    }

    /// The next frame, or `None` when none arrives within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(raw.trim_end_matches('\n')));
            }
            let stream = self.stream.as_mut()?;
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(Ok(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next event, skipping comments (`: ping`).
    pub async fn next_event(&mut self, wait: Duration) -> Option<(i64, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await? {
                Frame::Event { id, data, .. } => return Some((id, data)),
                Frame::Comment(_) => continue,
            }
        }
    }

    /// Every event that arrives until `quiet` passes without one.
    pub async fn drain_events(&mut self, quiet: Duration) -> Vec<(i64, Value)> {
        let mut events = Vec::new();
        while let Some(e) = self.next_event(quiet).await {
            events.push(e);
        }
        events
    }
}

fn parse(raw: &str) -> Frame {
    let lines: Vec<String> = raw.lines().map(str::to_owned).collect();
    if lines.iter().all(|l| l.starts_with(':')) {
        return Frame::Comment(lines.join("\n").trim_start_matches(':').trim().to_owned());
    }
    let id = lines
        .iter()
        .find_map(|l| l.strip_prefix("id: "))
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let data = lines
        .iter()
        .find_map(|l| l.strip_prefix("data: "))
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or(Value::Null);
    Frame::Event { id, data, lines }
}
