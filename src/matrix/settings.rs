//! Profile settings as data: each key, its allowed values, and how it is
//! spelled in a `--config profile.<p>.<key>=<value>` argument.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A value of one profile key, validated, kept in cargo's own spelling.
macro_rules! profile_enum {
    ($(#[$m:meta])* $name:ident, $expect:literal, { $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALLOWED: &'static str = $expect;
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in Cargo.toml (and in reports).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text $(| $alias)* => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> { stringify!($name).into() }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($text),+] })
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str($expect) }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::parse(v).ok_or_else(|| E::custom(format!("invalid value `{v}`, expected {}", $expect)))
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$name, E> { self.visit_str(&v.to_string()) }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$name, E> { self.visit_str(&v.to_string()) }
                    fn visit_bool<E: de::Error>(self, v: bool) -> Result<$name, E> { self.visit_str(if v { "true" } else { "false" }) }
                }
                d.deserialize_any(V)
            }
        }
    };
}

profile_enum!(
    /// `opt-level`
    OptLevel, "one of 0, 1, 2, 3, \"s\", \"z\"",
    { O0 => "0", O1 => "1", O2 => "2", O3 => "3", S => "s", Z => "z" }
);
profile_enum!(
    /// `wasm-opt`: binaryen's optimiser run on a WebAssembly module after
    /// the link (not a cargo profile key: a step after cargo).
    WasmOpt, "one of \"off\", \"O\", \"O1\", \"O2\", \"O3\", \"O4\", \"Os\", \"Oz\"",
    { Off => "off" | "false", O => "O", O1 => "O1", O2 => "O2", O3 => "O3", O4 => "O4", Os => "Os", Oz => "Oz" }
);

impl WasmOpt {
    /// The switch given to `wasm-opt` (`-Oz`); none when off.
    pub fn switch(self) -> Option<String> {
        (self != WasmOpt::Off).then(|| format!("-{}", self.as_str()))
    }
}

/// `lto`, with cargo's meaning of each value: `false` (the default) is
/// thin-local LTO, `"off"` none at all, `true` the same as `"fat"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lto {
    /// `lto = false`: thin-local LTO, cargo's default.
    False,
    Off,
    Thin,
    /// `"fat"` or `true`.
    Fat,
}

impl Lto {
    pub const ALLOWED: &'static str = "one of false, true, \"thin\", \"fat\", \"off\"";
    pub const ALL: &'static [Lto] = &[Lto::False, Lto::Off, Lto::Thin, Lto::Fat];

    /// The value as written in Cargo.toml (`false` unquoted).
    pub fn as_str(self) -> &'static str {
        match self {
            Lto::False => "false",
            Lto::Off => "off",
            Lto::Thin => "thin",
            Lto::Fat => "fat",
        }
    }

    /// From the text of a TOML value: `false`, `true`, `thin`, `fat`, `off`.
    pub fn parse(s: &str) -> Option<Lto> {
        match s {
            "false" => Some(Lto::False),
            "true" | "fat" => Some(Lto::Fat),
            "thin" => Some(Lto::Thin),
            "off" => Some(Lto::Off),
            _ => None,
        }
    }
}

impl fmt::Display for Lto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Lto {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Lto".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`false` (thin-local, cargo's default), or \"off\", \"thin\", \"fat\"",
            "anyOf": [
                { "const": false },
                { "type": "string", "enum": ["off", "thin", "fat"] }
            ]
        })
    }
}

