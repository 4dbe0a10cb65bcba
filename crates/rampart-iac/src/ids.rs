//! Element ids from resource names: readable (`web`, `ns-shop`), valid in
//! Rampart's single id namespace, and stable: the importers hand them out in
//! a sorted order, so the same input gives the same ids whatever order the
//! files or documents came in.

use std::collections::BTreeSet;

/// Lower-cases `text` and replaces every run of other characters than ASCII
/// letters, digits, `_` and `.` with one `-`, trimming `-` at both ends.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
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

/// Hands out unique ids.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    used: BTreeSet<String>,
}

impl IdAllocator {
    /// The slug of `wanted` when it is free; else with `-{suffix}`, then a
    /// number, appended. An empty slug becomes `suffix`.
    pub(crate) fn allocate(&mut self, wanted: &str, suffix: &str) -> String {
        let base = slugify(wanted);
        let base = if base.is_empty() { suffix.to_string() } else { base };
        if self.used.insert(base.clone()) {
            return base;
        }
        let suffixed = format!("{base}-{suffix}");
        if self.used.insert(suffixed.clone()) {
            return suffixed;
        }
        (2u32..)
            .map(|number| format!("{suffixed}-{number}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .unwrap_or(suffixed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_kubernetes_and_compose_names() {
        assert_eq!(slugify("web"), "web");
        assert_eq!(slugify("shop_api.v2"), "shop_api.v2");
        assert_eq!(slugify("Ingress NGINX!"), "ingress-nginx");
        assert_eq!(slugify("api.stripe.com:443"), "api.stripe.com-443");
        assert_eq!(slugify("@@"), "");
    }

    #[test]
    fn clashes_get_the_suffix_then_a_number() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.allocate("web", "deployment"), "web");
        assert_eq!(ids.allocate("web", "statefulset"), "web-statefulset");
        assert_eq!(ids.allocate("web", "statefulset"), "web-statefulset-2");
        assert_eq!(ids.allocate("", "data"), "data");
    }
}
