//! Threagile document → Rampart model.
//!
//! The conversion runs in passes over the parsed document: ids first (so that
//! every reference can be resolved and checked, whatever the order of the
//! sections), then the role and type of each technical asset, boundaries and
//! shared runtimes, flows, the capabilities the links reveal, data,
//! hand-written risks and risk tracking. Every
//! problem is collected, so the user sees all of them at once.
//!
//! What is deliberately not carried over (Rampart derives it, or has no place
//! for it) and so raises no warning: a technical asset's own CIA ratings
//! (Rampart rates data, and an element is as sensitive as the data it
//! handles), `size`, `machine`, `owner`, `multi_tenant`, `redundant`, a
//! link's `ip_filtered`, `readonly`, `usage` and tags, diagram tweaks, tags
//! lists, author and dates. Report sections are reported as warnings.
//! Shared runtimes, hand-written risks and risk tracking have modules of
//! their own.

use std::collections::HashMap;

use rampart_model::{
    Actor, Authentication, Authorization, Boundary, Component, DataAsset, Diagnostic, Exposure, Flow, Located, Model,
    Position, Rating, Status, Trust, diagnostic,
};

use super::format::{self, AssetType, Document, TechnicalAsset, Usage};
use super::tables::{self, Fit};
use crate::Imported;
use crate::ids::{IdAllocator, slugify};

mod risks;
mod runtimes;
mod tracking;

pub(super) fn convert(document: &Document, text: &str) -> Result<Imported, Vec<Diagnostic>> {
    let mut converter = Converter::new(document, text);
    let model = converter.model();
    let Converter { errors, warnings, .. } = converter;
    Imported::finish(model, errors, warnings)
}

/// What a technical asset becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Out of scope or run by someone else: Rampart raises no component
    /// threats on it, as Threagile raises no risks on it.
    Actor(&'static str),
    Component(&'static str),
}

/// A communication link, resolved.
struct Link<'d> {
    title: &'d Located<String>,
    source: &'d format::CommunicationLink,
    from: usize,
    /// `None` when the target does not exist (an error has been reported).
    to: Option<usize>,
    /// Threagile's protocol, normalised; empty when not given.
    protocol: String,
    /// Threagile's id for the link (`SOURCE>title-slug`), used by risk ids.
    threagile_id: String,
    flow_id: String,
}

struct Converter<'d> {
    document: &'d Document,
    text: &'d str,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    ids: IdAllocator,
    /// Rampart id of each technical asset, data asset and boundary, by index.
    asset_ids: Vec<String>,
    data_ids: Vec<String>,
    boundary_ids: Vec<String>,
    /// Rampart id of each shared runtime's boundary, `None` where the
    /// runtime could not become one.
    runtime_ids: Vec<Option<String>>,
    /// Threagile id → index, per namespace.
    asset_index: HashMap<&'d str, usize>,
    data_index: HashMap<&'d str, usize>,
    boundary_index: HashMap<&'d str, usize>,
    runtime_index: HashMap<&'d str, usize>,
    roles: Vec<Role>,
    links: Vec<Link<'d>>,
    /// Hand-written risks, for the risk tracking that names them.
    individual_risks: Vec<risks::IndividualRisk>,
}

fn located<T>(value: T, at: Position) -> Located<T> {
    Located { value, at }
}

fn normalised(term: &str) -> String {
    term.trim().to_ascii_lowercase()
}

fn non_empty(text: Option<&String>) -> Option<String> {
    text.map(|text| text.trim()).filter(|text| !text.is_empty()).map(str::to_string)
}

impl<'d> Converter<'d> {
    fn new(document: &'d Document, text: &'d str) -> Self {
        Converter {
            document,
            text,
            errors: Vec::new(),
            warnings: Vec::new(),
            ids: IdAllocator::default(),
            asset_ids: Vec::new(),
            data_ids: Vec::new(),
            boundary_ids: Vec::new(),
            runtime_ids: Vec::new(),
            asset_index: HashMap::new(),
            data_index: HashMap::new(),
            boundary_index: HashMap::new(),
            runtime_index: HashMap::new(),
            roles: Vec::new(),
            links: Vec::new(),
            individual_risks: Vec::new(),
        }
    }

