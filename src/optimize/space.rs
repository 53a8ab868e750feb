//! What `optimize` may change: the axes, their values, the seeds the search
//! starts from, and when two configurations are the same build.

use crate::matrix::{Config, Lto, OptLevel, Panic, Settings, WasmOpt};

/// One way to change a configuration along an axis.
pub struct Variant {
    pub label: String,
    apply: Box<dyn Fn(&mut Config)>,
    /// Nightly-only: a failed build means "not supported here", not a bad setting.
    pub unstable: bool,
}

impl Variant {
    pub fn apply(&self, c: &mut Config) {
        (self.apply)(c)
    }
}

pub struct Axis {
    pub name: &'static str,
    pub variants: Vec<Variant>,
}

fn setting(key: &'static str, value: &'static str) -> Variant {
    Variant {
        label: value.to_string(),
        apply: Box::new(move |c: &mut Config| {
            c.settings.set(key, value).expect("valid built-in value");
        }),
        unstable: false,
    }
}

fn flag(on: bool, flags: &'static [&'static str]) -> Variant {
    Variant {
        label: if on { "on" } else { "off" }.to_string(),
        apply: Box::new(move |c: &mut Config| {
            let owned: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
            let at = c
                .rustflags
                .windows(owned.len())
                .position(|w| w == owned.as_slice());
            match (on, at) {
                (true, None) => c.rustflags.extend(owned),
                (false, Some(i)) => {
                    c.rustflags.drain(i..i + owned.len());
                }
                _ => {}
            }
        }),
        unstable: on,
    }
}

fn with_build_std(c: &mut Config) {
    if c.build_std.is_empty() {
        c.build_std = vec!["core".into()];
    }
}

/// What the search may change, and the profile it starts from.
#[derive(Debug, Clone)]
pub struct SearchSpace {
    pub keep_unwind: bool,
    /// Nightly-only options are allowed (and the toolchain has rust-src).
    pub nightly: bool,
    /// The profile's settings as cargo applies them: a variant equal to
    /// them is the same build as leaving the key alone.
    pub effective: Settings,
    /// The target aborts on panic whatever the profile says.
    pub target_aborts: bool,
    /// WebAssembly: the brotli size counts the name section, so `strip`
    /// matters; `wasm-opt` is searched when binaryen is installed.
    pub wasm: Option<WasmSpace>,
}

/// What a WebAssembly search adds.
#[derive(Debug, Clone, Copy)]
pub struct WasmSpace {
    pub wasm_opt: bool,
}

impl SearchSpace {
    /// A key equal for configurations that build the same thing.
    pub fn key(&self, c: &Config) -> String {
        let effective = c.settings.normalized(&self.effective, self.target_aborts);
        crate::matrix::BuildInputs::of(c)
            .with_settings(effective)
            .id("")
    }

    fn panic_matters(&self) -> bool {
        !self.keep_unwind && !self.target_aborts
    }

    /// Where the search starts besides the profile as is: the settings
    /// that make binaries small on most projects (fat LTO, one codegen
    /// unit, opt-level s and z, panic = abort where it changes anything).
    pub fn seeds(&self, start: &Config) -> Vec<Config> {
        [OptLevel::S, OptLevel::Z]
            .into_iter()
            .map(|o| {
                let mut c = start.clone();
                c.settings.opt_level = Some(o);
                c.settings.lto = Some(Lto::Fat);
                c.settings.codegen_units = Some(1);
                if self.panic_matters() {
                    c.settings.panic = Some(Panic::Abort);
                }
                if self.wasm.is_some_and(|w| w.wasm_opt) {
                    c.wasm_opt = Some(WasmOpt::Oz);
                }
                c
            })
            .collect()
    }

    /// The axes, most telling first.
    pub fn axes(&self) -> Vec<Axis> {
        let values = |key: &'static str, vs: &[&'static str]| Axis {
            name: key,
            variants: vs.iter().map(|v| setting(key, v)).collect(),
        };
        let mut axes = vec![
            values("opt-level", &["0", "1", "2", "3", "s", "z"]),
            values("lto", &["off", "thin", "fat"]),
            values("codegen-units", &["1", "16"]),
        ];
        if self.panic_matters() || (self.nightly && !self.keep_unwind) {
            let mut variants = Vec::new();
            if self.panic_matters() {
                variants.extend([setting("panic", "unwind"), setting("panic", "abort")]);
            }
            if self.nightly {
                variants.push(Variant {
                    label: "immediate-abort".into(),
                    apply: Box::new(|c: &mut Config| {
                        c.settings.panic = Some(Panic::ImmediateAbort);
                        with_build_std(c);
                    }),
                    unstable: true,
                });
            }
            axes.push(Axis {
                name: "panic",
                variants,
            });
        }
        // Both ways: checks usually cost size, but they can also let LLVM
        // drop a path (tiny with z and fat LTO is 6 B smaller with them).
        axes.push(values("overflow-checks", &["false", "true"]));
        if let Some(w) = self.wasm {
            axes.push(values("strip", &["none", "symbols"]));
            if w.wasm_opt {
                axes.push(wasm_opt_axis());
            }
        }
        if self.nightly {
            axes.extend(nightly_axes());
        }
        axes
    }
}

fn wasm_opt_axis() -> Axis {
    let level = |w: WasmOpt| Variant {
        label: w.as_str().into(),
        apply: Box::new(move |c: &mut Config| c.wasm_opt = Some(w)),
        unstable: false,
    };
    Axis {
        name: "wasm-opt",
        variants: [WasmOpt::Off, WasmOpt::O, WasmOpt::Os, WasmOpt::Oz]
            .into_iter()
            .map(level)
            .collect(),
    }
}

fn nightly_axes() -> Vec<Axis> {
    vec![
        Axis {
            name: "location-detail=none",
            variants: vec![
                flag(false, &["-Zlocation-detail=none"]),
                flag(true, &["-Zlocation-detail=none"]),
            ],
        },
        Axis {
            name: "fmt-debug=none",
            variants: vec![
                flag(false, &["-Zfmt-debug=none"]),
                flag(true, &["-Zfmt-debug=none"]),
            ],
        },
        Axis {
            name: "optimize_for_size",
            variants: vec![
                Variant {
                    label: "off".into(),
                    apply: Box::new(|c: &mut Config| {
                        c.build_std_features.retain(|f| f != "optimize_for_size")
                    }),
                    unstable: false,
                },
                Variant {
                    label: "on".into(),
                    apply: Box::new(|c: &mut Config| {
                        with_build_std(c);
                        if !c
                            .build_std_features
                            .iter()
                            .any(|f| f == "optimize_for_size")
                        {
                            c.build_std_features.push("optimize_for_size".into());
                        }
                    }),
                    unstable: true,
                },
            ],
        },
    ]
}

/// The name of a configuration found by the search.
pub fn name_of(c: &Config) -> String {
    let s = c.summary();
    if s == "(profile as is)" {
        "release".into()
    } else {
        s
    }
}
