//! Paths into records and payloads: `properties.amount`, `line_items[0].name`,
//! `Account["Billing Street"]`, and reading and writing values at them.
//!
//! Writing never allocates more than it writes: an array index may extend an array by one
//! (append) but never skip ahead, so `x[4294967295]` cannot allocate gigabytes.

use serde_json::{Map, Value};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Parses `a.b[0]["c.d"]`. Keys are any run of characters other than `.` and `[`; quoted
/// keys use JSON string escapes for `"` and `\`.
///
/// # Errors
/// A message saying what is wrong (empty path, empty key, unclosed bracket, bad index).
pub(crate) fn parse(text: &str) -> Result<Vec<Segment>, String> {
    if text.is_empty() {
        return Err("the path is empty".into());
    }
    let mut segments = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut expect_key = true;
    while let Some(&(at, c)) = chars.peek() {
        match c {
            '[' => {
                chars.next();
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    let mut key = String::new();
                    let mut closed = false;
                    while let Some((_, c)) = chars.next() {
                        match c {
                            '\\' => match chars.next() {
                                Some((_, e @ ('"' | '\\'))) => key.push(e),
                                _ => return Err(format!("bad escape in quoted key at {at}")),
                            },
                            '"' => {
                                closed = true;
                                break;
                            }
                            c => key.push(c),
                        }
                    }
                    if !closed || chars.next().map(|(_, c)| c) != Some(']') {
                        return Err(format!("unclosed [\"…\"] at {at}"));
                    }
                    segments.push(Segment::Key(key));
                } else {
                    let mut digits = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == ']' {
                            closed = true;
                            break;
                        }
                        digits.push(c);
                    }
                    if !closed {
                        return Err(format!("unclosed [ at {at}"));
                    }
                    let index = digits
                        .parse::<usize>()
                        .ok()
                        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or_else(|| {
                            format!("[{digits}] is not an array index (use [0], [1], …)")
                        })?;
                    segments.push(Segment::Index(index));
                }
                expect_key = false;
            }
            '.' => {
                chars.next();
                if expect_key {
                    return Err(format!("empty key at {at}"));
                }
                expect_key = true;
            }
            _ => {
                if !expect_key {
                    return Err(format!("missing `.` before position {at}"));
                }
                let mut key = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    key.push(c);
                    chars.next();
                }
                segments.push(Segment::Key(key));
                expect_key = false;
            }
        }
    }
    if expect_key {
        return Err("the path ends with `.`".into());
    }
    Ok(segments)
}

/// The value at `segments` below `value`, if any.
pub(crate) fn get<'v>(value: &'v Value, segments: &[Segment]) -> Option<&'v Value> {
    segments
        .iter()
        .try_fold(value, |v, segment| match (segment, v) {
            (Segment::Key(k), Value::Object(map)) => map.get(k),
            (Segment::Index(i), Value::Array(items)) => items.get(*i),
            _ => None,
        })
}

/// Writes `new` at `segments` below `root`, creating objects and arrays on the way.
///
/// # Errors
/// A message when the path crosses a value of another kind (a string where an object is
/// needed), when an index would leave a gap, or when a different value is already there.
pub(crate) fn set(root: &mut Value, segments: &[Segment], new: Value) -> Result<(), String> {
    let Some((last, parents)) = segments.split_last() else {
        return Err("the target path is empty".into());
    };
    let mut node = root;
    for (n, segment) in parents.iter().enumerate() {
        let next_is_index = matches!(segments.get(n + 1), Some(Segment::Index(_)));
        let empty = || {
            if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        };
        node = step(node, segment, empty)?;
        let fits = matches!(
            (&*node, next_is_index),
            (Value::Array(_), true) | (Value::Object(_), false)
        );
        if !fits {
            return Err(format!(
                "cannot write below `{}`: it already holds {}",
                render(segments.get(..=n).unwrap_or_default()),
                crate::core::mapping::describe(node)
            ));
        }
    }
    let slot = step(node, last, || Value::Null)?;
    if slot.is_null() || *slot == new {
        *slot = new;
        Ok(())
    } else {
        Err(format!(
            "`{}` was already written by an earlier rule",
            render(segments)
        ))
    }
}