    fn model(&mut self) -> Model {
        self.check_top_level_keys();
        self.allocate_ids();
        self.resolve_links();
        self.assign_roles();
        let (mut boundaries, mut membership) = self.boundaries();
        boundaries.extend(self.shared_runtimes(&boundaries, &mut membership));
        let flows = self.flows();
        let (actors, components) = self.elements(&membership);
        let data = self.data();
        let custom_threats = self.individual_risk_categories();
        let threats = self.risk_tracking(&components);
        self.report_unmapped_sections();

        let document = self.document;
        let name = match non_empty(document.title.as_ref()) {
            Some(title) => title,
            None => {
                self.warnings.push(
                    Diagnostic::warning(Position::new(1, 1), "the Threagile model has no `title`")
                        .with_help("the imported model is named `Threagile model`; set `name:` to rename it"),
                );
                "Threagile model".to_string()
            }
        };
        let overviews = [&document.application_description, &document.business_overview, &document.technical_overview];
        let mut description: Vec<String> = Vec::new();
        for text in overviews.into_iter().flatten().filter_map(|overview| non_empty(overview.description.as_ref())) {
            if !description.contains(&text) {
                description.push(text);
            }
        }
        Model {
            rampart: Located::synthetic(rampart_model::FORMAT_VERSION),
            name,
            description: (!description.is_empty()).then(|| description.join("\n\n")),
            libraries: Vec::new(),
            controls: Vec::new(),
            boundaries,
            actors,
            components,
            data,
            flows,
            threats,
            custom_threats,
            policy: None,
            layout: Default::default(),
        }
    }

    /// Unknown top-level keys: a near miss of a documented key is a typo and
    /// an error (a whole section would be lost); anything else is taken for a
    /// section of a newer Threagile version and reported as a warning.
    fn check_top_level_keys(&mut self) {
        for (key, _) in self.document.unknown.iter() {
            let at = top_level_key_position(self.text, &key.value);
            match diagnostic::nearest(&key.value, format::TOP_LEVEL_KEYS.iter().copied()) {
                Some(best) => self.errors.push(
                    Diagnostic::error(at, format!("unknown key `{}`", key.value))
                        .with_help(format!("did you mean `{best}`?")),
                ),
                None => self.warnings.push(Diagnostic::warning(
                    at,
                    format!("unknown top-level key `{}` is not part of the Threagile format; ignored", key.value),
                )),
            }
        }
    }

    /// Technical assets first, as links, boundaries and risk ids name them;
    /// a data asset or boundary whose id a technical asset already uses is
    /// renamed (Threagile keeps one namespace per element type, Rampart one).
    fn allocate_ids(&mut self) {
        let document = self.document;
        for (index, (_, asset)) in document.technical_assets.iter().enumerate() {
            let id = self.allocate(&asset.id, index, Namespace::Asset);
            self.asset_ids.push(id);
        }
        for (index, (_, data)) in document.data_assets.iter().enumerate() {
            let id = self.allocate(&data.id, index, Namespace::Data);
            self.data_ids.push(id);
        }
        for (index, (_, boundary)) in document.trust_boundaries.iter().enumerate() {
            let id = self.allocate(&boundary.id, index, Namespace::Boundary);
            self.boundary_ids.push(id);
        }
        for (index, (_, runtime)) in document.shared_runtimes.iter().enumerate() {
            let id = self.allocate(&runtime.id, index, Namespace::Runtime);
            self.runtime_ids.push(Some(id));
        }
    }

    /// Records a Threagile id and returns the Rampart id it becomes. A
    /// duplicate is an error; a rename is a warning.
    fn allocate(&mut self, id: &'d Located<String>, index: usize, namespace: Namespace) -> String {
        let (table, noun, suffix) = match namespace {
            Namespace::Asset => (&mut self.asset_index, "technical asset", "asset"),
            Namespace::Data => (&mut self.data_index, "data asset", "data"),
            Namespace::Boundary => (&mut self.boundary_index, "trust boundary", "boundary"),
            Namespace::Runtime => (&mut self.runtime_index, "shared runtime", "runtime"),
        };
        let duplicate = table.insert(id.value.trim(), index).is_some();
        let allocated = self.ids.allocate(id.value.trim(), suffix);
        if duplicate {
            self.errors.push(Diagnostic::error(id.at, format!("duplicate {noun} id `{}`", id.value)));
        } else if allocated != id.value {
            let reason = if crate::ids::is_valid_id(&id.value) {
                "is already used by another element"
            } else {
                "is not a valid Rampart id (letters, digits, `-`, `_`, `.`)"
            };
            self.warnings.push(Diagnostic::warning(
                id.at,
                format!("{noun} id `{}` {reason}; imported as `{allocated}`", id.value),
            ));
        }
        allocated
    }

