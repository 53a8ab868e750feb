//! What `panic = "immediate-abort"` saves, measured rather than estimated:
//! the configuration built with `core` from source, with and without it
//! (both from source: prebuilt `core` is compiled otherwise).

use crate::build::Runner;
use crate::graph::PanicMeasured;
use crate::matrix::{Config, Panic};

use super::session::Session;

/// Build the two and compare; `Err` says why it was not measured.
pub fn measure(
    s: &Session,
    builder: &Runner<'_>,
    config: &Config,
) -> Result<PanicMeasured, String> {
    if !s.env.toolchain.has_rust_src {
        return Err(format!(
            "{} has no rust-src to build core with; `rustup component add rust-src` measures it",
            s.env.toolchain.rustc.display()
        ));
    }
    let mut from_source = config.clone();
    if from_source.build_std.is_empty() {
        from_source.build_std = vec!["core".into()];
    }
    from_source.link_args.clear();
    from_source.name = format!("{} (core from source)", config.name);
    let mut aborting = from_source.clone();
    aborting.settings.panic = Some(Panic::ImmediateAbort);
    aborting.name = format!("{} (panic = immediate-abort)", config.name);
    let flash = |c: &Config| -> Result<u64, String> {
        let row = builder.build(c).ok_or("interrupted")?;
        match (&row.size, row.ok) {
            (Some(m), true) => Ok(m.flash_bytes),
            _ => Err(format!(
                "{} failed: {}",
                c.name,
                row.error
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            )),
        }
    };
    let base = flash(&from_source)?;
    let without = flash(&aborting)?;
    Ok(PanicMeasured {
        configuration: config.name.clone(),
        core_from_source_bytes: base,
        immediate_abort_bytes: without,
        saved_bytes: base as i64 - without as i64,
    })
}
