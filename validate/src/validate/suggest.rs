//! "Did you mean …?": the closest known name to an unknown one.
//!
//! Bounded on purpose: names longer than [`MAX_NAME_CHARS`] are not compared, and the edit
//! distance gives up once it exceeds the allowed budget, so suggestions stay cheap even
//! for hostile keys.

/// Names longer than this (in chars) are never compared.
pub const MAX_NAME_CHARS: usize = 64;

/// At most this many candidates are compared per lookup, so a template with a hundred
/// thousand fields cannot make each unknown key cost a hundred thousand comparisons.
pub const MAX_CANDIDATES: usize = 500;

/// Writes `s` lower-cased, with spaces, hyphens and dots as `_` (so `"Customer Name"` ≈
/// `customer_name`), into `out` (reused between candidates: no allocation per name).
fn normalise_into(s: &str, out: &mut Vec<char>) {
    out.clear();
    out.extend(s.chars().map(|c| match c {
        ' ' | '-' | '.' => '_',
        c => c.to_ascii_lowercase(),
    }));
}

/// Levenshtein distance between `a` and `b`, or `None` when it exceeds `limit`. O(|a|·|b|)
/// time with one row of memory; callers bound both lengths.
pub fn bounded_distance(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous_diagonal = i;
        let mut row_min = i + 1;
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let cost = usize::from(ca != cb);
            let value = (previous_diagonal + cost)
                .min(above.saturating_add(1))
                .min(left.saturating_add(1));
            previous_diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return None;
        }
    }
    row.last().copied().filter(|d| *d <= limit)
}

/// The candidate closest to `input`: an exact match after normalisation (case, spaces,
/// hyphens) first, then the smallest edit distance within a third of the length (at least
/// 1, at most 3). `None` when nothing is close. Candidates are `(name, extra alias)` pairs
/// so a display label can also lead to its variable name.
pub fn closest<'c, I>(input: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = (&'c str, Option<&'c str>)>,
{
    if input.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    let mut norm = Vec::with_capacity(MAX_NAME_CHARS);
    normalise_into(input, &mut norm);
    let limit = (norm.len() / 3).clamp(1, 3);
    let mut other = Vec::with_capacity(MAX_NAME_CHARS);
    let mut best: Option<(usize, &'c str)> = None;
    for (name, alias) in candidates.into_iter().take(MAX_CANDIDATES) {
        for text in std::iter::once(name).chain(alias) {
            // Byte length bounds char count from above: cheap pre-filter.
            if text.len() > 4 * MAX_NAME_CHARS || text.chars().count() > MAX_NAME_CHARS {
                continue;
            }
            normalise_into(text, &mut other);
            if other == norm {
                return Some(name);
            }
            let budget = best.map_or(limit, |(d, _)| d.saturating_sub(1)).min(limit);
            if let Some(d) = bounded_distance(&norm, &other, budget) {
                if best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, name));
                }
            }
        }
    }
    best.map(|(_, name)| name)
}

/// [`closest`] over plain names.
pub fn closest_name<'c>(input: &str, names: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    closest(input, names.into_iter().map(|n| (n, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, limit: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        bounded_distance(&a, &b, limit)
    }

    #[test]
    fn distance() {
        assert_eq!(d("kitten", "sitting", 5), Some(3));
        assert_eq!(d("kitten", "sitting", 2), None);
        assert_eq!(d("", "abc", 3), Some(3));
        assert_eq!(d("same", "same", 0), Some(0));
        assert_eq!(d("abc", "abcdefgh", 2), None);
    }

    #[test]
    fn suggests_close_names() {
        let names = ["customer_name", "agreement_date", "billing_currency"];
        assert_eq!(closest_name("customer_nme", names), Some("customer_name"));
        assert_eq!(closest_name("Customer Name", names), Some("customer_name"));
        assert_eq!(closest_name("agreementdate", names), Some("agreement_date"));
        assert_eq!(closest_name("zzz", names), None);
        assert_eq!(closest_name(&"x".repeat(1000), names), None);
    }

    #[test]
    fn label_alias_leads_to_the_variable() {
        let candidates = [("notice_period_days", Some("Notice Period (days)"))];
        assert_eq!(
            closest("notice period (days)", candidates),
            Some("notice_period_days")
        );
    }
}