    /// Resolves a reference, reporting a missing one with the nearest id.
    fn resolve(&mut self, reference: &Located<String>, namespace: Namespace, context: &str) -> Option<usize> {
        let (table, noun) = match namespace {
            Namespace::Asset => (&self.asset_index, "technical asset"),
            Namespace::Data => (&self.data_index, "data asset"),
            Namespace::Boundary => (&self.boundary_index, "trust boundary"),
            Namespace::Runtime => (&self.runtime_index, "shared runtime"),
        };
        if let Some(index) = table.get(reference.value.trim()) {
            return Some(*index);
        }
        let diagnostic = Diagnostic::error(
            reference.at,
            format!("{context} names {noun} `{}`, which does not exist", reference.value),
        )
        .suggest(&reference.value, table.keys().copied());
        self.errors.push(diagnostic);
        None
    }

    fn resolve_links(&mut self) {
        let document = self.document;
        for (from, (asset_title, asset)) in document.technical_assets.iter().enumerate() {
            for (title, link) in asset.communication_links.iter() {
                let context = format!("link `{}` of `{}`", title.value, asset_title.value);
                let to = self.resolve(&link.target, Namespace::Asset, &context);
                let slug = slugify(&title.value);
                let threagile_id = format!("{}>{slug}", asset.id.value.trim());
                let wanted = format!("{}.{}", self.asset_ids[from], if slug.is_empty() { "link" } else { &slug });
                let flow_id = self.ids.allocate(&wanted, "link");
                let protocol = link.protocol.as_ref().map(|protocol| normalised(&protocol.value)).unwrap_or_default();
                self.links.push(Link { title, source: link, from, to, protocol, threagile_id, flow_id });
            }
        }
    }

    /// Decides, for every technical asset, whether it is an actor or a
    /// component and of which type.
    fn assign_roles(&mut self) {
        let document = self.document;
        for (index, (title, asset)) in document.technical_assets.iter().enumerate() {
            let role = self.role(index, title, asset);
            self.roles.push(role);
        }
    }

    fn role(&mut self, index: usize, title: &Located<String>, asset: &TechnicalAsset) -> Role {
        let technology = technology(asset);
        let technology_name = technology.map(|technology| normalised(&technology.value)).unwrap_or_default();
        if asset.asset_type == AssetType::ExternalEntity || asset.out_of_scope {
            let human = asset.used_as_client_by_human || tables::is_personal_device(&technology_name);
            let kind = match (human, asset.usage) {
                (true, Some(Usage::Devops)) => "administrator",
                (true, _) => "user",
                (false, _) => "external-system",
            };
            return Role::Actor(kind);
        }
        let Some(technology) = technology else {
            self.warnings.push(
                Diagnostic::warning(asset.id.at, format!("technical asset `{}` names no technology", title.value))
                    .with_help("imported as a `service`; set its `kind` after import"),
            );
            return Role::Component("service");
        };
        match tables::component_kind(&technology_name) {
            Some((kind, fit)) => {
                if fit == Fit::Closest {
                    self.warnings.push(
                        Diagnostic::warning(
                            technology.at,
                            format!(
                                "Threagile technology `{technology_name}` has no exact Rampart component type; \
                                 `{}` imported as `{kind}`",
                                title.value
                            ),
                        )
                        .with_help("set a more specific `kind` after import if the catalog has one"),
                    );
                }
                // Threagile has one `database` and one `message-queue`
                // technology; the protocols of the links into them tell a
                // document database and an MQTT broker apart.
                let incoming: Vec<&Link> = self.links.iter().filter(|link| link.to == Some(index)).collect();
                let only = |protocol: fn(&str) -> bool| {
                    !incoming.is_empty() && incoming.iter().all(|link| protocol(&link.protocol))
                };
                match technology_name.as_str() {
                    "database" if only(tables::is_nosql_protocol) => Role::Component("document-database"),
                    "message-queue" if only(|protocol| protocol == "mqtt") => Role::Component("mqtt-broker"),
                    _ => Role::Component(kind),
                }
            }
            None => {
                self.warnings.push(
                    Diagnostic::warning(
                        technology.at,
                        format!(
                            "unknown Threagile technology `{}`; `{}` imported as `service`",
                            technology.value, title.value
                        ),
                    )
                    .with_help("set its `kind` after import"),
                );
                Role::Component("service")
            }
        }
    }

