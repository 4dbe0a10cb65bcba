//! The types of Rampart's model format, version 1.
//!
//! Doc comments here become the descriptions in the published JSON Schema
//! (`rampart schema`), so they are written for model authors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::located::Located;

/// The model format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A Rampart system model: what the system is made of, what it handles and
/// how its parts talk to each other.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Rampart system model")]
pub struct Model {
    /// Format version; this build reads version 1.
    pub rampart: Located<u32>,
    /// Name of the system.
    pub name: String,
    /// What the system does, for readers of the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Extra knowledge-base directories (relative to this file) that add to
    /// or override the shipped library: your own component types, threats
    /// and countermeasures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<Located<String>>,
    /// Security controls that apply to every element (organisation-wide
    /// practices such as `security-monitoring`). Ids of countermeasures from the
    /// knowledge base.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Located<String>>,
    /// Trust boundaries (network zones, accounts, clusters, namespaces). Nest
    /// them with `parent`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<Boundary>,
    /// People and outside systems that use the system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<Actor>,
    /// The parts of the system: processes, data stores, services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// Data assets and how sensitive they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<DataAsset>,
    /// Data flows between actors and components.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// Tracking state of threats: status, justification, ticket, expiry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Tracking>,
    /// Threats written by hand, or carried over from another tool, raised in
    /// addition to the knowledge base's: one threat `ID@TARGET` per target,
    /// scored, reported and tracked like any other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_threats: Vec<CustomThreat>,
    /// What fails `rampart gate` for this model, when no `--policy` file is
    /// given: the same keys as `rampart-policy.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::policy::Policy>,
    /// Where each element is drawn in the browser editor, by element id.
    /// Analysis ignores it; elements without an entry are placed automatically.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub layout: std::collections::BTreeMap<String, Placement>,
}

/// An element's place on the editor's canvas, in pixels from the canvas
/// origin (absolute, not relative to the enclosing boundary).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// Left edge.
    pub x: Located<f64>,
    /// Top edge.
    pub y: f64,
    /// Width; boundaries have one, other elements take their default size when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    /// Height, as `width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
}

/// How much an element is trusted. Ordered from least to most trusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// Anyone can be here: the internet, a public network.
    Untrusted,
    /// Known outside parties: partners, suppliers, customers' systems.
    Partner,
    /// The organisation's own network or account.
    #[default]
    Internal,
    /// A segregated, tightly controlled zone: production data, OT cells.
    Restricted,
}

/// A trust boundary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    /// Unique id (letters, digits, `-`, `_`, `.`).
    pub id: Located<String>,
    /// Display name; the id when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What sort of boundary this is (network, vpc, subnet, account,
    /// cluster, namespace, physical, process...). Informative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// How much what is inside is trusted. Defaults to `internal`.
    #[serde(default)]
    pub trust: Trust,
    /// Id of the enclosing boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Located<String>>,
    /// Controls that every element inside has (e.g. `network-segmentation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where an importer found this element: the file and line of the
    /// infrastructure code or other tool's file, or a resource address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// A person or outside system that interacts with the system.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Unique id.
    pub id: Located<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Actor type from the catalog (`user`, `administrator`,
    /// `external-system`...). Defaults to `user`.
    #[serde(default = "default_actor_kind")]
    pub kind: Located<String>,
    /// Boundary the actor sits in; outside every boundary (untrusted) when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Located<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn default_actor_kind() -> Located<String> {
    Located::synthetic("user".to_string())
}

/// How reachable a component is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Only reachable from inside its own zone.
    #[default]
    Internal,
    /// Reachable by named partners (VPN, allow-listed addresses).
    Partner,
    /// Reachable from the public internet.
    Internet,
}

