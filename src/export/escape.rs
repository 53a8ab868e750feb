//! One escaper per format: names come from binaries and users, and must
//! stay data.

/// For a terminal: control characters replaced, so a name cannot move the
/// cursor or change colours.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// A table cell: very long (generic) names cut so one row cannot take the
/// whole table's width.
pub fn cell(s: &str) -> String {
    const LONGEST: usize = 160;
    let mut out: String = s.chars().take(LONGEST).collect();
    if s.chars().count() > LONGEST {
        out.push('…');
    }
    out
}

/// For a GitHub-flavoured Markdown table cell or list item.
pub fn markdown(s: &str) -> String {
    printable(&s.replace(['\n', '\r'], " "))
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "'")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// For HTML element content and quoted attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside `<script type="application/json">`.
pub fn script_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_format_keeps_names_as_data() {
        assert_eq!(super::markdown("a|b<c>\n`d`"), "a\\|b&lt;c&gt; 'd'");
        assert_eq!(
            super::html("<script>\"'&"),
            "&lt;script&gt;&quot;&#39;&amp;"
        );
        assert_eq!(super::printable("a\u{1b}[31mb"), "a\u{fffd}[31mb");
        assert!(super::script_json(&"</script>").contains("\\u003c/script"));
        assert_eq!(super::cell(&"x".repeat(200)).chars().count(), 161);
    }
}
