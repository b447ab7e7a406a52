//! Test databases: one migrated template per migration set, cloned per test (~30 ms).

use std::time::{SystemTime, UNIX_EPOCH};
use tokio_postgres::{Client, NoTls};

/// Test databases older than this are dropped by later runs.
const STALE_AFTER_SECS: u64 = 3600;

pub fn base_url() -> String {
    std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must point at a PostgreSQL server (run `make test`, which starts one)",
    )
}

/// The URL of `database` on the same server as `url`.
pub fn with_database(url: &str, database: &str) -> String {
    let (without_query, query) = match url.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (url, None),
    };
    let slash = without_query.rfind('/').expect("a database URL has a path");
    let mut out = format!("{}/{database}", &without_query[..slash]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL: {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// FNV-1a over the migration files, so a changed migration gets a new template.
fn migrations_fingerprint() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hash: u64 = 0xcbf29ce484222325;
    for file in files {
        let bytes = std::fs::read(&file).expect("migration file is readable");
        for b in file.to_string_lossy().bytes().chain(bytes) {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    format!("{hash:016x}")
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("migrations directory exists")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Creates a database for one test from the migrated template, building the template first if
/// this migration set has none yet. Concurrent test processes serialise on an advisory lock.
pub async fn fresh_database() -> String {
    let base = base_url();
    let admin = connect(&base).await;
    let template = format!("codiit_tmpl_{}", migrations_fingerprint());
    admin
        .execute("SELECT pg_advisory_lock(727274)", &[])
        .await
        .expect("advisory lock");

    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await
        .expect("template lookup")
        .is_some();
    if !exists {
        let building = format!("{template}_wip");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop stale template");
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        server_migrate(&with_database(&base, &building)).await;
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("publish template");
    }

    // Housekeeping: databases of earlier runs.
    let stale = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'codiit_test_%'",
            &[],
        )
        .await
        .expect("list test databases");
    for row in stale {
        let name: String = row.get(0);
        let created = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        if now_secs().saturating_sub(created) > STALE_AFTER_SECS {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }

    let name = format!(
        "codiit_test_{}_{}",
        now_secs(),
        kernel::id::random_suffix(10)
    );
    let created = admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await;
    admin
        .execute("SELECT pg_advisory_unlock(727274)", &[])
        .await
        .expect("advisory unlock");
    created.expect("clone the template");
    with_database(&base, &name)
}

async fn server_migrate(url: &str) {
    server::migrate(url).await.expect("migrations apply");
}
