//! Value parsers: what the user typed, checked and turned into values
//! before anything runs (clap names the flag in its error).

use std::time::Duration;

use crate::budget::Growth;
use crate::options::Shard;

/// `64K`, `0x8000`, `1M`.
pub fn size(s: &str) -> Result<u64, String> {
    crate::units::parse_size(s)
}

/// `NAME=SIZE`: a region of the memory map and its limit.
pub fn region_limit(s: &str) -> Result<crate::memory::RegionLimit, String> {
    let (name, size) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=SIZE (e.g. AXISRAM=400K)"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{s}` names no region (e.g. AXISRAM=400K)"));
    }
    Ok(crate::memory::RegionLimit {
        region: name.to_string(),
        max_bytes: crate::units::parse_size(size.trim())?,
    })
}

/// `2%` or `512`.
pub fn growth(s: &str) -> Result<Growth, String> {
    Growth::parse(s)
}

/// `K/N`.
pub fn shard(s: &str) -> Result<Shard, String> {
    Shard::parse(s)
}

/// Whole seconds.
pub fn seconds(s: &str) -> Result<Duration, String> {
    s.trim()
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("`{s}` is not a whole number of seconds"))
}

/// Features as cargo takes them: separated by commas or spaces.
pub fn features(s: &str) -> Result<Vec<String>, String> {
    Ok(s.split([',', ' '])
        .filter(|f| !f.is_empty())
        .map(String::from)
        .collect())
}

/// A percentage: `5%`, `5 %` or `5`.
pub fn percent(s: &str) -> Result<f64, String> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a percentage; write it as 5% or 5")),
    }
}
