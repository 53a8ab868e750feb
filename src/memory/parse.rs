//! A parser for the `MEMORY { ... }` command of GNU ld linker scripts, and
//! for size strings such as `512K`, `0x8000`, `1M`.

use std::path::PathBuf;

use super::map::Region;

/// A memory map that does not parse, with its file.
#[derive(Debug, thiserror::Error)]
#[error("invalid memory map `{path}`: {error}\n  hint: fix the MEMORY block, or pass --flash-size/--ram-size instead")]
pub struct MemoryError {
    pub path: PathBuf,
    pub error: ParseError,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num(u64),
    Punct(char),
}

struct Lexer<'a> {
    text: &'a str,
    toks: Vec<(Tok, usize)>,
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// A number with ld's suffixes: `K` (×1024) and `M` (×1024²).
fn number(s: &str, line: usize) -> Result<u64, ParseError> {
    let (digits, mult) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 1024u64),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let value = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(h, 16)
    } else if let Some(h) = digits
        .strip_suffix('h')
        .or_else(|| digits.strip_suffix('H'))
    {
        u64::from_str_radix(h, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse()
    };
    value.ok().and_then(|v| v.checked_mul(mult)).ok_or_else(|| {
        err(
            line,
            format!("`{s}` is not a number (expected e.g. 0x08000000, 512K, 1M)"),
        )
    })
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Result<Self, ParseError> {
        let mut l = Lexer {
            text,
            toks: Vec::new(),
        };
        l.lex()?;
        Ok(l)
    }

    fn line_at(&self, pos: usize) -> usize {
        self.text[..pos].matches('\n').count() + 1
    }

    /// Walks the text by chars: words, numbers, quoted strings (skipped:
    /// file names and `ASSERT` messages, which may hold anything) and
    /// punctuation, comments left out.
    fn lex(&mut self) -> Result<(), ParseError> {
        let text = self.text;
        let mut i = 0;
        while let Some(c) = text[i..].chars().next() {
            let rest = &text[i..];
            if c.is_whitespace() {
                i += c.len_utf8();
            } else if let Some(body) = rest.strip_prefix("/*") {
                let end = body
                    .find("*/")
                    .ok_or_else(|| err(self.line_at(i), "unterminated comment `/*`"))?;
                i += end + 4;
            } else if rest.starts_with("//") {
                i += rest.find('\n').unwrap_or(rest.len());
            } else if c == '"' {
                let end = rest[1..]
                    .find('"')
                    .ok_or_else(|| err(self.line_at(i), "unterminated string `\"`"))?;
                i += end + 2;
            } else if c.is_ascii_alphanumeric() || "_.$!".contains(c) {
                // The first char always counts (`!` only starts a word).
                let len = 1 + rest[1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "_.$-".contains(c)))
                    .unwrap_or(rest.len() - 1);
                let word = &rest[..len];
                // `32bit` is a word (a file name, say) until MEMORY needs a number.
                let tok = match number(word, 0) {
                    Ok(n) if c.is_ascii_digit() => Tok::Num(n),
                    _ => Tok::Word(word.to_string()),
                };
                self.toks.push((tok, i));
                i += len;
            } else {
                // Punctuation; anything else outside comments and strings
                // is left for ld to reject: we only read MEMORY.
                if c.is_ascii() {
                    self.toks.push((Tok::Punct(c), i));
                }
                i += c.len_utf8();
            }
        }
        Ok(())
    }
}

