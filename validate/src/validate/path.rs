//! JSON paths such as `counter_party_details[0].organization_name`, built without copying.
//!
//! A [`Path`] is a linked list through the stack: a child borrows its parent, so descending
//! costs nothing and a path string is only built when an issue is reported. That keeps the
//! validator linear however deep it goes (no path string is grown per visited node).

use std::fmt::Write as _;

/// Longest key (in chars) written into a rendered path; longer keys are cut with `…` so a
/// megabyte key cannot make every issue a megabyte.
pub const MAX_KEY_CHARS: usize = 100;

#[derive(Debug, Clone, Copy)]
enum Segment<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

/// A position in a JSON document.
#[derive(Debug, Clone, Copy)]
pub struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    segment: Segment<'p>,
    depth: usize,
}

impl Default for Path<'_> {
    fn default() -> Self {
        Self::root()
    }
}

impl<'p> Path<'p> {
    /// The document itself (renders as `""`).
    pub fn root() -> Self {
        Self {
            parent: None,
            segment: Segment::Root,
            depth: 0,
        }
    }

    /// The member `key` of this object.
    pub fn key<'s>(&'s self, key: &'s str) -> Path<'s> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
            depth: self.depth.saturating_add(1),
        }
    }

    /// The element `index` of this array.
    pub fn index(&self, index: usize) -> Path<'_> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
            depth: self.depth.saturating_add(1),
        }
    }

    /// Number of segments below the root.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The path as text: keys joined with `.`, indexes as `[n]`, and keys that are not
    /// plain identifiers quoted as `["a.b"]`.
    pub fn render(&self) -> String {
        let mut segments = Vec::with_capacity(self.depth);
        let mut node = Some(self);
        while let Some(p) = node {
            segments.push(p.segment);
            node = p.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
                Segment::Key(k) => push_key(&mut out, k),
            }
        }
        out
    }
}

/// Appends `key` to a rendered path.
pub fn push_key(out: &mut String, key: &str) {
    if is_identifier(key) {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    } else {
        out.push_str("[\"");
        for (n, c) in key.chars().enumerate() {
            if n >= MAX_KEY_CHARS {
                out.push('…');
                break;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push_str("\"]");
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_KEY_CHARS`] long.
fn is_identifier(key: &str) -> bool {
    let mut bytes = key.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
        _ => return false,
    }
    key.len() <= MAX_KEY_CHARS && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indexes() {
        let root = Path::root();
        let a = root.key("counter_party_details");
        let b = a.index(0);
        let c = b.key("organization_name");
        assert_eq!(c.render(), "counter_party_details[0].organization_name");
        assert_eq!(c.depth(), 3);
        assert_eq!(root.render(), "");
    }

    #[test]
    fn quotes_keys_that_are_not_identifiers() {
        let root = Path::root();
        let a = root.key("contract_data");
        let b = a.key("amount.value");
        let c = b.key("say \"hi\"");
        assert_eq!(c.render(), r#"contract_data["amount.value"]["say \"hi\""]"#);
        let d = root.key("1st");
        assert_eq!(d.render(), r#"["1st"]"#);
    }

    #[test]
    fn cuts_huge_keys() {
        let key = "é".repeat(10_000);
        let root = Path::root();
        let p = root.key(&key);
        let rendered = p.render();
        assert_eq!(rendered.chars().count(), MAX_KEY_CHARS + 5);
        assert!(rendered.ends_with("…\"]"));
    }
}
