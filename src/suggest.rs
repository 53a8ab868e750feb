//! "Did you mean": the closest of the names a user could have meant.

/// The candidate closest to `typed`, when it is close enough to be a typo
/// (`relase` → `release`, `lto_fat` → `lto-fat`).
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace(['_', ' '], "-");
    let typed_n = norm(typed);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&typed_n, &norm(c)), c))
        .filter(|(d, c)| *d <= (c.len().max(typed.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` or nothing.
pub fn hint<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_near_misses() {
        let names = ["release", "opt-z", "lto-fat", "z-fat-cgu1"];
        assert_eq!(closest("relase", names), Some("release"));
        assert_eq!(closest("lto_fat", names), Some("lto-fat"));
        assert_eq!(
            closest(
                "thumbv7em-none-eabi",
                ["thumbv7em-none-eabihf", "x86_64-unknown-linux-gnu"]
            ),
            Some("thumbv7em-none-eabihf")
        );
        assert_eq!(closest("completely-else", names), None);
    }
}
