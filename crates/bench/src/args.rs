//! `--name value` options; small enough that a parser crate would be the bigger dependency.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

pub struct Args(HashMap<String, String>);

impl Args {
    pub fn parse(argv: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut map = HashMap::new();
        let mut argv = argv.peekable();
        while let Some(flag) = argv.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected an --option, got `{flag}`"))?;
            let value = argv
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            map.insert(name.to_owned(), value);
        }
        Ok(Self(map))
    }

    pub fn text(&self, name: &str) -> Result<&str, String> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required"))
    }

    pub fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn number<T: FromStr>(&self, name: &str, default: Option<T>) -> Result<T, String> {
        match (self.0.get(name), default) {
            (Some(v), _) => v
                .parse()
                .map_err(|_| format!("--{name} must be a number, got `{v}`")),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(format!("--{name} is required")),
        }
    }

    pub fn seconds(&self, name: &str, default: u64) -> Result<Duration, String> {
        self.number(name, Some(default)).map(Duration::from_secs)
    }

    /// The server's base URL without a trailing slash.
    pub fn base(&self) -> Result<String, String> {
        Ok(self.text("base")?.trim_end_matches('/').to_owned())
    }
}