/// A part of the system.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Unique id.
    pub id: Located<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Component type from the catalog (`rampart kb catalog` lists them):
    /// `web-app`, `rest-api`, `relational-database`, `message-queue`...
    pub kind: Located<String>,
    /// Technology or product (`postgresql 16`, `spring boot`). Informative,
    /// and matched by threat intelligence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<String>,
    /// Boundary the component runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Located<String>>,
    /// How reachable it is. Defaults to `internal`.
    #[serde(default)]
    pub exposure: Exposure,
    /// Data formats it parses from callers (`json`, `xml`, `yaml`,
    /// `multipart`, `serialized-objects`...), in addition to its type's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepts: Vec<Located<String>>,
    /// What it does that matters for security (`sql-queries`, `fetch-urls`,
    /// `os-commands`, `render-templates`, `file-upload`, `redirects`...), in
    /// addition to its type's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Located<String>>,
    /// Controls already in place (countermeasure ids from the knowledge base).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Located<String>>,
    /// Ids of data assets it stores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<Located<String>>,
    /// Ids of data assets it processes without storing them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<Located<String>>,
    /// Free tags for filtering and reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where an importer found this element: the file and line of the
    /// infrastructure code or other tool's file, or a resource address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// A sensitivity rating, from least to most sensitive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

/// A data asset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    /// Unique id.
    pub id: Located<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Categories from the knowledge base (`pii`, `credentials`,
    /// `payment-card`, `health`, `secrets`, `source-code`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Located<String>>,
    /// Harm if disclosed. Defaults to `low`.
    #[serde(default)]
    pub confidentiality: Rating,
    /// Harm if altered. Defaults to `low`.
    #[serde(default)]
    pub integrity: Rating,
    /// Harm if unavailable. Defaults to `low`.
    #[serde(default)]
    pub availability: Rating,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How the receiver of a flow authenticates the sender.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Authentication {
    /// No authentication.
    #[default]
    None,
    /// User name and password on each request or at login.
    Password,
    /// A session cookie established at login.
    Session,
    /// A static API key or shared secret.
    ApiKey,
    /// A bearer token (JWT, opaque token).
    Token,
    /// OAuth 2.0 / OpenID Connect.
    Oauth2,
    /// Mutual TLS with client certificates.
    MutualTls,
    /// The cloud platform's identity (IAM roles, managed identities).
    CloudIam,
    Kerberos,
    /// Something else that authenticates the sender.
    Other,
}

/// How the receiver of a flow decides whether the sender may do what it asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Authorization {
    /// Every authenticated caller may do everything.
    #[default]
    None,
    /// Checks by role or permission, not per object.
    RoleBased,
    /// Checks that the caller may act on each object it names.
    ObjectLevel,
}

/// A data flow from one actor or component to another.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Unique id; `FROM->TO` when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Id of the sending actor or component (the one that starts the exchange).
    pub from: Located<String>,
    /// Id of the receiving actor or component.
    pub to: Located<String>,
    /// Protocol from the knowledge base (`https`, `http`, `grpc`, `sql`,
    /// `amqp`, `modbus`...).
    pub protocol: Located<String>,
    /// How the receiver authenticates the sender. Defaults to `none`.
    #[serde(default)]
    pub authentication: Authentication,
    /// How the receiver authorizes requests. Defaults to `none`.
    #[serde(default)]
    pub authorization: Authorization,
    /// Whether the channel is encrypted; defaults to what the protocol implies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// Ids of data assets carried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Located<String>>,
    /// Controls in place on this flow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where an importer found this element: the file and line of the
    /// infrastructure code or other tool's file, or a resource address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// Where an imported element came from, so a threat's explanation can point
/// at the line of infrastructure code to change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// The file, relative to the directory that was imported.
    pub file: String,
    /// 1-based line in that file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The resource's own name in its format: a Terraform address
    /// (`aws_s3_bucket.logs`), a CloudFormation logical id, or
    /// `Deployment/shop/web` for Kubernetes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl Flow {
    /// The flow's id: the declared one, or `FROM->TO`.
    pub fn id(&self) -> String {
        match &self.id {
            Some(id) => id.value.clone(),
            // Joined by hand rather than with format!: a model's flows seldom
            // declare ids, and this runs for each one on every analysis.
            None => {
                let (from, to) = (&self.from.value, &self.to.value);
                let mut id = String::with_capacity(from.len() + 2 + to.len());
                id.push_str(from);
                id.push_str("->");
                id.push_str(to);
                id
            }
        }
    }
}

/// The STRIDE categories, as model files spell them.
pub const STRIDE_CATEGORIES: [&str; 6] =
    ["spoofing", "tampering", "repudiation", "information-disclosure", "denial-of-service", "elevation-of-privilege"];

