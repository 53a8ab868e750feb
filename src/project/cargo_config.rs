//! Reading the project's `.cargo/config.toml` files the way cargo finds them:
//! from the directory cargo runs in up to the root, then `$CARGO_HOME`.

use std::path::{Path, PathBuf};

/// One config file found on the way up, with its parsed contents.
#[derive(Debug, Clone)]
pub struct CargoConfig {
    pub path: PathBuf,
    pub value: toml::Table,
}

impl CargoConfig {
    /// All config files that apply to a cargo run in `dir`, closest first.
    pub fn discover(dir: &Path) -> Vec<CargoConfig> {
        let mut files = Vec::new();
        let mut seen = Vec::new();
        for d in dir.ancestors() {
            for name in ["config.toml", "config"] {
                let p = d.join(".cargo").join(name);
                if p.is_file() {
                    seen.push(p);
                    break;
                }
            }
        }
        if let Some(home) = cargo_home() {
            for name in ["config.toml", "config"] {
                let p = home.join(name);
                if p.is_file() && !seen.contains(&p) {
                    seen.push(p);
                    break;
                }
            }
        }
        for path in seen {
            // A config file cargo cannot read makes cargo fail with its own
            // message; here it simply contributes nothing.
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Ok(value) = text.parse::<toml::Table>() {
                files.push(CargoConfig { path, value });
            }
        }
        files
    }

    /// `a.b.c` looked up in this file.
    pub fn get(&self, dotted: &str) -> Option<&toml::Value> {
        let mut parts = dotted.split('.');
        let mut cur = self.value.get(parts.next()?)?;
        for p in parts {
            cur = cur.as_table()?.get(p)?;
        }
        Some(cur)
    }
}

fn cargo_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return Some(PathBuf::from(h));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo"))
}

/// `build.target` as cargo would resolve it: `CARGO_BUILD_TARGET`, else the
/// closest config file that sets it. A `.json` spec path is made absolute
/// relative to the directory holding `.cargo/`.
pub fn build_target(configs: &[CargoConfig]) -> Option<String> {
    if let Ok(t) = std::env::var("CARGO_BUILD_TARGET") {
        if !t.is_empty() {
            return Some(t);
        }
    }
    for c in configs {
        let v = match c.get("build.target") {
            Some(toml::Value::String(s)) => s.clone(),
            Some(toml::Value::Array(a)) => match a.first().and_then(|v| v.as_str()) {
                Some(s) => s.to_string(),
                None => continue,
            },
            _ => continue,
        };
        if v.ends_with(".json") {
            let base = c
                .path
                .parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new("."));
            return Some(base.join(v).display().to_string());
        }
        return Some(v);
    }
    None
}
