//! The `make bench` table. Input is JSON lines; records with the same `scenario` merge (the
//! load generator's figures, the server RSS sampled beside it, the targets), in first-seen order.
//! A row with `compare` shows its throughput as a share of the named row's (the pgbench limit,
//! or the bcrypt ceiling for login).

use crate::args::Args;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

fn merge_rows(input: &str) -> Result<Vec<Map<String, Value>>, String> {
    let mut rows: Vec<Map<String, Value>> = Vec::new();
    for (n, line) in input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let Value::Object(record) =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?
        else {
            return Err(format!("line {}: not a JSON object", n + 1));
        };
        let Some(name) = record
            .get("scenario")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Err(format!("line {}: no `scenario`", n + 1));
        };
        match rows.iter_mut().find(|r| r["scenario"] == name.as_str()) {
            Some(row) => row.extend(record),
            None => rows.push(record),
        }
    }
    Ok(rows)
}

fn number(row: &Map<String, Value>, key: &str) -> Option<f64> {
    row.get(key).and_then(Value::as_f64)
}

/// Adds `share` and `verdict` (the missed targets, or "ok") to every row.
fn judge(rows: &mut [Map<String, Value>]) {
    let throughput: Vec<(String, Option<f64>)> = rows
        .iter()
        .map(|r| {
            (
                r["scenario"].as_str().unwrap_or_default().to_owned(),
                number(r, "rps"),
            )
        })
        .collect();
    for row in rows.iter_mut() {
        let share = row
            .get("compare")
            .and_then(Value::as_str)
            .and_then(|name| throughput.iter().find(|(n, _)| n == name))
            .and_then(|(_, limit)| Some(number(row, "rps")? / (*limit)?));
        if let Some(share) = share {
            row.insert("share".into(), json!(share));
        }
        let Some(Value::Object(targets)) = row.get("targets").cloned() else {
            continue;
        };
        let mut missed = Vec::new();
        for (target, bound) in &targets {
            // A boolean target is a fact the row must state (e.g. `stock_consistent: true`).
            if let Value::Bool(expected) = bound {
                if row.get(target) != Some(&Value::Bool(*expected)) {
                    missed.push(format!(
                        "{target} (got {})",
                        row.get(target).unwrap_or(&Value::Null)
                    ));
                }
                continue;
            }
            let Some(bound) = bound.as_f64() else {
                continue;
            };
            let (value, ok) = match target.as_str() {
                "share_min" => (share, share.map(|s| s >= bound)),
                "p99_ms_max" => (
                    number(row, "p99_ms"),
                    number(row, "p99_ms").map(|v| v < bound),
                ),
                "errors_max" => (
                    number(row, "errors"),
                    number(row, "errors").map(|v| v <= bound),
                ),
                "rss_mb_max" => (
                    number(row, "rss_mb"),
                    number(row, "rss_mb").map(|v| v < bound),
                ),
                _ => (None, None),
            };
            if ok != Some(true) {
                // A share is shown to three places: 0.598 is not "0.60" against a bound of 0.6.
                let places = if target == "share_min" { 3 } else { 2 };
                missed.push(format!(
                    "{target} {bound} (got {})",
                    value.map_or("nothing".into(), |v| format!("{v:.places$}"))
                ));
            }
        }
        let verdict = if missed.is_empty() {
            "ok".to_owned()
        } else {
            missed.join("; ")
        };
        row.insert("verdict".into(), json!(verdict));
    }
}

fn cell(row: &Map<String, Value>, key: &str, decimals: usize) -> String {
    match row.get(key) {
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if decimals == 0 => format!("{v:.0}"),
            Some(v) => format!("{v:.decimals$}"),
            None => n.to_string(),
        },
        _ => "-".into(),
    }
}

fn table(rows: &[Map<String, Value>]) -> String {
    let header = [
        "scenario", "conns", "req/s", "p50 ms", "p99 ms", "errors", "RSS MB", "share", "targets",
    ];
    let lines: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r["scenario"].as_str().unwrap_or_default().to_owned(),
                cell(r, "connections", 0),
                cell(r, "rps", 1),
                cell(r, "p50_ms", 2),
                cell(r, "p99_ms", 2),
                cell(r, "errors", 0),
                cell(r, "rss_mb", 1),
                number(r, "share").map_or("-".into(), |s| format!("{:.1}%", s * 100.0)),
                r.get("verdict")
                    .and_then(Value::as_str)
                    .unwrap_or("-")
                    .to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &lines {
        for (w, c) in widths.iter_mut().zip(line) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut put = |cells: &[String]| {
        let mut text = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            // Text columns align left, figures right.
            if i == 0 || i == 8 {
                let _ = write!(text, "{c}{} ", " ".repeat(pad));
            } else {
                let _ = write!(text, "{}{c} ", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    put(&header.map(String::from));
    put(&widths.map(|w| "-".repeat(w)));
    for line in &lines {
        put(line);
    }
    out
}

pub fn render(args: &Args) -> Result<Value, String> {
    let path = args.text("input")?;
    let input = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    let mut rows = merge_rows(&input)?;
    judge(&mut rows);
    print!("{}", table(&rows));
    let out = args.text("json")?;
    let document = json!({ "rows": rows });
    let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    std::fs::write(out, text + "\n").map_err(|e| format!("writing {out}: {e}"))?;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: &str = r#"
{"scenario":"pgbench: list","rps":1000.0}
{"scenario":"list","connections":64,"rps":800.0,"p50_ms":3.0,"p99_ms":20.0,"errors":0}
{"scenario":"list","rss_mb":40.5,"compare":"pgbench: list","targets":{"share_min":0.7,"p99_ms_max":25,"rss_mb_max":60,"errors_max":0}}
{"scenario":"orders","rps":300.0,"p99_ms":90.0,"errors":2,"compare":"pgbench: list","stock_consistent":false,"targets":{"share_min":0.6,"errors_max":0,"stock_consistent":true}}
"#;

    #[test]
    fn rows_merge_by_scenario_and_are_judged() {
        let mut rows = merge_rows(INPUT).unwrap();
        judge(&mut rows);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1]["rss_mb"], 40.5);
        assert_eq!(rows[1]["share"], 0.8);
        assert_eq!(rows[1]["verdict"], "ok");
        let verdict = rows[2]["verdict"].as_str().unwrap();
        assert!(verdict.contains("share_min 0.6 (got 0.300)"), "{verdict}");
        assert!(verdict.contains("errors_max 0 (got 2.00)"), "{verdict}");
        assert!(
            verdict.contains("stock_consistent (got false)"),
            "{verdict}"
        );
        assert!(rows[0].get("verdict").is_none());
    }

    #[test]
    fn the_table_has_a_line_per_scenario() {
        let mut rows = merge_rows(INPUT).unwrap();
        judge(&mut rows);
        let text = table(&rows);
        assert_eq!(text.lines().count(), 5);
        assert!(text.lines().nth(3).unwrap().contains("80.0%"), "{text}");
    }

    #[test]
    fn a_share_just_under_its_bound_does_not_print_as_the_bound() {
        let mut rows = merge_rows(
            r#"{"scenario":"pgbench: orders","rps":1000.0}
{"scenario":"orders","rps":598.0,"compare":"pgbench: orders","targets":{"share_min":0.6}}"#,
        )
        .unwrap();
        judge(&mut rows);
        assert_eq!(rows[1]["verdict"], "share_min 0.6 (got 0.598)");
        assert!(table(&rows).contains("59.8%"));
    }

    #[test]
    fn a_record_without_a_scenario_is_refused() {
        assert!(merge_rows(r#"{"rps":1}"#).is_err());
    }
}