    /// Trust boundaries, and the boundary each technical asset sits in.
    ///
    /// Every Threagile boundary is the organisation's own zone (a network, a
    /// cloud account, a security group, a namespace), so it is `internal`;
    /// an `execution-environment` is a logical grouping inside one and is
    /// equally trusted. Assets in no boundary stay outside every boundary,
    /// which Rampart treats as untrusted.
    fn boundaries(&mut self) -> (Vec<Boundary>, Vec<Option<Located<String>>>) {
        let document = self.document;
        let mut membership: Vec<Option<Located<String>>> = vec![None; document.technical_assets.len()];
        let mut parents: Vec<Option<Located<String>>> = vec![None; document.trust_boundaries.len()];
        for (index, (title, boundary)) in document.trust_boundaries.iter().enumerate() {
            let id = self.boundary_ids[index].clone();
            let context = format!("trust boundary `{}`", title.value);
            for inside in &boundary.technical_assets_inside {
                let Some(asset) = self.resolve(inside, Namespace::Asset, &context) else { continue };
                match &membership[asset] {
                    Some(first) => self.warnings.push(Diagnostic::warning(
                        inside.at,
                        format!(
                            "technical asset `{}` is inside both `{}` and `{}`; kept `{}`",
                            inside.value, first.value, id, first.value
                        ),
                    )),
                    None => membership[asset] = Some(located(id.clone(), inside.at)),
                }
            }
            for nested in &boundary.trust_boundaries_nested {
                let Some(child) = self.resolve(nested, Namespace::Boundary, &context) else { continue };
                match &parents[child] {
                    Some(first) => self.warnings.push(Diagnostic::warning(
                        nested.at,
                        format!(
                            "trust boundary `{}` is nested in both `{}` and `{}`; kept `{}`",
                            nested.value, first.value, id, first.value
                        ),
                    )),
                    None => parents[child] = Some(located(id.clone(), nested.at)),
                }
            }
        }
        let boundaries = document
            .trust_boundaries
            .iter()
            .zip(parents)
            .enumerate()
            .map(|(index, ((title, boundary), parent))| Boundary {
                id: located(self.boundary_ids[index].clone(), boundary.id.at),
                name: Some(title.value.clone()),
                kind: boundary.boundary_type.map(|kind| boundary_kind(kind).to_string()),
                trust: Trust::Internal,
                parent,
                controls: Vec::new(),
                description: non_empty(boundary.description.as_ref()),
                // The Threagile file's own positions already point at the source.
                source: None,
            })
            .collect();
        (boundaries, membership)
    }

    fn flows(&mut self) -> Vec<Flow> {
        let mut flows = Vec::with_capacity(self.links.len());
        for link_index in 0..self.links.len() {
            let (title, source, from, to) = {
                let link = &self.links[link_index];
                (link.title, link.source, link.from, link.to)
            };
            let mut data: Vec<Located<String>> = Vec::new();
            let context = format!("link `{}`", title.value);
            for reference in source.data_assets_sent.iter().chain(&source.data_assets_received) {
                if let Some(index) = self.resolve(reference, Namespace::Data, &context) {
                    push_unique(&mut data, &self.data_ids[index], reference.at);
                }
            }
            let Some(to) = to else { continue };
            let (protocol, encrypted) = self.protocol(link_index);
            let protocol_at = source.protocol.as_ref().map_or(title.at, |protocol| protocol.at);
            flows.push(Flow {
                id: Some(located(self.links[link_index].flow_id.clone(), title.at)),
                name: Some(title.value.clone()),
                from: located(self.asset_ids[from].clone(), title.at),
                to: located(self.asset_ids[to].clone(), source.target.at),
                protocol: located(protocol.to_string(), protocol_at),
                authentication: authentication(source.authentication),
                authorization: authorization(source.authorization),
                encrypted,
                data,
                // Rampart's authentication has no second-factor value; the
                // second factor is the control that answers password attacks.
                controls: match source.authentication {
                    Some(format::Authentication::TwoFactor) => {
                        vec![located("multi-factor-authentication".to_string(), protocol_at)]
                    }
                    _ => Vec::new(),
                },
                description: non_empty(source.description.as_ref()),
                source: None,
            });
        }
        flows
    }