impl Serialize for Lto {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Lto::False => s.serialize_bool(false),
            other => s.serialize_str(other.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Lto {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Lto;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(Lto::ALLOWED)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Lto, E> {
                Ok(if v { Lto::Fat } else { Lto::False })
            }
            // Strings as cargo reads them: "false" or "true" in quotes are
            // not the booleans (cargo passes them to rustc as -C lto=...).
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Lto, E> {
                match v {
                    "thin" => Ok(Lto::Thin),
                    "fat" => Ok(Lto::Fat),
                    "off" => Ok(Lto::Off),
                    _ => Err(E::custom(format!(
                        "invalid value `\"{v}\"`, expected {}",
                        Lto::ALLOWED
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}
profile_enum!(
    /// `panic`
    Panic, "one of \"unwind\", \"abort\", \"immediate-abort\"",
    { Unwind => "unwind", Abort => "abort", ImmediateAbort => "immediate-abort" }
);
profile_enum!(
    /// `strip`
    Strip, "one of \"none\", \"debuginfo\", \"symbols\" (or false/true)",
    { None => "none" | "false", Debuginfo => "debuginfo", Symbols => "symbols" | "true" }
);
profile_enum!(
    /// `debug`
    Debug, "one of 0, 1, 2, \"none\", \"limited\", \"full\", \"line-tables-only\", \"line-directives-only\" (or false/true)",
    {
        None => "none" | "0" | "false",
        Limited => "limited" | "1",
        Full => "full" | "2" | "true",
        LineTablesOnly => "line-tables-only",
        LineDirectivesOnly => "line-directives-only",
    }
);

/// The profile keys cargo-weigh varies. `None` means "as the project's profile has it".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_level: Option<OptLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lto: Option<Lto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codegen_units: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panic: Option<Panic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strip: Option<Strip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug: Option<Debug>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow_checks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_assertions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<bool>,
}

/// The profile keys, in the order they are shown and passed.
pub const KEYS: &[&str] = &[
    "opt-level",
    "lto",
    "codegen-units",
    "panic",
    "strip",
    "debug",
    "overflow-checks",
    "debug-assertions",
    "incremental",
];

impl Settings {
    /// `(key, TOML literal)` for every key that is set, in `KEYS` order.
    pub fn toml_pairs(&self) -> Vec<(&'static str, String)> {
        let q = |s: &str| format!("\"{s}\"");
        let mut v = Vec::new();
        if let Some(o) = self.opt_level {
            // Cargo takes integers for 0..=3 and strings for s/z.
            let lit = match o {
                OptLevel::S | OptLevel::Z => q(o.as_str()),
                _ => o.as_str().to_string(),
            };
            v.push(("opt-level", lit));
        }
        if let Some(l) = self.lto {
            v.push((
                "lto",
                match l {
                    Lto::False => "false".to_string(),
                    _ => q(l.as_str()),
                },
            ));
        }
        if let Some(c) = self.codegen_units {
            v.push(("codegen-units", c.to_string()));
        }
        if let Some(p) = self.panic {
            v.push(("panic", q(p.as_str())));
        }
        if let Some(s) = self.strip {
            v.push(("strip", q(s.as_str())));
        }
        if let Some(d) = self.debug {
            v.push(("debug", q(d.as_str())));
        }
        for (key, val) in [
            ("overflow-checks", self.overflow_checks),
            ("debug-assertions", self.debug_assertions),
            ("incremental", self.incremental),
        ] {
            if let Some(b) = val {
                v.push((key, b.to_string()));
            }
        }
        v
    }

    /// Only the keys that change something against `effective` (the
    /// profile as cargo applies it); `panic` goes when the target aborts
    /// whatever the profile says.
    pub fn normalized(&self, effective: &Settings, target_aborts: bool) -> Settings {
        fn keep<T: PartialEq + Copy>(v: Option<T>, base: Option<T>) -> Option<T> {
            v.filter(|x| Some(*x) != base)
        }
        let panic = match self.panic {
            Some(Panic::Unwind | Panic::Abort) if target_aborts => None,
            p => keep(p, effective.panic),
        };
        Settings {
            opt_level: keep(self.opt_level, effective.opt_level),
            lto: keep(self.lto, effective.lto),
            codegen_units: keep(self.codegen_units, effective.codegen_units),
            panic,
            strip: keep(self.strip, effective.strip),
            debug: keep(self.debug, effective.debug),
            overflow_checks: keep(self.overflow_checks, effective.overflow_checks),
            debug_assertions: keep(self.debug_assertions, effective.debug_assertions),
            incremental: keep(self.incremental, effective.incremental),
        }
    }

    /// Short human form, e.g. `opt-level=z lto=fat`.
    pub fn summary(&self) -> String {
        self.toml_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.trim_matches('"')))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Set one key from a TOML-ish text value; `Err` holds the allowed values.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn p<T>(v: Option<T>, allowed: &str) -> Result<T, String> {
            v.ok_or_else(|| allowed.to_string())
        }
        let b = |s: &str| match s {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        match key {
            "opt-level" => self.opt_level = Some(p(OptLevel::parse(value), OptLevel::ALLOWED)?),
            "lto" => self.lto = Some(p(Lto::parse(value), Lto::ALLOWED)?),
            "codegen-units" => {
                self.codegen_units = Some(p(
                    value.parse().ok().filter(|n| *n > 0),
                    "a whole number from 1 to 256",
                )?)
            }
            "panic" => self.panic = Some(p(Panic::parse(value), Panic::ALLOWED)?),
            "strip" => self.strip = Some(p(Strip::parse(value), Strip::ALLOWED)?),
            "debug" => self.debug = Some(p(Debug::parse(value), Debug::ALLOWED)?),
            "overflow-checks" => self.overflow_checks = Some(p(b(value), "true or false")?),
            "debug-assertions" => self.debug_assertions = Some(p(b(value), "true or false")?),
            "incremental" => self.incremental = Some(p(b(value), "true or false")?),
            _ => return Err(format!("one of the keys {}", KEYS.join(", "))),
        }
        Ok(())
    }
}
