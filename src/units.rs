//! Sizes, one way everywhere: parsing what users type (`512K`, `0x8000`,
//! `1M`), growth limits (`2%`, `512`), and formatting bytes, signed changes
//! and percentages for people.

use serde::{Deserialize, Serialize};

/// A size from the command line or a file: `131072`, `128K`, `128KiB`,
/// `1M`, `0x20000`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || {
        format!("invalid size `{s}`: expected bytes, or a number with K or M (KiB/MiB), e.g. 128K, 1M, 0x20000")
    };
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix("ib"))
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, mult) = match t.as_bytes().last() {
        Some(b'K' | b'k') => (&t[..t.len() - 1], 1024u64),
        Some(b'M' | b'm') => (&t[..t.len() - 1], 1024 * 1024),
        _ => (t, 1),
    };
    let value = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => digits.parse(),
    };
    value.ok().and_then(|v| v.checked_mul(mult)).ok_or_else(bad)
}

/// Allowed growth of flash against a saved report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Growth {
    Bytes(u64),
    Percent(f64),
}

impl Growth {
    /// `2%`, `1.5%`, `512`, `1K`.
    pub fn parse(s: &str) -> Result<Growth, String> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            return p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Growth::Percent)
                .ok_or_else(|| format!("invalid growth `{s}`: expected a percentage like 2% or a size like 512 or 1K"));
        }
        parse_size(t).map(Growth::Bytes).map_err(|_| {
            format!("invalid growth `{s}`: expected a percentage like 2% or a size like 512 or 1K")
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Growth::Bytes(b) => format!("{b} B"),
            Growth::Percent(p) => format!("{p}%"),
        }
    }
}

impl Growth {
    /// Whether growing from `old` to `new` bytes is more than allowed; the
    /// growth in bytes and percent when it is.
    pub fn exceeded(&self, old: u64, new: u64) -> Option<(i64, f64)> {
        let grew = new as i64 - old as i64;
        let pct = if old > 0 {
            grew as f64 * 100.0 / old as f64
        } else {
            0.0
        };
        let over = match *self {
            Growth::Bytes(b) => grew > b as i64,
            Growth::Percent(p) => old > 0 && pct > p,
        };
        over.then_some((grew, pct))
    }
}

/// A whole number with thousands separators: `7488` → `7,488`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed change of seconds: `+1.2 s`, `−0.4 s`, `±0.0 s`.
pub fn signed_seconds(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    format!(
        "{}{:.1} s",
        sign(rounded < 0.0, rounded == 0.0),
        rounded.abs()
    )
}

/// A count, short: `7,488`, `987.0 k`, `2.17 M`, `1.23 G`.
pub fn count(n: u64) -> String {
    let v = n as f64;
    match n {
        0..=99_999 => thousands(n),
        100_000..=999_999 => format!("{:.1} k", v / 1e3),
        1_000_000..=999_999_999 => format!("{:.2} M", v / 1e6),
        _ => format!("{:.2} G", v / 1e9),
    }
}

/// Seconds kept to the millisecond (what reports store).
pub fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// `1 crate`, `43 crates`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// Exact bytes: `7,488 B`.
pub fn exact(n: u64) -> String {
    format!("{} B", thousands(n))
}

/// Bytes for a person: `964 B`, `8.07 KiB`, `12.50 MiB` (two decimals
/// always, so columns line up).
pub fn human(n: u64) -> String {
    const KIB: f64 = 1024.0;
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.2} KiB", n as f64 / KIB)
    } else if n < 1024 * 1024 * 1024 {
        format!("{:.2} MiB", n as f64 / (KIB * KIB))
    } else {
        format!("{:.2} GiB", n as f64 / (KIB * KIB * KIB))
    }
}

/// The sign of a change: `+`, `−` (a minus sign, not a hyphen) or `±` for zero.
fn sign(negative: bool, zero: bool) -> &'static str {
    if zero {
        "±"
    } else if negative {
        "−"
    } else {
        "+"
    }
}

/// A signed change in bytes: `+1.20 KiB`, `−964 B`, `±0 B`.
pub fn signed_human(n: i64) -> String {
    format!("{}{}", sign(n < 0, n == 0), human(n.unsigned_abs()))
}