    /// The Rampart protocol and encryption of a link. A VPN encrypts the
    /// channel between the two ends whatever the protocol inside, which is
    /// also why Threagile skips medium-sensitivity findings on VPN links.
    fn protocol(&mut self, link_index: usize) -> (&'static str, Option<bool>) {
        let link = &self.links[link_index];
        let at = link.source.protocol.as_ref().map_or(link.title.at, |protocol| protocol.at);
        let mapped = match tables::protocol(&link.protocol) {
            Some(mapped) => {
                if mapped.fit == Fit::Closest {
                    let message = if tables::is_process_local(&link.protocol) {
                        format!(
                            "Threagile protocol `{}` of link `{}` is process-local; Rampart has no such protocol, \
                             so the flow is imported as `{}`",
                            link.protocol, link.title.value, mapped.protocol
                        )
                    } else {
                        format!(
                            "Threagile protocol `{}` of link `{}` has no Rampart equivalent; imported as `{}`",
                            link.protocol, link.title.value, mapped.protocol
                        )
                    };
                    self.warnings.push(Diagnostic::warning(at, message));
                }
                mapped
            }
            None => {
                let message = if link.protocol.is_empty() {
                    format!("link `{}` names no protocol; imported as `tcp`", link.title.value)
                } else {
                    format!(
                        "unknown Threagile protocol `{}` of link `{}`; imported as `tcp`",
                        link.protocol, link.title.value
                    )
                };
                self.warnings.push(Diagnostic::warning(at, message));
                tables::Protocol { protocol: "tcp", encrypted: None, fit: Fit::Closest }
            }
        };
        let encrypted = if link.source.vpn && !tables::encrypted_by_default(mapped.protocol) {
            Some(true)
        } else {
            mapped.encrypted
        };
        (mapped.protocol, encrypted)
    }

    fn elements(&mut self, membership: &[Option<Located<String>>]) -> (Vec<Actor>, Vec<Component>) {
        let document = self.document;
        let mut actors = Vec::new();
        let mut components = Vec::new();
        for (index, (title, asset)) in document.technical_assets.iter().enumerate() {
            let id = located(self.asset_ids[index].clone(), asset.id.at);
            let boundary = membership[index].clone();
            let mut description = non_empty(asset.description.as_ref());
            match self.roles[index] {
                Role::Actor(kind) => {
                    self.report_actor_losses(title, asset);
                    let out_of_scope = asset.out_of_scope.then(|| non_empty(asset.justification_out_of_scope.as_ref()));
                    if let Some(why) = out_of_scope.flatten() {
                        let note = format!("Out of scope: {why}");
                        description = Some(description.map_or(note.clone(), |text| format!("{text}\n\n{note}")));
                    }
                    let kind_at = technology(asset).map_or(asset.id.at, |technology| technology.at);
                    actors.push(Actor {
                        id,
                        name: Some(title.value.clone()),
                        kind: located(kind.to_string(), kind_at),
                        boundary,
                        controls: Vec::new(),
                        description,
                    });
                }
                Role::Component(kind) => {
                    let kind_at = technology(asset).map_or(asset.id.at, |technology| technology.at);
                    let component = Component {
                        id,
                        name: Some(title.value.clone()),
                        kind: located(kind.to_string(), kind_at),
                        technology: technology_text(asset),
                        boundary,
                        exposure: self.exposure(index),
                        accepts: self.accepts(index, kind),
                        capabilities: self.capabilities(index, kind),
                        controls: encryption_controls(asset),
                        stores: Vec::new(),
                        processes: Vec::new(),
                        tags: asset.tags.clone(),
                        description,
                        source: None,
                    };
                    let component = self.with_data(title, asset, component);
                    components.push(component);
                }
            }
        }
        (actors, components)
    }

    /// Threagile marks the assets that sit on the internet; whatever they
    /// have a link to is reachable from the internet too (Threagile's own
    /// `unguarded-access-from-internet` rule reasons the same way).
    fn exposure(&self, index: usize) -> Exposure {
        let assets = &self.document.technical_assets.0;
        let on_internet = |index: usize| assets[index].1.internet;
        if on_internet(index) || self.incoming(index).any(|link| on_internet(link.from)) {
            Exposure::Internet
        } else {
            Exposure::Internal
        }
    }

    /// Actors store no data and parse no formats in Rampart. What an actor
    /// processes is carried by its flows, so only stored data and accepted
    /// formats are worth a warning.
    fn report_actor_losses(&mut self, title: &Located<String>, asset: &TechnicalAsset) {
        let context = format!("technical asset `{}`", title.value);
        for reference in &asset.data_assets_stored {
            self.resolve(reference, Namespace::Data, &context);
        }
        for reference in &asset.data_assets_processed {
            self.resolve(reference, Namespace::Data, &context);
        }
        let mut lost = Vec::new();
        if !asset.data_assets_stored.is_empty() {
            let stored: Vec<&str> = asset.data_assets_stored.iter().map(|data| data.value.as_str()).collect();
            lost.push(format!("stored data ({})", stored.join(", ")));
        }
        if !asset.data_formats_accepted.is_empty() {
            let formats: Vec<&str> =
                asset.data_formats_accepted.iter().map(|format| data_format(format.value)).collect();
            lost.push(format!("accepted formats ({})", formats.join(", ")));
        }
        if !lost.is_empty() {
            let why = if asset.out_of_scope { "out of scope" } else { "an external entity" };
            self.warnings.push(Diagnostic::warning(
                asset.id.at,
                format!(
                    "`{}` is {why}, so it is imported as an actor; actors have no {}",
                    title.value,
                    lost.join(" and ")
                ),
            ));
        }
    }

