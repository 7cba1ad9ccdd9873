//! Paths parsed ahead: a definition's path strings parsed once when it is compiled
//! ([`Parsed`]), found again by the address of their text while a step of that definition
//! runs on this thread ([`ahead`]); [`parse_shared`] is what evaluation calls.
//!
//! The key is where the text lies: the strings of a compiled definition stay where they are
//! for as long as the definition lives, and the table is only consulted while a step holds
//! that definition, so no other live string can sit at the same address. A text that is
//! not in the table (built at run time, trimmed differently) is parsed as it comes.

use super::{Path, PathError, parse};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Paths parsed ahead, by the address and length of their text; and the `{{ }}`
/// placeholders of template strings, found ahead.
#[derive(Debug, Default)]
pub struct Parsed {
    paths: HashMap<(usize, usize), Arc<Path>, ByAddress>,
    /// A template string → each placeholder's byte range and its path's byte range in it.
    templates: HashMap<(usize, usize), Arc<Vec<Spans>>, ByAddress>,
}

/// Hashes an address and a length with one multiply each (the keys are addresses, not
/// text anyone chooses, so a keyed hash buys nothing here).
#[derive(Clone, Copy, Debug, Default)]
struct ByAddress;

impl std::hash::BuildHasher for ByAddress {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

#[derive(Debug)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Where a placeholder lies in its string: the whole `{{ ... }}`, and its trimmed path.
pub type Spans = (std::ops::Range<usize>, std::ops::Range<usize>);

fn key(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

impl Parsed {
    /// Parses `text` (a string of the definition the table belongs to) and keeps it; text
    /// that is not a path is left out.
    pub fn add(&mut self, text: &str) {
        if let Ok(p) = parse(text) {
            self.paths.insert(key(text), Arc::new(p));
        }
    }

    /// Finds the placeholders of `text` (a string of the definition) and keeps where they
    /// lie, parsing each path; text without a well-formed placeholder is left out.
    pub fn add_template(&mut self, text: &str) {
        let Ok(found) = crate::template::placeholders(text) else {
            return;
        };
        if found.is_empty() {
            return;
        }
        let base = text.as_ptr() as usize;
        let spans = found
            .iter()
            .map(|p| {
                let start = p.path.as_ptr() as usize - base;
                (p.range.clone(), start..start + p.path.len())
            })
            .collect();
        for p in &found {
            self.add(p.path);
        }
        self.templates.insert(key(text), Arc::new(spans));
    }

    /// How many paths it holds.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

thread_local! {
    static AHEAD: RefCell<Option<Arc<Parsed>>> = const { RefCell::new(None) };
}

/// While it lives, [`parse_shared`] on this thread looks paths up in its table first.
#[derive(Debug)]
pub struct Ahead {
    /// The table to put back when it drops; none when the table was in place already.
    previous: Option<Option<Arc<Parsed>>>,
}

/// Makes `table` the one [`parse_shared`] consults on this thread until the guard drops
/// (nothing to do when it is in place already: the steps of one run, one after another).
pub fn ahead(table: &Arc<Parsed>) -> Ahead {
    let previous = AHEAD.with(|a| {
        let mut a = a.borrow_mut();
        if a.as_ref().is_some_and(|t| Arc::ptr_eq(t, table)) {
            None
        } else {
            Some(a.replace(Arc::clone(table)))
        }
    });
    Ahead { previous }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            AHEAD.with(|a| *a.borrow_mut() = previous);
        }
    }
}

/// `text` parsed: from the table of the definition running on this thread when it holds
/// it, else parsed now.
pub fn parse_shared(text: &str) -> Result<Arc<Path>, PathError> {
    let found = AHEAD.with(|a| {
        a.borrow()
            .as_ref()
            .and_then(|t| t.paths.get(&key(text)).cloned())
    });
    match found {
        Some(p) => Ok(p),
        None => parse(text).map(Arc::new),
    }
}

/// Where the placeholders of `text` lie, when the definition running on this thread found
/// them ahead.
pub fn template_spans(text: &str) -> Option<Arc<Vec<Spans>>> {
    AHEAD.with(|a| {
        a.borrow()
            .as_ref()
            .and_then(|t| t.templates.get(&key(text)).cloned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_of_the_table_is_found_by_where_its_text_lies() {
        let definition = String::from("$.ticket.id");
        let mut table = Parsed::default();
        table.add(&definition);
        table.add("not a path");
        assert_eq!(table.len(), 1);
        let table = Arc::new(table);
        {
            let _ahead = ahead(&table);
            let a = parse_shared(&definition).unwrap();
            let b = parse_shared(&definition).unwrap();
            assert!(Arc::ptr_eq(&a, &b), "the parsed path is shared");
            // The same text elsewhere is parsed on its own, to the same path.
            let copy = definition.clone();
            let c = parse_shared(&copy).unwrap();
            assert!(!Arc::ptr_eq(&a, &c));
            assert_eq!(*a, *c);
        }
        // Outside the guard nothing is shared.
        let d = parse_shared(&definition).unwrap();
        assert_eq!(Arc::strong_count(&d), 1);
        assert!(parse_shared("nope").is_err());
    }
}
