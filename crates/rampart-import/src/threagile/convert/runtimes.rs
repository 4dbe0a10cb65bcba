//! Threagile shared runtimes → boundaries.
//!
//! A shared runtime (a virtualisation host, a container cluster) is where
//! several technical assets execute side by side, so a compromise of one
//! reaches the others. Rampart has no runtimes; the nearest thing is a
//! boundary of kind `shared-runtime` around those assets. An element sits in
//! one boundary only, so the runtime boundary is nested in the trust boundary
//! its assets already share, and is as trusted as that place: `internal`
//! inside a Threagile trust boundary, `untrusted` when the assets are outside
//! every boundary (where the import already puts them). A runtime whose assets
//! sit in different trust boundaries, or that runs an asset an earlier
//! runtime already holds, would have to move assets across zones: it is
//! reported as a warning instead and not imported.

use rampart_model::{Boundary, Diagnostic, Located, Trust};

use super::{Converter, Namespace, located, non_empty};

impl Converter<'_> {
    /// Boundaries for the shared runtimes; moves their assets into them in
    /// `membership` (the boundary of each technical asset, by index).
    pub(super) fn shared_runtimes(
        &mut self,
        boundaries: &[Boundary],
        membership: &mut [Option<Located<String>>],
    ) -> Vec<Boundary> {
        let document = self.document;
        let mut runtime_of: Vec<Option<usize>> = vec![None; membership.len()];
        let mut created = Vec::new();
        for (index, (title, runtime)) in document.shared_runtimes.iter().enumerate() {
            let context = format!("shared runtime `{}`", title.value);
            let mut assets: Vec<(usize, &Located<String>)> = Vec::new();
            for reference in &runtime.technical_assets_running {
                if let Some(asset) = self.resolve(reference, Namespace::Asset, &context)
                    && !assets.iter().any(|(known, _)| *known == asset)
                {
                    assets.push((asset, reference));
                }
            }
            let Some(id) = self.runtime_ids.get(index).cloned().flatten() else { continue };
            let mut places: Vec<Option<&str>> = Vec::new();
            for (asset, _) in &assets {
                let place = membership.get(*asset).and_then(|member| member.as_ref()).map(|member| member.as_str());
                if !places.contains(&place) {
                    places.push(place);
                }
            }
            let taken: Vec<&str> = assets
                .iter()
                .filter(|(asset, _)| runtime_of.get(*asset).is_some_and(Option::is_some))
                .map(|(_, reference)| reference.as_str())
                .collect();
            if places.len() > 1 || !taken.is_empty() {
                let reason = if taken.is_empty() {
                    let names: Vec<String> = places
                        .iter()
                        .map(|place| place.map_or("outside every boundary".to_string(), |place| format!("`{place}`")))
                        .collect();
                    format!("its technical assets sit in different trust boundaries ({})", names.join(", "))
                } else {
                    format!("`{}` already runs in an earlier shared runtime", taken.join("`, `"))
                };
                self.warnings.push(
                    Diagnostic::warning(
                        title.at,
                        format!("shared runtime `{}` not imported as a boundary: {reason}", title.value),
                    )
                    .with_help("a Rampart element sits in one boundary; group the assets by hand if that fits"),
                );
                if let Some(slot) = self.runtime_ids.get_mut(index) {
                    *slot = None;
                }
                continue;
            }
            let parent = places.first().copied().flatten().map(str::to_string);
            let trust = match &parent {
                Some(parent) => boundaries
                    .iter()
                    .find(|boundary| boundary.id.value == *parent)
                    .map_or(Trust::Internal, |boundary| boundary.trust),
                None if assets.is_empty() => Trust::Internal,
                None => Trust::Untrusted,
            };
            for (asset, reference) in &assets {
                if let Some(member) = membership.get_mut(*asset) {
                    *member = Some(located(id.clone(), reference.at));
                }
                if let Some(slot) = runtime_of.get_mut(*asset) {
                    *slot = Some(index);
                }
            }
            created.push(Boundary {
                id: located(id, runtime.id.at),
                name: Some(title.value.clone()),
                kind: Some("shared-runtime".to_string()),
                trust,
                parent: parent.map(|parent| located(parent, title.at)),
                controls: Vec::new(),
                description: non_empty(runtime.description.as_ref()),
                source: None,
            });
        }
        created
    }
}