    fn with_data(&mut self, title: &Located<String>, asset: &TechnicalAsset, mut component: Component) -> Component {
        let context = format!("technical asset `{}`", title.value);
        for reference in &asset.data_assets_stored {
            if let Some(index) = self.resolve(reference, Namespace::Data, &context) {
                push_unique(&mut component.stores, &self.data_ids[index], reference.at);
            }
        }
        // Rampart's `processes` means "without storing": stored data is not repeated.
        for reference in &asset.data_assets_processed {
            if let Some(index) = self.resolve(reference, Namespace::Data, &context) {
                let id = &self.data_ids[index];
                let known = component.stores.iter().chain(&component.processes).any(|known| &known.value == id);
                if !known {
                    component.processes.push(located(id.clone(), reference.at));
                }
            }
        }
        component
    }

    fn incoming(&self, index: usize) -> impl Iterator<Item = &Link<'d>> {
        self.links.iter().filter(move |link| link.to == Some(index))
    }

    fn outgoing(&self, index: usize) -> impl Iterator<Item = &Link<'d>> {
        self.links.iter().filter(move |link| link.from == index)
    }

    fn has_web_inbound(&self, index: usize) -> bool {
        self.incoming(index).any(|link| tables::is_web_protocol(&link.protocol))
    }

    /// Data formats the component parses. Threagile's `file` ("file
    /// input/uploads") arrives as multipart bodies when the component is
    /// reached over HTTP, and as plain binary documents otherwise (NFS, SSH).
    fn accepts(&mut self, index: usize, kind: &str) -> Vec<Located<String>> {
        let document = self.document;
        let asset = &document.technical_assets.0[index].1;
        let mut accepts: Vec<Located<String>> = Vec::new();
        for format in &asset.data_formats_accepted {
            let mapped = match format.value {
                format::DataFormat::Json => "json",
                format::DataFormat::Xml => "xml",
                format::DataFormat::Serialization => "serialized-objects",
                format::DataFormat::File if self.has_web_inbound(index) => "multipart",
                format::DataFormat::File => "binary",
                format::DataFormat::Csv => {
                    self.warnings.push(Diagnostic::warning(
                        format.at,
                        format!("Rampart has no data format for `csv`; not imported for `{}`", asset.id.value),
                    ));
                    continue;
                }
            };
            push_unique(&mut accepts, mapped, format.at);
        }
        // A SOAP service parses XML whether or not the model lists it.
        let technology = technology(asset).map(|technology| normalised(&technology.value)).unwrap_or_default();
        if technology == "web-service-soap" && kind == "rest-api" {
            push_unique(&mut accepts, "xml", asset.id.at);
        }
        accepts
    }

    /// Capabilities the model itself shows, never guessed from the type
    /// alone (the catalog type already brings what every such component does):
    ///
    /// - `sql-queries` / `nosql-queries`: the component has a link to a
    ///   database over a database access protocol (JDBC, ODBC, SQL or NoSQL
    ///   access); a link over SSH to the database host does not count.
    /// - `ldap-queries`: it talks LDAP(S) to anything.
    /// - `sessions`, `verifies-tokens`: a link into it authenticates with a
    ///   session id or a token.
    /// - `user-login`: a person's client sends it credentials.
    /// - `file-upload`: it accepts Threagile's `file` format and is reached
    ///   over HTTP.
    /// - `state-changing-forms`: custom-developed web app reached with session
    ///   cookies on a link that is not read-only (the CSRF precondition).
    /// - `object-identifiers`: custom-developed web app or API to which the end
    ///   user's identity is propagated, i.e. it decides per user which records
    ///   may be touched (the precondition of broken object-level authorization).
    ///
    /// Load balancers, reverse proxies and WAFs pass requests on, so links
    /// into them reveal nothing about application behaviour.
    fn capabilities(&self, index: usize, kind: &str) -> Vec<Located<String>> {
        let mut capabilities: Vec<Located<String>> = Vec::new();
        if tables::is_datastore_kind(kind) {
            return capabilities;
        }
        for link in self.outgoing(index) {
            let to_database = matches!(
                link.to.map(|to| self.roles[to]),
                Some(Role::Component("relational-database" | "document-database"))
            );
            if tables::is_sql_protocol(&link.protocol) && to_database {
                push_unique(&mut capabilities, "sql-queries", link.title.at);
            }
            if tables::is_nosql_protocol(&link.protocol) && to_database {
                push_unique(&mut capabilities, "nosql-queries", link.title.at);
            }
            if tables::is_ldap_protocol(&link.protocol) {
                push_unique(&mut capabilities, "ldap-queries", link.title.at);
            }
        }
        if tables::is_traffic_forwarder(kind) {
            return capabilities;
        }
        let document = self.document;
        let asset = &document.technical_assets.0[index].1;
        let custom = asset.custom_developed_parts;
        for link in self.incoming(index) {
            let at = link.source.target.at;
            let from_person = matches!(self.roles[link.from], Role::Actor("user" | "administrator"))
                || document.technical_assets.0[link.from].1.used_as_client_by_human;
            match link.source.authentication {
                Some(format::Authentication::SessionId) => {
                    push_unique(&mut capabilities, "sessions", at);
                    if custom && kind == "web-app" && !link.source.readonly {
                        push_unique(&mut capabilities, "state-changing-forms", at);
                    }
                }
                Some(format::Authentication::Token) => push_unique(&mut capabilities, "verifies-tokens", at),
                Some(format::Authentication::Credentials | format::Authentication::TwoFactor) if from_person => {
                    push_unique(&mut capabilities, "user-login", at)
                }
                _ => {}
            }
            let propagates_user = link.source.authorization == Some(format::Authorization::EnduserIdentityPropagation);
            if custom && propagates_user && matches!(kind, "web-app" | "rest-api") {
                push_unique(&mut capabilities, "object-identifiers", at);
            }
        }
        let file_format = asset.data_formats_accepted.iter().find(|format| format.value == format::DataFormat::File);
        if let Some(file_format) = file_format.filter(|_| self.has_web_inbound(index)) {
            push_unique(&mut capabilities, "file-upload", file_format.at);
        }
        capabilities
    }

    fn data(&mut self) -> Vec<DataAsset> {
        let document = self.document;
        document
            .data_assets
            .iter()
            .enumerate()
            .map(|(index, (title, data))| DataAsset {
                id: located(self.data_ids[index].clone(), data.id.at),
                name: Some(title.value.clone()),
                categories: data
                    .tags
                    .iter()
                    .map(|tag| normalised(tag))
                    .filter(|tag| tables::DATA_CATEGORY_TAGS.contains(&tag.as_str()))
                    .map(Located::synthetic)
                    .collect(),
                confidentiality: confidentiality(data.confidentiality),
                integrity: criticality(data.integrity),
                availability: criticality(data.availability),
                description: non_empty(data.description.as_ref()),
            })
            .collect()
    }

    /// Threagile content with no place in a Rampart model.
    fn report_unmapped_sections(&mut self) {
        let document = self.document;
        if document.custom_risk_categories.is_some() {
            let at = top_level_key_position(self.text, "custom_risk_categories");
            self.warnings.push(
                Diagnostic::warning(at, "hand-written risk categories (`custom_risk_categories`) not imported")
                    .with_help("Rampart raises threats from its knowledge base; add a rule to a team library"),
            );
        }
        let mut report_only = Vec::new();
        for (key, count) in [
            ("abuse_cases", document.abuse_cases.len()),
            ("questions", document.questions.len()),
            ("security_requirements", document.security_requirements.len()),
        ] {
            if count > 0 {
                report_only.push((key, format!("`{key}` ({count})")));
            }
        }
        if non_empty(document.management_summary_comment.as_ref()).is_some() {
            report_only.push(("management_summary_comment", "`management_summary_comment`".to_string()));
        }
        if !report_only.is_empty() {
            let positions = report_only.iter().map(|(key, _)| top_level_key_position(self.text, key));
            let at = positions.filter(Position::is_known).min().unwrap_or(Position::UNKNOWN);
            let sections: Vec<String> = report_only.into_iter().map(|(_, text)| text).collect();
            self.warnings.push(Diagnostic::warning(
                at,
                format!("report text not imported, as a Rampart model has no place for it: {}", sections.join(", ")),
            ));
        }
    }
}

