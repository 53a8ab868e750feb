//! `--ota`: each built binary's update payload compressed, and with
//! `--ota-baseline` the bsdiff delta from a released build.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context};

use crate::options::OtaOptions;
use crate::report::{read_report, Report};
use crate::results::Objective;

/// A released build's payloads: one for every configuration (an ELF
/// file), or per configuration name (a report's kept binaries).
enum Baseline {
    One(Vec<u8>),
    ByName(HashMap<String, Vec<u8>>, String),
}

fn load_baseline(path: &Path, firmware: bool) -> anyhow::Result<(Baseline, String)> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("--ota-baseline: cannot read {}", path.display()))?;
    let label = path.display().to_string();
    if bytes.starts_with(b"\x7fELF") {
        let p = crate::ota::payload(&bytes, firmware)
            .map_err(|e| anyhow::anyhow!("--ota-baseline: {}: {e}", path.display()))?;
        return Ok((Baseline::One(p), label));
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        // A released raw image (`objcopy -O binary`) is already the payload.
        if firmware {
            return Ok((Baseline::One(bytes), label));
        }
        bail!(
            "--ota-baseline: {} is neither an ELF file nor a JSON report\n  hint: pass the released binary or the report `--format json` saved",
            path.display()
        );
    }
    let report = read_report(path)?;
    let mut by_name = HashMap::new();
    let mut first = None;
    for c in &report.configs {
        let Some(elf) = c.artifact.as_ref().and_then(|a| std::fs::read(a).ok()) else {
            continue;
        };
        if let Ok(p) = crate::ota::payload(&elf, firmware) {
            first.get_or_insert(c.config.name.clone());
            by_name.insert(c.config.name.clone(), p);
        }
    }
    let Some(first) = first else {
        bail!(
            "--ota-baseline: none of the binaries `{}` names is on this machine\n  hint: pass the released ELF file instead",
            path.display()
        );
    };
    Ok((Baseline::ByName(by_name, first), label))
}

/// The run's OTA settings, the released build read before any build so
/// a bad `--ota-baseline` is said at once.
pub struct OtaRun {
    firmware: bool,
    baseline: Option<(Baseline, String)>,
}

impl OtaRun {
    pub fn prepare(opts: &OtaOptions, target: &str) -> anyhow::Result<OtaRun> {
        // Said before anything is built.
        if !cfg!(feature = "ota") {
            anyhow::bail!("--ota: {}", crate::ota::NOT_BUILT);
        }
        if Objective::for_target(target) == Objective::Brotli {
            anyhow::bail!(
                "--ota: {target} builds a WebAssembly module, which an update sends whole, compressed by the server\n  hint: its transfer sizes (brotli, gzip) are in the table already; drop --ota"
            );
        }
        let firmware = Objective::for_target(target) == Objective::Flash;
        let baseline = opts
            .baseline
            .as_deref()
            .map(|p| load_baseline(p, firmware))
            .transpose()?;
        Ok(OtaRun { firmware, baseline })
    }

    /// Measure every built row; the delta for a configuration the
    /// baseline report does not have is taken from its first binary.
    pub fn measure_all(&self, report: &mut Report) {
        for c in report.configs.iter_mut().filter(|c| c.ok) {
            let Some(elf) = c.artifact.as_ref().and_then(|a| std::fs::read(a).ok()) else {
                continue;
            };
            let old = self.baseline.as_ref().and_then(|(b, label)| {
                let bytes = match b {
                    Baseline::One(p) => Some(p),
                    Baseline::ByName(m, first) => m.get(&c.config.name).or_else(|| m.get(first)),
                }?;
                Some((bytes.as_slice(), label.as_str()))
            });
            match crate::ota::measure(&elf, self.firmware, old) {
                Ok(ota) => c.checks.ota = Some(ota),
                // Said, not silently left blank: the row keeps its sizes.
                Err(e) => eprintln!("--ota: {}: {e}", c.config.name),
            }
        }
    }
}
