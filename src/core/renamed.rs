//! Hints for values the library renamed: library-defined string values are
//! SCREAMING_SNAKE_CASE (`"OUT_OF_ORDER"`, `"UPPER"`), and an input still using an earlier
//! spelling (`"outOfOrder"`, `"upper"`) is refused with a message naming the new one.
//!
//! Pure text work on serde's "unknown variant" message; it does not accept the old spelling.

/// `camelCase` or `lowercase` → `SCREAMING_SNAKE_CASE` (`epochMillis` → `EPOCH_MILLIS`).
pub(crate) fn screaming_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// `message` with a hint appended when it is serde's "unknown variant `x`, expected one of …"
/// and one of the expected variants is `x` in SCREAMING_SNAKE_CASE; `message` unchanged
/// otherwise.
pub(crate) fn with_rename_hint(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown variant `") else {
        return message.to_owned();
    };
    let Some((old, expected)) = rest.split_once('`') else {
        return message.to_owned();
    };
    let new = screaming_snake(old);
    if new == old || !expected.contains(&format!("`{new}`")) {
        return message.to_owned();
    }
    format!("{message}; `{old}` is now spelt `{new}` (values the library defines are SCREAMING_SNAKE_CASE)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_lower_case_become_screaming_snake() {
        assert_eq!(screaming_snake("outOfOrder"), "OUT_OF_ORDER");
        assert_eq!(screaming_snake("epochMillis"), "EPOCH_MILLIS");
        assert_eq!(screaming_snake("upper"), "UPPER");
        assert_eq!(screaming_snake("dateTime"), "DATE_TIME");
    }

    #[test]
    fn an_old_spelling_gets_a_hint_naming_the_new_one() {
        let message = "unknown variant `upper`, expected one of `DATE`, `UPPER`, `LOWER`";
        assert_eq!(
            with_rename_hint(message),
            format!("{message}; `upper` is now spelt `UPPER` (values the library defines are SCREAMING_SNAKE_CASE)")
        );
    }

    #[test]
    fn other_messages_are_unchanged() {
        for message in [
            "unknown variant `shout`, expected one of `DATE`, `UPPER`",
            "unknown variant `UPPER`, expected one of `DATE`",
            "missing field `op`",
            "unknown variant `x",
        ] {
            assert_eq!(with_rename_hint(message), message);
        }
    }
}