/// A signed change in exact bytes: `+7,488 B`.
pub fn signed_exact(n: i64) -> String {
    format!("{}{}", sign(n < 0, n == 0), exact(n.unsigned_abs()))
}

/// A share with one decimal: `2.8 %`; a share too small to show as one
/// is `<0.1 %`, never `0.0 %`.
pub fn share(p: f64) -> String {
    if p > 0.0 && p < 0.05 {
        "<0.1 %".into()
    } else {
        format!("{p:.1} %")
    }
}

/// A signed percentage with one decimal: `−78.0 %`, `+3.1 %`, `±0.0 %`.
pub fn signed_pct(p: f64) -> String {
    let rounded = (p * 10.0).round() / 10.0;
    format!(
        "{}{:.1} %",
        sign(rounded < 0.0, rounded == 0.0),
        rounded.abs()
    )
}

/// Money with two decimals and thousands separators: `7,828.00 USD`.
pub fn money(v: f64, currency: &str) -> String {
    // Below one unit of currency, cents hide what a KiB of flash costs.
    let text = if v != 0.0 && v.abs() < 1.0 {
        // Up to four decimals, at least two: 0.89, 0.125, 0.0035.
        let t = format!("{:.4}", v.abs());
        let keep = t
            .trim_end_matches('0')
            .len()
            .max(t.find('.').map_or(0, |d| d + 3));
        t[..keep].to_string()
    } else {
        cents(v)
    };
    let sign = if v < 0.0 { "−" } else { "" };
    with_currency(format!("{sign}{text}"), currency)
}

fn cents(v: f64) -> String {
    let cents = (v.abs() * 100.0).round() as u64;
    format!("{}.{:02}", thousands(cents / 100), cents % 100)
}

fn with_currency(text: String, currency: &str) -> String {
    if currency.is_empty() {
        text
    } else {
        format!("{text} {currency}")
    }
}

/// A signed change of money: `+1,234.50 USD`, `−7,828.00 USD`, `±0.00 USD`.
pub fn signed_money(v: f64, currency: &str) -> String {
    let zero = (v.abs() * 100.0).round() == 0.0;
    with_currency(format!("{}{}", sign(v < 0.0, zero), cents(v)), currency)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_crate_many_crates() {
        assert_eq!(super::plural(1, "crate"), "1 crate");
        assert_eq!(super::plural(0, "crate"), "0 crates");
        assert_eq!(super::plural(1234, "crate"), "1,234 crates");
    }

    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("128K"), Ok(131072));
        assert_eq!(parse_size("128KiB"), Ok(131072));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("0x8000"), Ok(0x8000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("12Q").unwrap_err().contains("12Q"));
        assert!(parse_size("").is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(7488), "7,488");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(exact(7488), "7,488 B");
        assert_eq!(human(964), "964 B");
        assert_eq!(human(8264), "8.07 KiB");
        assert_eq!(human(3 * 1024 * 1024 + 1), "3.00 MiB");
        assert_eq!(signed_human(-964), "−964 B");
        assert_eq!(signed_human(0), "±0 B");
        assert_eq!(signed_exact(7488), "+7,488 B");
        assert_eq!(signed_pct(-78.04), "−78.0 %");
        assert_eq!(signed_pct(0.04), "±0.0 %");
        assert_eq!(signed_pct(3.06), "+3.1 %");
        assert_eq!(money(7828.0, "USD"), "7,828.00 USD");
        assert_eq!(signed_money(-7828.0, "USD"), "−7,828.00 USD");
        assert_eq!(signed_money(0.001, ""), "±0.00");
        assert_eq!(money(0.0035, "USD"), "0.0035 USD");
        assert_eq!(count(7488), "7,488");
        assert_eq!(signed_seconds(-0.04), "±0.0 s");
        assert_eq!(count(986_975), "987.0 k");
        assert_eq!(count(2_173_861), "2.17 M");
        assert_eq!(money(0.89, "USD"), "0.89 USD");
        assert_eq!(money(0.125, ""), "0.125");
    }
}