/// The child at `segment`, created with `empty()` when absent.
fn step<'v>(
    node: &'v mut Value,
    segment: &Segment,
    empty: impl FnOnce() -> Value,
) -> Result<&'v mut Value, String> {
    match (segment, node) {
        (Segment::Key(k), Value::Object(map)) => Ok(map.entry(k.clone()).or_insert_with(empty)),
        (Segment::Index(i), Value::Array(items)) => {
            if *i == items.len() {
                items.push(empty());
            }
            let len = items.len();
            items.get_mut(*i).ok_or_else(|| {
                format!("index [{i}] would leave a gap: the array has {len} item(s); write [{len}] next")
            })
        }
        (Segment::Key(k), other) => Err(format!(
            "cannot write key `{k}` into {}",
            crate::core::mapping::describe(other)
        )),
        (Segment::Index(i), other) => Err(format!(
            "cannot write index [{i}] into {}",
            crate::core::mapping::describe(other)
        )),
    }
}

/// Renders segments back to text (the inverse of [`parse`] for well-formed keys).
pub(crate) fn render(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Key(k) => crate::core::validate::path::push_key(&mut out, k),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(parts: &[&str]) -> Vec<Segment> {
        parts.iter().map(|p| Segment::Key((*p).into())).collect()
    }

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse("properties.amount").unwrap(),
            keys(&["properties", "amount"])
        );
        assert_eq!(
            parse("a[0][12].b").unwrap(),
            vec![
                Segment::Key("a".into()),
                Segment::Index(0),
                Segment::Index(12),
                Segment::Key("b".into())
            ]
        );
        assert_eq!(
            parse(r#"Account["Billing \"St\".1"]"#).unwrap(),
            keys(&["Account", "Billing \"St\".1"])
        );
        for bad in [
            "",
            ".a",
            "a..b",
            "a.",
            "a[",
            "a[x]",
            "a[-1]",
            "a[0]b",
            "a[\"x]",
            "a[99999999999999999999999]",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gets_and_sets() {
        let record = json!({"properties": {"amount": "12000"}, "items": [{"n": 1}]});
        assert_eq!(
            get(&record, &parse("properties.amount").unwrap()),
            Some(&json!("12000"))
        );
        assert_eq!(get(&record, &parse("items[0].n").unwrap()), Some(&json!(1)));
        assert_eq!(get(&record, &parse("items[1].n").unwrap()), None);
        assert_eq!(get(&record, &parse("properties[0]").unwrap()), None);

        let mut out = json!({});
        set(
            &mut out,
            &parse("counter_party_details[0].poc_details.email").unwrap(),
            json!("a@b.co"),
        )
        .unwrap();
        set(
            &mut out,
            &parse("counter_party_details[0].is_individual").unwrap(),
            json!(false),
        )
        .unwrap();
        set(
            &mut out,
            &parse("counter_party_details[1].is_individual").unwrap(),
            json!(true),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"counter_party_details": [{"poc_details": {"email": "a@b.co"}, "is_individual": false}, {"is_individual": true}]})
        );
        assert!(set(
            &mut out,
            &parse("counter_party_details[5].x").unwrap(),
            json!(1)
        )
        .unwrap_err()
        .contains("gap"));
        assert!(set(
            &mut out,
            &parse("counter_party_details[0].is_individual").unwrap(),
            json!(true)
        )
        .unwrap_err()
        .contains("already"));
        // Same value twice is fine.
        set(
            &mut out,
            &parse("counter_party_details[0].is_individual").unwrap(),
            json!(false),
        )
        .unwrap();
        assert!(set(
            &mut out,
            &parse("counter_party_details.x").unwrap(),
            json!(1)
        )
        .is_err());
        assert!(set(
            &mut out,
            &parse("counter_party_details[0].is_individual.x").unwrap(),
            json!(1)
        )
        .is_err());
        assert!(set(&mut out, &parse("x[4294967295]").unwrap(), json!(1)).is_err());
    }
}
