//! One stable sort for every slice the two crates sort.
//!
//! `<[T]>::sort_by` is generic over the element type *and* the comparator, so each call site
//! got its own copy of std's driftsort (quicksort, merges, small sorts, pivots: 4–9 KiB of
//! wasm each; 17 copies made 80 KiB of the linker output, BENCHMARKS.md "Weight: anatomy").
//! Here the sorting itself is done once, non-generically, over the *positions* `0..len`
//! with the comparator behind `&mut dyn FnMut`; each call site adds only its comparator and
//! a swap closure. `BTreeMap`'s `FromIterator` sorts too (a stable sort per key and value
//! type): build maps with [`map_from`] instead of `collect`.
//!
//! The result is exactly that of the std method of the same name: the sort is stable (equal
//! elements keep their order) and a stable sort's result is determined by the comparator
//! alone, so which algorithm sorts does not show. Slices of up to [`SMALL`] elements (most:
//! actions, flags, statuses, the members of one JSON object) are sorted in place by insertion;
//! longer ones (template fields, records of a reconciliation) through a `Vec` of positions.
//! Both cost an indirect call per comparison more than the std methods.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Sorts `items` stably by `compare`: the same result as `<[T]>::sort_by(items, compare)`.
///
/// Does not check that `compare` is a total order; with one that is not, the result is what
/// std's is then: an unspecified order, or a panic.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    if items.len() <= SMALL {
        let len = items.len();
        insertion_sort(len, &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) if compare(x, y).is_gt() => {
                items.swap(a, b);
                true
            }
            _ => false,
        });
        return;
    }
    let order = {
        let items = &*items;
        sorted_positions(
            items.len(),
            &mut |a, b| match (items.get(a), items.get(b)) {
                (Some(a), Some(b)) => compare(a, b),
                // Not reached: positions are below `items.len()`.
                _ => Ordering::Equal,
            },
        )
    };
    permute(order, &mut |a, b| items.swap(a, b));
}

/// [`sort_by`] for a hot path: the same result, with the insertion sort of short slices
/// compiled for this call site (the comparator inlined; a few hundred bytes of code per
/// use). Longer slices go through the shared sort.
pub fn sort_by_inline<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() > SMALL {
        return sort_by(items, compare);
    }
    for end in 1..items.len() {
        let mut at = end;
        while at > 0 {
            match (items.get(at - 1), items.get(at)) {
                (Some(a), Some(b)) if compare(a, b).is_gt() => items.swap(at - 1, at),
                _ => break,
            }
            at -= 1;
        }
    }
}

/// Sorts `items` stably by `key`: the same result as `<[T]>::sort_by_key(items, key)` (the
/// key is computed for both sides of each comparison, as there).
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably in their `Ord` order: the same result as `<[T]>::sort(items)`, and
/// as `sort_unstable` for types whose equal values cannot be told apart (strings, numbers,
/// field-less enums).
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The map of `pairs`, built by inserting them in order: the same map as `pairs.collect()`
/// (a later value of an equal key replaces the earlier one) without the stable sort that
/// `BTreeMap`'s `FromIterator` instantiates per key and value type.
///
/// Does not keep the *last* of equal keys as `collect` does but the first; for keys whose
/// equal values cannot be told apart (strings) that is the same map.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// Slices up to this long are sorted in place by insertion, without the positions' `Vec`
/// (std's stable sort switches to insertion below the same length).
const SMALL: usize = 20;

/// A stable insertion sort of a slice of `len` elements, through `swap_if_greater(a, a + 1)`,
/// which swaps the two neighbours when the first is greater and says whether it did.
#[inline(never)]
fn insertion_sort(len: usize, swap_if_greater: &mut dyn FnMut(usize, usize) -> bool) {
    for end in 1..len {
        let mut at = end;
        while at > 0 && swap_if_greater(at - 1, at) {
            at -= 1;
        }
    }
}

/// `0..len` in the order of a stable sort by `compare` (of positions): the one instance of
/// std's sort in the package.
#[inline(never)]
fn sorted_positions(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Rearranges a slice so that its position `i` holds what was at `order[i]`, by `swap`s
/// along the permutation's cycles (at most `len - 1` swaps). `order` must be a permutation
/// of `0..len`.
#[inline(never)]
fn permute(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    // A position whose final element is in place.
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        // Invariant: position `at` holds the element that started at `start`.
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = std::mem::replace(slot, DONE);
            if from == DONE || from == start {
                break;
            }
            swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no dev-dependency in this crate).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    #[test]
    fn the_result_is_that_of_std_stable_sort_for_every_length_and_many_ties() {
        let mut rng = Lcg(7);
        for len in (0..70).chain([100, 257, 1000, 4096]) {
            for keys in [1, 2, 3, 10, 1_000_000] {
                // (key, original position): ties differ in the second field, so any
                // instability or lost element shows.
                let items: Vec<(u64, usize)> = (0..len).map(|i| (rng.next(keys), i)).collect();
                let mut ours = items.clone();
                let mut std = items.clone();
                sort_by_key(&mut ours, |item| item.0);
                std.sort_by_key(|item| item.0);
                assert_eq!(ours, std, "len {len}, {keys} keys");

                let mut ours = items.clone();
                sort_by_inline(&mut ours, |a, b| a.0.cmp(&b.0));
                assert_eq!(ours, std, "inline, len {len}, {keys} keys");

                let mut ours = items.clone();
                let mut std = items;
                let descending = |a: &(u64, usize), b: &(u64, usize)| b.0.cmp(&a.0);
                sort_by(&mut ours, descending);
                std.sort_by(descending);
                assert_eq!(ours, std, "descending, len {len}, {keys} keys");
            }
        }
    }

    #[test]
    fn map_from_is_the_map_collect_builds_later_values_winning() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
        let collected: BTreeMap<&str, i32> = pairs.into_iter().collect();
        assert_eq!(map_from(pairs), collected);
        assert_eq!(map_from(pairs).get("a"), Some(&5));
    }

    #[test]
    fn sorted_and_reversed_inputs_and_strings_sort_like_std() {
        let ascending: Vec<u32> = (0..300).collect();
        let mut ours = ascending.clone();
        sort(&mut ours);
        assert_eq!(ours, ascending);
        let mut ours: Vec<u32> = ascending.iter().rev().copied().collect();
        sort(&mut ours);
        assert_eq!(ours, ascending);

        let mut words: Vec<String> = ["b", "A", "a", "é", "", "ab", "b", "Z", "e\u{301}"]
            .map(String::from)
            .to_vec();
        let mut std = words.clone();
        std.sort_unstable();
        sort(&mut words);
        assert_eq!(words, std);
    }
}
