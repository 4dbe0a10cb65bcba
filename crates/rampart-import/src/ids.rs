//! Turning other tools' identifiers into Rampart ids.
//!
//! Rampart ids share one namespace (boundaries, actors, components, data and
//! flows) and use letters, digits, `-`, `_` and `.`. Other tools have one
//! namespace per element type, allow any text, or use titles as keys, so every
//! importer passes its ids through an [`IdAllocator`].

use std::collections::HashSet;

/// Whether `id` can be used as a Rampart id as it is.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Lower-cases `text` and replaces every run of other characters than ASCII
/// letters and digits with one `-`, trimming `-` at both ends. This is the
/// rule Threagile uses to derive link ids from link titles, so imported ids
/// stay recognisable.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Hands out unique, valid Rampart ids.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    used: HashSet<String>,
}

impl IdAllocator {
    /// A valid id that no earlier call returned: `wanted` itself when it is
    /// valid and free, else its slug, else the slug with `-{suffix}` (and a
    /// number) appended. Callers compare the result with `wanted` to tell the
    /// user about a rename.
    pub(crate) fn allocate(&mut self, wanted: &str, suffix: &str) -> String {
        let base = if is_valid_id(wanted) { wanted.to_string() } else { slugify(wanted) };
        let base = if base.is_empty() { suffix.to_string() } else { base };
        if self.used.insert(base.clone()) {
            return base;
        }
        let suffixed = format!("{base}-{suffix}");
        if self.used.insert(suffixed.clone()) {
            return suffixed;
        }
        let mut number = 2u32;
        loop {
            let candidate = format!("{suffixed}-{number}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            number += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_threagile_link_ids() {
        assert_eq!(slugify("Customer Traffic"), "customer-traffic");
        assert_eq!(slugify("  Git-Repo Code Write Access!! "), "git-repo-code-write-access");
        assert_eq!(slugify("ERP/DB (Ünïcode)"), "erp-db-n-code");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn allocator_keeps_valid_ids_and_renames_clashes() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.allocate("web-dmz", "boundary"), "web-dmz");
        assert_eq!(ids.allocate("web-dmz", "boundary"), "web-dmz-boundary");
        assert_eq!(ids.allocate("web-dmz", "boundary"), "web-dmz-boundary-2");
        assert_eq!(ids.allocate("Some Thing@x", "data"), "some-thing-x");
        assert_eq!(ids.allocate("", "data"), "data");
        assert_eq!(ids.allocate("a_b.c", "data"), "a_b.c");
    }
}