/// A threat the model declares itself, for what the knowledge base does not
/// cover: a risk found in a review, or one recorded in another tool's file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomThreat {
    /// Rule id: lowercase words joined by dashes (`payment-replay`), unique
    /// in the model and different from the knowledge base's rule ids. Each
    /// threat raised is `ID@TARGET`.
    pub id: Located<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ids of the actors, components, flows or data assets it threatens; one
    /// threat is raised per target. Empty: a threat to the model as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Located<String>>,
    /// STRIDE categories: spoofing, tampering, repudiation,
    /// information-disclosure, denial-of-service, elevation-of-privilege.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stride: Vec<Located<String>>,
    /// CWE weakness numbers (`89` for CWE-89).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<u32>,
    /// CAPEC attack pattern numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<u32>,
    /// 1 (rare) to 5 (almost certain); 3 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<Located<u8>>,
    /// 1 (negligible) to 5 (severe); 3 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Located<u8>>,
    /// Countermeasure ids from the knowledge base that answer the threat;
    /// the threat counts as mitigated where all of them are in place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countermeasures: Vec<Located<String>>,
    /// Mitigations in words, where no countermeasure of the knowledge base
    /// fits (as another tool recorded them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<String>,
    /// Where an importer found the threat (file and line, or the other
    /// tool's own id for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

impl CustomThreat {
    /// Base likelihood, 1 to 5.
    pub fn likelihood(&self) -> u8 {
        self.likelihood.as_ref().map_or(3, |l| l.value)
    }

    /// Base impact, 1 to 5.
    pub fn impact(&self) -> u8 {
        self.impact.as_ref().map_or(3, |i| i.value)
    }
}

/// Where a threat stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Raised and not yet handled.
    #[default]
    Open,
    /// Someone is working on it.
    InProgress,
    /// Countermeasures are in place.
    Mitigated,
    /// The risk is accepted, with a justification and ideally an expiry date.
    Accepted,
    /// Reviewed and found not to apply.
    FalsePositive,
}

/// The tracking state of one threat.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    /// Threat id as `rampart analyze` prints it (`RULE@TARGET`), or a
    /// pattern with `*` wildcards (`sql-injection@*`, `*@legacy-db`) that
    /// tracks every threat it matches. An exact id wins over a pattern.
    pub threat: Located<String>,
    pub status: Status,
    /// Why: required for `accepted` and `false-positive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Ticket in the issue tracker (`SEC-123`, a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Date (YYYY-MM-DD) after which an acceptance must be reviewed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Located<String>>,
    /// Who owns the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Tracking {
    /// Whether the entry is a pattern (`*` wildcards) rather than one threat id.
    pub fn is_pattern(&self) -> bool {
        self.threat.value.contains('*')
    }

    /// Whether the entry tracks the threat `id`.
    pub fn matches(&self, id: &str) -> bool {
        glob_match(&self.threat.value, id)
    }

    /// How specific a pattern is: the number of literal characters. Among
    /// patterns that match a threat, the most specific one applies.
    pub fn specificity(&self) -> usize {
        self.threat.value.chars().filter(|&c| c != '*').count()
    }
}

/// Matches `text` against `pattern`, where `*` stands for any run of
/// characters (possibly none) and everything else for itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was and which text position it currently covers up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// A tracking file kept beside a model (`MODEL.tracking.yaml`): the same
/// `threats:` list as in the model, merged into it when the model is read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingFile {
    /// Tracking state of threats, as in the model's `threats:` list.
    #[serde(default)]
    pub threats: Vec<Tracking>,
}

#[cfg(test)]
mod glob_tests {
    use super::glob_match;

    #[test]
    fn wildcards_match_any_run_of_characters() {
        assert!(glob_match("sql-injection@*", "sql-injection@web"));
        assert!(glob_match("*@legacy-db", "weak-auth@legacy-db"));
        assert!(glob_match("*", "anything@at-all"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(glob_match("exact@id", "exact@id"));
        assert!(!glob_match("exact@id", "exact@idx"));
        assert!(!glob_match("sql-injection@*", "xss@web"));
        assert!(!glob_match("*@legacy-db", "weak-auth@legacy-db-2"));
        assert!(glob_match("*-db", "a@b-db"));
    }
}
