//! A page of tables with notes (`top`, `why`), and what may come first.

use std::fmt::Write as _;

use super::super::escape::html as esc;
use super::super::model::Table;
use super::{assets, table::table};

pub fn tables_page(title: &str, tables: &[Table], notes: &[String]) -> Vec<u8> {
    page_with(title, "", tables, notes)
}

/// A page: its title, `first` (HTML made here), the tables, the notes.
pub(super) fn page_with(title: &str, first: &str, tables: &[Table], notes: &[String]) -> Vec<u8> {
    let mut out = String::new();
    let _ = write!(out, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{}</title><style>{}</style></head><body><h1>{}</h1>", esc(title), assets::CSS, esc(title));
    out.push_str(first);
    for (i, t) in tables.iter().enumerate() {
        if let Some(tt) = &t.title {
            let _ = write!(out, "<h2>{}</h2>", esc(tt));
        }
        table(t, &format!("t{i}"), &mut out);
    }
    for n in notes {
        let _ = write!(out, "<p class=note>{}</p>", esc(n));
    }
    let _ = writeln!(out, "<script>{}</script></body></html>", assets::SCRIPT);
    out.into_bytes()
}
