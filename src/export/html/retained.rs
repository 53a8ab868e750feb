//! The page of `top --retained --format html`: the tables, and a treemap of
//! what symbols retain (the largest retainers, inside each what it alone
//! keeps), each box naming its chain from a root on hover. It reuses the
//! report page's treemap, search and symbol table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::super::escape::script_json;
use super::super::model::Table;
use super::items::{Attributed, Item};
use crate::graph::TreeBox;
use crate::units::human;

fn item(b: &TreeBox, krate: String) -> Item {
    Item {
        name: b.name.clone(),
        krate: Some(krate),
        section: Some(b.section.clone()),
        v: b.retained_bytes,
        label: format!("retains {}; kept by {}", human(b.retained_bytes), b.chain),
    }
}

pub fn retained_page(title: &str, tables: &[Table], notes: &[String], tree: &[TreeBox]) -> Vec<u8> {
    let mut out = String::new();
    let tops: Vec<&TreeBox> = tree.iter().filter(|b| b.parent.is_none()).collect();
    let data = Attributed {
        crates: tops.iter().map(|b| item(b, b.crate_name.clone())).collect(),
        symbols: tree.iter().map(|b| item(b, b.crate_name.clone())).collect(),
        // The treemap nests a part in the box whose name its `crate` is.
        parts: tree
            .iter()
            .filter_map(|b| Some(item(b, tree[b.parent?].name.clone())))
            .collect(),
    };
    out.push_str("<h2>What each symbol retains</h2><p class=note>A box is a symbol, as large as what it retains (its bytes and those only it keeps); inside it, the symbols it alone keeps. Hover for the chain that keeps it.</p>");
    out.push_str("<p><label>Configuration <select id=config><option value=\"retained\" selected>retained</option></select></label><label>Search symbols <input id=search type=search placeholder=\"name or crate\"></label> <span id=count></span></p><div id=treemap role=img aria-label=\"what symbols retain\"></div>");
    out.push_str("<div class=scroll><table class=sortable id=symbols><thead><tr><th>Retains</th><th class=l>Section</th><th class=l>Crate</th><th class=l>Symbol</th></tr></thead><tbody></tbody></table></div>");
    let mut all = BTreeMap::new();
    all.insert("retained", data);
    let _ = write!(
        out,
        "<script type=\"application/json\" id=attribution-data>{}</script>",
        script_json(&all)
    );
    super::page::page_with(title, &out, tables, notes)
}