#[derive(Clone, Copy)]
enum Namespace {
    Asset,
    Data,
    Boundary,
    Runtime,
}

/// The technology that decides an asset's type: `technology`, or the first
/// of `technologies` in later Threagile versions.
fn technology(asset: &TechnicalAsset) -> Option<&Located<String>> {
    asset.technology.as_ref().filter(|technology| !technology.value.trim().is_empty()).or(asset.technologies.first())
}

/// Everything Threagile says about an asset's technology, for the
/// informative `technology` field.
fn technology_text(asset: &TechnicalAsset) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for technology in asset.technology.iter().chain(&asset.technologies) {
        let name = technology.value.trim().to_string();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// Any of Threagile's encryption styles other than `none` encrypts the
/// stored data (`transparent` is volume or database encryption).
fn encryption_controls(asset: &TechnicalAsset) -> Vec<Located<String>> {
    match asset.encryption {
        None | Some(format::Encryption::None) => Vec::new(),
        Some(_) => vec![Located::synthetic("encryption-at-rest".to_string())],
    }
}

/// Appends `term` unless it is already there (first position wins).
fn push_unique(terms: &mut Vec<Located<String>>, term: &str, at: Position) {
    if !terms.iter().any(|known| known.value == term) {
        terms.push(located(term.to_string(), at));
    }
}

/// Where a top-level key is written (line of `key:` at column 1); unknown
/// for keys of a JSON document.
pub(super) fn top_level_key_position(text: &str, key: &str) -> Position {
    text.lines()
        .position(|line| line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')))
        .map_or(Position::UNKNOWN, |index| Position::new(index as u32 + 1, 1))
}

fn confidentiality(value: format::Confidentiality) -> Rating {
    match value {
        format::Confidentiality::Public | format::Confidentiality::Internal => Rating::Low,
        format::Confidentiality::Restricted => Rating::Medium,
        format::Confidentiality::Confidential => Rating::High,
        format::Confidentiality::StrictlyConfidential => Rating::Critical,
    }
}

fn criticality(value: format::Criticality) -> Rating {
    match value {
        format::Criticality::Archive | format::Criticality::Operational => Rating::Low,
        format::Criticality::Important => Rating::Medium,
        format::Criticality::Critical => Rating::High,
        format::Criticality::MissionCritical => Rating::Critical,
    }
}

/// Rampart has no second-factor variant: two-factor is a password plus more,
/// so `password` is the honest floor.
fn authentication(value: Option<format::Authentication>) -> Authentication {
    match value {
        None | Some(format::Authentication::None) => Authentication::None,
        Some(format::Authentication::Credentials | format::Authentication::TwoFactor) => Authentication::Password,
        Some(format::Authentication::SessionId) => Authentication::Session,
        Some(format::Authentication::Token) => Authentication::Token,
        Some(format::Authentication::ClientCertificate) => Authentication::MutualTls,
        Some(format::Authentication::Externalized) => Authentication::Other,
    }
}

/// A technical user is a role granted to a service; propagating the end
/// user's identity lets the receiver check each object against that user.
fn authorization(value: Option<format::Authorization>) -> Authorization {
    match value {
        None | Some(format::Authorization::None) => Authorization::None,
        Some(format::Authorization::TechnicalUser) => Authorization::RoleBased,
        Some(format::Authorization::EnduserIdentityPropagation) => Authorization::ObjectLevel,
    }
}

fn status(value: format::RiskStatus) -> Status {
    match value {
        format::RiskStatus::Unchecked | format::RiskStatus::InDiscussion => Status::Open,
        format::RiskStatus::Accepted => Status::Accepted,
        format::RiskStatus::InProgress => Status::InProgress,
        format::RiskStatus::Mitigated => Status::Mitigated,
        format::RiskStatus::FalsePositive => Status::FalsePositive,
    }
}

fn risk_status(value: format::RiskStatus) -> &'static str {
    match value {
        format::RiskStatus::Unchecked => "unchecked",
        format::RiskStatus::InDiscussion => "in-discussion",
        format::RiskStatus::Accepted => "accepted",
        format::RiskStatus::InProgress => "in-progress",
        format::RiskStatus::Mitigated => "mitigated",
        format::RiskStatus::FalsePositive => "false-positive",
    }
}

fn data_format(value: format::DataFormat) -> &'static str {
    match value {
        format::DataFormat::Json => "json",
        format::DataFormat::Xml => "xml",
        format::DataFormat::Serialization => "serialization",
        format::DataFormat::File => "file",
        format::DataFormat::Csv => "csv",
    }
}

fn boundary_kind(value: format::BoundaryType) -> &'static str {
    match value {
        format::BoundaryType::NetworkOnPrem => "network-on-prem",
        format::BoundaryType::NetworkDedicatedHoster => "network-dedicated-hoster",
        format::BoundaryType::NetworkVirtualLan => "network-virtual-lan",
        format::BoundaryType::NetworkCloudProvider => "network-cloud-provider",
        format::BoundaryType::NetworkCloudSecurityGroup => "network-cloud-security-group",
        format::BoundaryType::NetworkPolicyNamespaceIsolation => "network-policy-namespace-isolation",
        format::BoundaryType::ExecutionEnvironment => "execution-environment",
    }
}