struct Parser<'a> {
    lex: &'a Lexer<'a>,
    pos: usize,
    regions: Vec<Region>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.lex.toks.get(self.pos).map(|(t, _)| t)
    }

    fn line(&self) -> usize {
        let at = self
            .lex
            .toks
            .get(self.pos)
            .or(self.lex.toks.last())
            .map(|(_, p)| *p)
            .unwrap_or(0);
        self.lex.line_at(at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.peek().cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        match self.next() {
            Some(Tok::Punct(p)) if p == c => Ok(()),
            other => {
                self.pos -= 1;
                Err(err(
                    self.line(),
                    format!("expected `{c}`, found {}", show(other.as_ref())),
                ))
            }
        }
    }

    fn region(&mut self) -> Result<Region, ParseError> {
        let line = self.line();
        let name = match self.next() {
            Some(Tok::Word(w)) => w,
            other => {
                return Err(err(
                    line,
                    format!("expected a region name, found {}", show(other.as_ref())),
                ))
            }
        };
        let mut attributes = String::new();
        if self.peek() == Some(&Tok::Punct('(')) {
            self.next();
            loop {
                match self.next() {
                    Some(Tok::Punct(')')) => break,
                    Some(Tok::Word(w)) => attributes.push_str(&w),
                    Some(Tok::Punct('!')) => attributes.push('!'),
                    other => {
                        return Err(err(
                            line,
                            format!(
                                "bad attributes for region `{name}`: {}",
                                show(other.as_ref())
                            ),
                        ))
                    }
                }
            }
        }
        self.expect(':')?;
        let origin = self.keyed(&["ORIGIN", "org", "o"], &name)?;
        if self.peek() == Some(&Tok::Punct(',')) {
            self.next();
        }
        let length = self.keyed(&["LENGTH", "len", "l"], &name)?;
        if self.peek() == Some(&Tok::Punct(',')) {
            self.next();
        }
        Ok(Region {
            name,
            attributes,
            origin,
            length,
        })
    }

    fn keyed(&mut self, keys: &[&str], region: &str) -> Result<u64, ParseError> {
        let line = self.line();
        match self.next() {
            Some(Tok::Word(w)) if keys.contains(&w.as_str()) => {}
            other => {
                return Err(err(
                    line,
                    format!(
                        "region `{region}`: expected `{} = ...`, found {}",
                        keys[0],
                        show(other.as_ref())
                    ),
                ))
            }
        }
        self.expect('=')?;
        self.expr()
    }

    // expr := term (('+'|'-') term)*
    fn expr(&mut self) -> Result<u64, ParseError> {
        let mut v = self.term()?;
        while let Some(Tok::Punct(op @ ('+' | '-'))) = self.peek().cloned() {
            self.next();
            let r = self.term()?;
            v = if op == '+' {
                v.checked_add(r)
            } else {
                v.checked_sub(r)
            }
            .ok_or_else(|| err(self.line(), "arithmetic overflow"))?;
        }
        Ok(v)
    }

    // term := atom (('*'|'/') atom)*
    fn term(&mut self) -> Result<u64, ParseError> {
        let mut v = self.atom()?;
        while let Some(Tok::Punct(op @ ('*' | '/'))) = self.peek().cloned() {
            self.next();
            let r = self.atom()?;
            v = if op == '*' {
                v.checked_mul(r)
            } else {
                v.checked_div(r)
            }
            .ok_or_else(|| err(self.line(), "arithmetic overflow or division by zero"))?;
        }
        Ok(v)
    }

    fn atom(&mut self) -> Result<u64, ParseError> {
        let line = self.line();
        match self.next() {
            Some(Tok::Num(n)) => Ok(n),
            Some(Tok::Punct('(')) => {
                let v = self.expr()?;
                self.expect(')')?;
                Ok(v)
            }
            Some(Tok::Word(f)) if f == "ORIGIN" || f == "LENGTH" => {
                self.expect('(')?;
                let name = match self.next() {
                    Some(Tok::Word(w)) => w,
                    other => {
                        return Err(err(
                            line,
                            format!(
                                "expected a region name in {f}(), found {}",
                                show(other.as_ref())
                            ),
                        ))
                    }
                };
                self.expect(')')?;
                let r = self
                    .regions
                    .iter()
                    .find(|r| r.name == name)
                    .ok_or_else(|| {
                        err(
                            line,
                            format!("{f}({name}) names a region not defined before it"),
                        )
                    })?;
                Ok(if f == "ORIGIN" { r.origin } else { r.length })
            }
            Some(Tok::Word(w)) if w.starts_with(|c: char| c.is_ascii_digit()) => {
                Err(number(&w, line).unwrap_err())
            }
            other => Err(err(
                line,
                format!(
                    "expected a number or expression, found {}",
                    show(other.as_ref())
                ),
            )),
        }
    }
}

fn show(t: Option<&Tok>) -> String {
    match t {
        None => "the end of the file".into(),
        Some(Tok::Word(w)) => format!("`{w}`"),
        Some(Tok::Num(n)) => format!("`{n}`"),
        Some(Tok::Punct(c)) => format!("`{c}`"),
    }
}

/// The regions of every `MEMORY` block in a linker script (none if it has none).
pub fn parse_memory(text: &str) -> Result<Vec<Region>, ParseError> {
    let lex = Lexer::new(text)?;
    let mut p = Parser {
        lex: &lex,
        pos: 0,
        regions: Vec::new(),
    };
    while let Some(t) = p.next() {
        if t != Tok::Word("MEMORY".into()) {
            continue;
        }
        p.expect('{')?;
        loop {
            match p.peek() {
                Some(Tok::Punct('}')) => {
                    p.next();
                    break;
                }
                None => return Err(err(p.line(), "MEMORY block is not closed with `}`")),
                _ => {
                    let r = p.region()?;
                    p.regions.push(r);
                }
            }
        }
    }
    Ok(p.regions)
}

#[cfg(test)]
mod tests;
