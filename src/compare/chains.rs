//! What pulled a new crate in: the first path from the project to it in
//! `cargo tree -i CRATE --prefix depth` (the inverted tree lists the crate,
//! then what depends on it, down to the workspace package).

use serde::{Deserialize, Serialize};

/// A crate that appeared and the dependency path to it, project first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Chain {
    #[serde(rename = "crate")]
    pub krate: String,
    pub path: Vec<String>,
}

/// The first chain in an inverted, depth-prefixed tree, root first:
/// `0heapless v0.8.0` / `1postcard v1.0` / `2fw v0.1.0 (/p)` → fw, postcard, heapless.
pub fn first_chain(tree: &str) -> Vec<String> {
    let mut chain: Vec<String> = Vec::new();
    let mut last = None;
    for line in tree.lines() {
        let digits: String = line.chars().take_while(|c| c.is_ascii_digit()).collect();
        let Ok(depth) = digits.parse::<usize>() else {
            continue;
        };
        if last.is_some_and(|d| depth <= d) {
            break;
        }
        last = Some(depth);
        let name = line[digits.len()..].split_whitespace().next().unwrap_or("");
        chain.push(name.to_string());
    }
    chain.reverse();
    chain
}

impl Chain {
    pub fn describe(&self) -> String {
        format!("{}: {}", self.krate, self.path.join(" → "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_path_down_to_the_project() {
        let tree = "0heapless v0.8.0\n1postcard v1.0.8\n2fw v0.1.0 (/p)\n1fw v0.1.0 (/p)\n";
        assert_eq!(first_chain(tree), ["fw", "postcard", "heapless"]);
        assert_eq!(first_chain("0fw v0.1.0 (/p)\n"), ["fw"]);
        assert!(first_chain("warning: nothing\n").is_empty());
    }
}
