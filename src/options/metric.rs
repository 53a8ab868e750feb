//! What a size over time is: which figure `history` and `bisect` follow.

/// What a trend or a bisect follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    Flash,
    Ram,
    Stripped,
    Image,
    File,
    /// WebAssembly: the brotli transfer size.
    Brotli,
    /// Flash without alignment padding or the build id: for alerts that
    /// should move only when code or data does.
    Normalized,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Flash => "flash",
            Metric::Ram => "RAM",
            Metric::Stripped => "stripped",
            Metric::Image => "image",
            Metric::File => "file",
            Metric::Brotli => "brotli",
            Metric::Normalized => "normalized flash",
        }
    }
}
