//! The Threagile importer, specified by fixtures: what a `threagile.yaml`
//! becomes, what it warns about, and how malformed input is reported.

use rampart_import::threagile::Threagile;
use rampart_import::{Imported, Importer};
use rampart_model::{
    Actor, Authentication, Authorization, Component, Diagnostic, Exposure, Flow, Model, Position, Rating, Status,
    Trust, Vocabulary, validate,
};

mod common;
use common::{render, warning_at};

const TICKET_SHOP: &str = include_str!("fixtures/threagile/ticket-shop.yaml");

fn import(text: &str) -> Imported {
    common::import_ok(&Threagile, text)
}

fn import_errors(text: &str) -> Vec<Diagnostic> {
    match Threagile.import(text) {
        Ok(imported) => panic!("import succeeded with warnings:\n{}", render(&imported.warnings)),
        Err(errors) => errors,
    }
}

fn component<'m>(model: &'m Model, id: &str) -> &'m Component {
    model.components.iter().find(|component| component.id.value == id).unwrap_or_else(|| panic!("no component {id}"))
}

fn actor<'m>(model: &'m Model, id: &str) -> &'m Actor {
    model.actors.iter().find(|actor| actor.id.value == id).unwrap_or_else(|| panic!("no actor {id}"))
}

fn flow<'m>(model: &'m Model, id: &str) -> &'m Flow {
    model.flows.iter().find(|flow| flow.id() == id).unwrap_or_else(|| panic!("no flow {id}"))
}

fn terms(terms: &[rampart_model::Located<String>]) -> Vec<&str> {
    terms.iter().map(|term| term.value.as_str()).collect()
}

/// The line of the fixture on which `needle` first appears.
fn line_of(needle: &str) -> u32 {
    let index = TICKET_SHOP.lines().position(|line| line.contains(needle));
    index.map(|index| index as u32 + 1).unwrap_or_else(|| panic!("{needle:?} is not in the fixture"))
}

/// A client and a server joined by one link: the smallest model that shows
/// how a link attribute or a technology is carried over.
fn two_assets(link: &str, server: &str) -> String {
    format!(
        "threagile_version: 1.0.0\ntitle: Pair\ntechnical_assets:\n  Client:\n    id: client\n    type: process\n    \
         technology: web-application\n    communication_links:\n      Call:\n        target: server\n{}  Server:\n    \
         id: server\n    type: process\n{}",
        indent(link, 8),
        indent(server, 4)
    )
}

fn indent(fields: &str, by: usize) -> String {
    fields.lines().map(|line| format!("{}{line}\n", " ".repeat(by))).collect()
}

// --- The ticket shop fixture -------------------------------------------

#[test]
fn the_fixture_imports_into_a_valid_model() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    assert_eq!(model.rampart.value, 1);
    assert_eq!(model.name, "Ticket Shop");
    // Identical overview texts are kept once.
    assert_eq!(model.description.as_deref(), Some("Sells concert tickets online."));
    assert_eq!(model.actors.len(), 4);
    assert_eq!(model.components.len(), 18);
    // Four trust boundaries and one shared runtime.
    assert_eq!(model.boundaries.len(), 5);
    assert_eq!(model.data.len(), 6);
    assert_eq!(model.flows.len(), 20);
    assert_eq!(model.threats.len(), 10);
    assert_eq!(model.custom_threats.len(), 2);
    let errors: Vec<Diagnostic> =
        validate(model, &Vocabulary::default()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
fn external_and_out_of_scope_assets_become_actors() {
    let model = import(TICKET_SHOP).model;
    // A person's browser on the internet, outside every boundary.
    let visitor = actor(&model, "visitor-browser");
    assert_eq!(visitor.kind.value, "user");
    assert_eq!(visitor.boundary, None);
    assert_eq!(visitor.name.as_deref(), Some("Visitor Browser"));
    assert!(visitor.description.as_deref().unwrap_or_default().contains("Out of scope: Visitors own their devices"));
    // A person's client used for operations.
    assert_eq!(actor(&model, "ops-laptop").kind.value, "administrator");
    assert_eq!(actor(&model, "ops-laptop").boundary.as_ref().map(|b| b.value.as_str()), Some("office"));
    // A third party's service, and an out-of-scope process.
    assert_eq!(actor(&model, "payment-provider").kind.value, "external-system");
    assert_eq!(actor(&model, "partner-feed").kind.value, "external-system");
}

#[test]
fn technologies_become_catalog_types() {
    let model = import(TICKET_SHOP).model;
    let expected = [
        ("edge-waf", "waf"),
        ("lb", "load-balancer"),
        ("proxy", "reverse-proxy"),
        ("api-gateway", "api-gateway"),
        ("shop-web", "web-app"),
        ("orders-api", "rest-api"),
        ("legacy-soap", "rest-api"),
        ("orders-db", "relational-database"),
        ("catalog-db", "document-database"),
        ("docs-share", "file-share"),
        ("login", "identity-provider"),
        ("directory", "directory-service"),
        // Reached only over MQTT.
        ("events", "mqtt-broker"),
        ("secrets", "secrets-vault"),
        ("ci", "service"),
        ("repo", "service"),
        ("admin-spa", "spa"),
        ("printer", "service"),
    ];
    for (id, kind) in expected {
        assert_eq!(component(&model, id).kind.value, kind, "kind of {id}");
    }
    assert_eq!(component(&model, "shop-web").technology.as_deref(), Some("web-application"));
    assert_eq!(component(&model, "proxy").tags, ["nginx"]);
}

#[test]
fn approximate_and_unknown_technologies_are_warned_about() {
    let imported = import(TICKET_SHOP);
    warning_at(
        &imported,
        line_of("technology: build-pipeline"),
        "`build-pipeline` has no exact Rampart component type; `Build Pipeline` imported as `service`",
    );
    warning_at(&imported, line_of("technology: sourcecode-repository"), "`sourcecode-repository`");
    warning_at(&imported, line_of("technology: thermal-printer"), "unknown Threagile technology `thermal-printer`");
    let approximations = imported.warnings.iter().filter(|warning| warning.message.contains("technology")).count();
    assert_eq!(approximations, 3, "{}", render(&imported.warnings));
}

#[test]
fn exposure_comes_from_the_internet_flag_of_the_asset_or_its_callers() {
    let model = import(TICKET_SHOP).model;
    // The visitor is on the internet and calls the WAF directly.
    assert_eq!(component(&model, "edge-waf").exposure, Exposure::Internet);
    assert_eq!(component(&model, "lb").exposure, Exposure::Internal);
    assert_eq!(component(&model, "shop-web").exposure, Exposure::Internal);
}

#[test]
fn data_formats_become_accepted_formats() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    // `file` reached over HTTP is an upload.
    assert_eq!(terms(&component(model, "shop-web").accepts), ["json", "multipart"]);
    // `csv` has no Rampart format.
    assert_eq!(terms(&component(model, "orders-api").accepts), ["json"]);
    warning_at(&imported, line_of("- csv"), "no data format for `csv`");
    // SOAP implies XML; `serialization` is serialized objects.
    assert_eq!(terms(&component(model, "legacy-soap").accepts), ["serialized-objects", "xml"]);
    // `file` reached over NFS is a document, not a multipart body.
    assert_eq!(terms(&component(model, "docs-share").accepts), ["binary"]);
}

#[test]
fn capabilities_come_only_from_what_the_links_show() {
    let model = import(TICKET_SHOP).model;
    assert_eq!(
        terms(&component(&model, "shop-web").capabilities),
        ["sessions", "state-changing-forms", "object-identifiers", "file-upload"]
    );
    assert_eq!(
        terms(&component(&model, "orders-api").capabilities),
        ["sql-queries", "nosql-queries", "verifies-tokens", "object-identifiers"]
    );
    assert_eq!(terms(&component(&model, "login").capabilities), ["ldap-queries"]);
    // A person sends credentials to the admin console.
    assert_eq!(terms(&component(&model, "admin-spa").capabilities), ["user-login"]);
    assert_eq!(terms(&component(&model, "api-gateway").capabilities), ["verifies-tokens"]);
    // Forwarders, datastores and off-the-shelf tools get nothing from links.
    for id in ["edge-waf", "lb", "proxy", "orders-db", "catalog-db", "directory", "ci", "repo"] {
        assert!(component(&model, id).capabilities.is_empty(), "{id} has capabilities");
    }
    // The SOAP box is called over plain HTTP without authentication and is
    // not custom-developed: no application capability is claimed.
    assert!(component(&model, "legacy-soap").capabilities.is_empty());
}

#[test]
fn stored_and_processed_data_are_carried_without_repeats() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    let database = component(model, "orders-db");
    assert_eq!(terms(&database.stores), ["orders", "order-summaries"]);
    // `orders` is stored, so it is not repeated as processed.
    assert_eq!(terms(&database.processes), ["orders-db-data"]);
    assert_eq!(terms(&component(model, "shop-web").processes), ["orders", "listings"]);
    // Encrypted storage is a control; `encryption: none` is none.
    assert_eq!(terms(&database.controls), ["encryption-at-rest"]);
    assert!(component(model, "docs-share").controls.is_empty());
    // Actors store nothing; the loss is reported.
    warning_at(&imported, line_of("id: visitor-browser"), "actors have no stored data (listings)");
}

#[test]
fn links_become_flows() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    let shop = flow(model, "visitor-browser.shop-traffic");
    assert_eq!(shop.name.as_deref(), Some("Shop Traffic"));
    assert_eq!((shop.from.value.as_str(), shop.to.value.as_str()), ("visitor-browser", "edge-waf"));
    assert_eq!(shop.protocol.value, "https");
    assert_eq!(shop.authentication, Authentication::Session);
    assert_eq!(shop.authorization, Authorization::ObjectLevel);
    assert_eq!(shop.encrypted, None);
    // Sent and received data, each once.
    assert_eq!(terms(&shop.data), ["orders", "listings"]);
    assert_eq!(shop.description.as_deref(), Some("Visitors browse and buy"));

    let queries = flow(model, "orders-api.orders-queries");
    assert_eq!((queries.protocol.value.as_str(), queries.encrypted), ("sql", Some(true)));
    let lookups = flow(model, "orders-api.catalog-lookups");
    assert_eq!((lookups.protocol.value.as_str(), lookups.encrypted), ("sql", None));
    // A VPN encrypts plain HTTP.
    let legacy = flow(model, "orders-api.legacy-box-office");
    assert_eq!((legacy.protocol.value.as_str(), legacy.encrypted), ("http", Some(true)));
    assert_eq!(flow(model, "ci.checkout").protocol.value, "ssh");
    assert_eq!(flow(model, "ops-laptop.admin-console").authentication, Authentication::Password);
    assert_eq!(flow(model, "partner-feed.listing-import").authentication, Authentication::Other);
    assert_eq!(flow(model, "ops-laptop.database-maintenance").authentication, Authentication::MutualTls);
    assert_eq!(flow(model, "ci.checkout").authorization, Authorization::RoleBased);
    // The data asset renamed for its clash with a component id is followed.
    assert_eq!(terms(&flow(model, "ops-laptop.database-maintenance").data), ["orders-db-data"]);

    assert_eq!(flow(model, "orders-api.order-events").protocol.value, "mqtt");
    assert_eq!(flow(model, "legacy-soap.ticket-scans").protocol.value, "nfs");
    // A second factor is a control on the flow.
    assert_eq!(terms(&flow(model, "ops-laptop.admin-console").controls), ["multi-factor-authentication"]);
    assert!(flow(model, "shop-web.login").controls.is_empty());

    warning_at(&imported, line_of("protocol: unknown-protocol"), "Threagile protocol `unknown-protocol` of link");
    warning_at(
        &imported,
        line_of("protocol: ipp"),
        "unknown Threagile protocol `ipp` of link `Print Jobs`; imported as `tcp`",
    );
    let protocols = imported.warnings.iter().filter(|warning| warning.message.contains("protocol")).count();
    assert_eq!(protocols, 2, "{}", render(&imported.warnings));
}

#[test]
fn data_assets_keep_their_ratings_on_ramparts_scale() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    let ratings = |id: &str| {
        let data = model.data.iter().find(|data| data.id.value == id).unwrap();
        (data.confidentiality, data.integrity, data.availability)
    };
    assert_eq!(ratings("orders"), (Rating::High, Rating::High, Rating::Medium));
    // Merged from `orders` with `<<`, then overridden.
    assert_eq!(ratings("order-summaries"), (Rating::Medium, Rating::Low, Rating::Low));
    assert_eq!(ratings("listings"), (Rating::Low, Rating::Medium, Rating::High));
    assert_eq!(ratings("staff-notes"), (Rating::Low, Rating::Low, Rating::Low));
    assert_eq!(ratings("credentials"), (Rating::Critical, Rating::Critical, Rating::Critical));
    let orders = model.data.iter().find(|data| data.id.value == "orders").unwrap();
    assert_eq!(orders.name.as_deref(), Some("Orders"));
    // A tag spelled like a data category is that category; `postgres` is not.
    assert_eq!(terms(&orders.categories), ["pii"]);
    // Threagile has one id namespace per element type, Rampart one in all.
    assert!(model.data.iter().any(|data| data.id.value == "orders-db-data"));
    warning_at(
        &imported,
        line_of("id: orders-db"),
        "data asset id `orders-db` is already used by another element; imported as `orders-db-data`",
    );
}

#[test]
fn trust_boundaries_nest_and_hold_their_assets() {
    let model = import(TICKET_SHOP).model;
    let boundary = |id: &str| model.boundaries.iter().find(|boundary| boundary.id.value == id).unwrap();
    assert_eq!(boundary("dmz").parent.as_ref().map(|parent| parent.value.as_str()), Some("cloud"));
    assert_eq!(boundary("auth-zone").parent.as_ref().map(|parent| parent.value.as_str()), Some("cloud"));
    assert_eq!(boundary("cloud").parent, None);
    assert_eq!(boundary("dmz").kind.as_deref(), Some("network-cloud-security-group"));
    assert_eq!(boundary("auth-zone").kind.as_deref(), Some("execution-environment"));
    assert_eq!(boundary("dmz").name.as_deref(), Some("DMZ"));
    assert!(model.boundaries.iter().all(|boundary| boundary.trust == Trust::Internal));
    let inside = |id: &str| component(&model, id).boundary.as_ref().map(|boundary| boundary.value.clone());
    // Shop web runs in the shared runtime, which sits in the DMZ.
    assert_eq!(inside("shop-web").as_deref(), Some("cluster"));
    assert_eq!(inside("proxy").as_deref(), Some("dmz"));
    assert_eq!(inside("login").as_deref(), Some("auth-zone"));
    assert_eq!(inside("lb").as_deref(), Some("cloud"));
}

#[test]
fn risk_tracking_is_imported_where_rampart_has_the_rule() {
    let imported = import(TICKET_SHOP);
    let threats = &imported.model.threats;
    let accepted = &threats[0];
    assert_eq!(accepted.threat.value, "sql-injection@orders-api");
    assert_eq!(accepted.threat.at.line, line_of("sql-nosql-injection@orders-api@"));
    assert_eq!(accepted.status, Status::Accepted);
    assert_eq!(
        accepted.justification.as_deref(),
        Some("Only prepared statements, reviewed quarterly (reviewed in Threagile on 2024-04-02)")
    );
    assert_eq!(accepted.ticket.as_deref(), Some("SHOP-12"));
    assert_eq!(accepted.owner.as_deref(), Some("Jo Tester"));
    assert_eq!(accepted.expires, None);

    let discussed = &threats[1];
    assert_eq!(discussed.threat.value, "unencrypted-flow@lb.to-proxy");
    assert_eq!(discussed.status, Status::Open);

    let imported_ids: Vec<(&str, Status)> =
        threats[2..6].iter().map(|tracking| (tracking.threat.value.as_str(), tracking.status)).collect();
    assert_eq!(
        imported_ids,
        [
            ("xml-external-entities@legacy-soap", Status::FalsePositive),
            ("insecure-deserialization@legacy-soap", Status::InProgress),
            ("ldap-injection@login", Status::Mitigated),
            ("cross-site-request-forgery@shop-web", Status::Open),
        ]
    );

    let warned = |key: &str, reason: &str| warning_at(&imported, line_of(key), reason);
    // The wildcard matches the caller tracked by the first entry.
    warned(
        "sql-nosql-injection@*@orders-db@*",
        "`sql-nosql-injection@*@orders-db@*` (status mitigated) maps to `sql-injection@orders-api`, which is already \
         tracked",
    );
    warned("missing-vault@orders-api", "Rampart has no equivalent of Threagile rule `missing-vault`");
    // Rampart raises CSRF only where cookie-authenticated forms change state.
    warned(
        "cross-site-request-forgery@orders-api",
        "names no element on which Rampart raises `cross-site-request-forgery`",
    );
}

#[test]
fn threagile_only_content_is_reported() {
    let imported = import(TICKET_SHOP);
    warning_at(&imported, line_of("management_summary_comment:"), "report text not imported");
}

#[test]
fn elements_point_at_their_threagile_lines() {
    let model = import(TICKET_SHOP).model;
    let web = component(&model, "shop-web");
    assert_eq!(web.id.at, Position::new(line_of("id: shop-web"), 9));
    assert_eq!(web.kind.at.line, line_of("technology: web-application"));
    let pages = flow(&model, "proxy.pages");
    assert_eq!(pages.id.as_ref().map(|id| id.at.line), Some(line_of("Pages:")));
    assert_eq!(pages.to.at.line, line_of("target: shop-web"));
}

#[test]
fn the_fixture_uses_only_terms_of_the_shipped_knowledge_base() {
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let diagnostics = validate(&import(TICKET_SHOP).model, &knowledge_base.vocabulary());
    let errors: Vec<Diagnostic> = diagnostics.into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

// --- Every value of Threagile's closed vocabularies --------------------

#[test]
fn every_documented_protocol_has_a_rampart_protocol() {
    // (Threagile, Rampart, encrypted, carried exactly)
    let cases = [
        ("http", "http", None, true),
        ("https", "https", None, true),
        ("ws", "websocket", None, true),
        ("wss", "websocket", Some(true), true),
        ("reverse-proxy-web-protocol", "http", None, true),
        ("reverse-proxy-web-protocol-encrypted", "https", None, true),
        ("mqtt", "mqtt", None, true),
        ("jdbc", "sql", None, true),
        ("jdbc-encrypted", "sql", Some(true), true),
        ("odbc", "sql", None, true),
        ("odbc-encrypted", "sql", Some(true), true),
        ("sql-access-protocol", "sql", None, true),
        ("sql-access-protocol-encrypted", "sql", Some(true), true),
        ("nosql-access-protocol", "sql", None, true),
        ("nosql-access-protocol-encrypted", "sql", Some(true), true),
        ("binary", "tcp", None, true),
        ("binary-encrypted", "tls", None, true),
        ("text", "tcp", None, true),
        ("text-encrypted", "tls", None, true),
        ("ssh", "ssh", None, true),
        ("ssh-tunnel", "ssh", None, true),
        ("smtp", "smtp", None, true),
        ("smtp-encrypted", "smtp", Some(true), true),
        ("pop3", "tcp", None, false),
        ("pop3-encrypted", "tls", None, false),
        ("imap", "tcp", None, false),
        ("imap-encrypted", "tls", None, false),
        ("ftp", "ftp", None, true),
        ("ftps", "ftps", None, true),
        ("sftp", "ssh", None, true),
        ("scp", "ssh", None, true),
        ("ldap", "ldap", None, true),
        ("ldaps", "ldaps", None, true),
        ("jms", "tcp", None, false),
        ("nfs", "nfs", None, true),
        ("smb", "smb", None, true),
        ("smb-encrypted", "smb", Some(true), true),
        ("local-file-access", "tcp", None, false),
        ("nrpe", "tcp", None, false),
        ("xmpp", "tcp", None, false),
        ("iiop", "tcp", None, false),
        ("iiop-encrypted", "tls", None, false),
        ("jrmp", "tcp", None, false),
        ("jrmp-encrypted", "tls", None, false),
        ("in-process-library-call", "tcp", None, false),
        ("container-spawning", "tcp", None, false),
        ("unknown-protocol", "tcp", None, false),
        ("carrier-pigeon", "tcp", None, false),
    ];
    for (threagile, rampart, encrypted, exact) in cases {
        let imported = import(&two_assets(&format!("protocol: {threagile}"), "technology: web-service-rest"));
        let flow = &imported.model.flows[0];
        assert_eq!((flow.protocol.value.as_str(), flow.encrypted), (rampart, encrypted), "protocol {threagile}");
        let warned = imported.warnings.iter().any(|warning| warning.message.contains(&format!("`{threagile}`")));
        assert_eq!(warned, !exact, "warning for protocol {threagile}: {}", render(&imported.warnings));
    }
}

#[test]
fn a_vpn_encrypts_only_what_is_not_encrypted_already() {
    let flow = |link: &str| import(&two_assets(link, "technology: web-service-rest")).model.flows[0].encrypted;
    assert_eq!(flow("protocol: http\nvpn: true"), Some(true));
    assert_eq!(flow("protocol: https\nvpn: true"), None);
    assert_eq!(flow("protocol: http\nvpn: false"), None);
}

#[test]
fn authentication_and_authorization_values_map_one_to_one() {
    let authentication = [
        ("none", Authentication::None),
        ("credentials", Authentication::Password),
        ("session-id", Authentication::Session),
        ("token", Authentication::Token),
        ("client-certificate", Authentication::MutualTls),
        ("two-factor", Authentication::Password),
        ("externalized", Authentication::Other),
    ];
    for (threagile, rampart) in authentication {
        let text = two_assets(&format!("protocol: https\nauthentication: {threagile}"), "technology: web-service-rest");
        assert_eq!(import(&text).model.flows[0].authentication, rampart, "authentication {threagile}");
    }
    let authorization = [
        ("none", Authorization::None),
        ("technical-user", Authorization::RoleBased),
        ("enduser-identity-propagation", Authorization::ObjectLevel),
        ("end-user-identity-propagation", Authorization::ObjectLevel),
    ];
    for (threagile, rampart) in authorization {
        let text = two_assets(&format!("protocol: https\nauthorization: {threagile}"), "technology: web-service-rest");
        assert_eq!(import(&text).model.flows[0].authorization, rampart, "authorization {threagile}");
    }
    // Left out, both are the most pessimistic value.
    let flow = &import(&two_assets("protocol: https", "technology: web-service-rest")).model.flows[0];
    assert_eq!((flow.authentication, flow.authorization), (Authentication::None, Authorization::None));
}

#[test]
fn every_documented_technology_has_a_catalog_type() {
    // (Threagile technology, Rampart kind, carried exactly)
    let cases = [
        ("unknown-technology", "service", false),
        ("client-system", "service", false),
        ("browser", "spa", true),
        ("desktop", "service", false),
        ("mobile-app", "mobile-app", true),
        ("devops-client", "service", false),
        ("web-server", "web-app", true),
        ("web-application", "web-app", true),
        ("application-server", "web-app", true),
        ("database", "relational-database", true),
        ("file-server", "file-share", true),
        ("local-file-system", "file-share", false),
        ("erp", "web-app", true),
        ("cms", "web-app", true),
        ("web-service-rest", "rest-api", true),
        ("web-service-soap", "rest-api", true),
        ("ejb", "service", true),
        ("search-index", "search-index", true),
        ("search-engine", "search-index", true),
        ("service-registry", "service", false),
        ("reverse-proxy", "reverse-proxy", true),
        ("load-balancer", "load-balancer", true),
        ("build-pipeline", "service", false),
        ("sourcecode-repository", "service", false),
        ("artifact-registry", "container-registry", false),
        ("code-inspection-platform", "service", false),
        ("monitoring", "service", false),
        ("ldap-server", "directory-service", true),
        ("container-platform", "container-platform", true),
        ("batch-processing", "background-worker", true),
        ("event-listener", "background-worker", true),
        ("identity-provider", "identity-provider", true),
        ("identity-store-ldap", "directory-service", true),
        ("identity-store-database", "relational-database", true),
        ("tool", "service", false),
        ("cli", "service", false),
        ("task", "background-worker", true),
        ("function", "service", true),
        ("gateway", "api-gateway", true),
        ("iot-device", "iot-device", true),
        ("message-queue", "message-queue", true),
        ("stream-processing", "event-stream", false),
        ("service-mesh", "reverse-proxy", false),
        ("data-lake", "object-storage", false),
        ("big-data-platform", "data-warehouse", false),
        ("report-engine", "web-app", true),
        ("ai", "service", false),
        ("mail-server", "service", false),
        ("vault", "secrets-vault", true),
        ("hsm", "secrets-vault", false),
        ("waf", "waf", true),
        ("ids", "service", false),
        ("ips", "service", false),
        ("scheduler", "background-worker", true),
        ("mainframe", "service", false),
        ("block-storage", "file-share", false),
        ("library", "service", false),
    ];
    for (technology, kind, exact) in cases {
        let imported = import(&two_assets("protocol: https", &format!("technology: {technology}")));
        let server = component(&imported.model, "server");
        assert_eq!(server.kind.value, kind, "technology {technology}");
        let warned = imported.warnings.iter().any(|warning| warning.message.contains(&format!("`{technology}`")));
        assert_eq!(warned, !exact, "warning for technology {technology}: {}", render(&imported.warnings));
    }
    // Later Threagile versions list several technologies; the first decides.
    let imported = import(&two_assets("protocol: https", "technologies: [vault, monitoring]"));
    let server = component(&imported.model, "server");
    assert_eq!(
        (server.kind.value.as_str(), server.technology.as_deref()),
        ("secrets-vault", Some("vault, monitoring"))
    );
}

#[test]
fn a_missing_technology_falls_back_to_a_generic_service() {
    let imported = import(&two_assets("protocol: https", "description: no technology given"));
    assert_eq!(component(&imported.model, "server").kind.value, "service");
    warning_at(&imported, 13, "technical asset `Server` names no technology");
}

#[test]
fn sql_queries_need_a_database_access_protocol_to_a_database() {
    let capabilities = |protocol: &str, technology: &str| {
        let model = import(&two_assets(&format!("protocol: {protocol}"), &format!("technology: {technology}"))).model;
        terms(&component(&model, "client").capabilities).iter().map(|term| term.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(capabilities("jdbc", "database"), ["sql-queries"]);
    assert_eq!(capabilities("odbc-encrypted", "identity-store-database"), ["sql-queries"]);
    // Administration of the database host is not querying it.
    assert!(capabilities("ssh", "database").is_empty());
    // SQL protocols to something that is not a database prove nothing.
    assert!(capabilities("jdbc", "web-service-rest").is_empty());
    assert_eq!(capabilities("nosql-access-protocol", "database"), ["nosql-queries"]);
    assert_eq!(capabilities("ldaps", "identity-store-ldap"), ["ldap-queries"]);
}

#[test]
fn every_risk_status_maps() {
    let statuses = [
        ("unchecked", Status::Open),
        ("in-discussion", Status::Open),
        ("accepted", Status::Accepted),
        ("in-progress", Status::InProgress),
        ("mitigated", Status::Mitigated),
        ("false-positive", Status::FalsePositive),
    ];
    for (threagile, rampart) in statuses {
        let text = format!(
            "{}risk_tracking:\n  unencrypted-communication@client>call@client@server:\n    status: {threagile}\n    \
             justification: checked\n",
            two_assets("protocol: http", "technology: web-service-rest")
        );
        let threats = import(&text).model.threats;
        assert_eq!(threats.len(), 1, "status {threagile}");
        assert_eq!((threats[0].threat.value.as_str(), threats[0].status), ("unencrypted-flow@client.call", rampart));
    }
}

#[test]
fn risk_tracking_that_matches_no_rampart_threat_is_a_warning() {
    let base = two_assets("protocol: https", "technology: web-service-rest");
    let entries = [
        // The caller sends no SQL to a database here.
        "sql-nosql-injection@client@server@client>call",
        // No such link.
        "unencrypted-communication@client>other@client@server",
    ];
    for entry in entries {
        let text = format!("{base}risk_tracking:\n  {entry}:\n    status: mitigated\n    date: 2024-01-01\n");
        let imported = import(&text);
        assert!(imported.model.threats.is_empty(), "{entry} was imported");
        assert!(
            imported.warnings.iter().any(|warning| warning.message.contains(&format!("`{entry}` (status mitigated)"))),
            "no warning for {entry}: {}",
            render(&imported.warnings)
        );
    }
}

#[test]
fn ids_that_rampart_cannot_use_are_slugified() {
    let text = "threagile_version: 1.0.0\ntitle: t\ntechnical_assets:\n  Odd:\n    id: odd id@1\n    type: process\n    \
                technology: web-server\n";
    let imported = import(text);
    assert_eq!(imported.model.components[0].id.value, "odd-id-1");
    warning_at(&imported, 5, "technical asset id `odd id@1` is not a valid Rampart id");
    assert!(validate(&imported.model, &Vocabulary::default()).iter().all(|diagnostic| !diagnostic.is_error()));
}

#[test]
fn json_spelling_of_the_format_is_read_too() {
    let text = r#"{"threagile_version": "1.0.0", "title": "J", "technical_assets": {"Db": {"id": "db", "type": "datastore", "technology": "database"}}}"#;
    assert!(Threagile.detect("model.json", text));
    assert_eq!(import(text).model.components[0].kind.value, "relational-database");
}

#[test]
fn new_sections_are_warnings() {
    let imported = import("threagile_version: 1.0.0\ntitle: t\nfuture_section:\n  x: 1\n");
    warning_at(&imported, 3, "unknown top-level key `future_section`");
}

#[test]
fn includes_need_the_file_to_be_imported_by_path() {
    let text = "threagile_version: 1.0.0\ntitle: t\nincludes:\n  - base.yaml\n";
    let error = single_error(text);
    assert_eq!(error.at, Position::new(4, 5));
    assert_eq!(error.message, "the model includes `base.yaml`, which cannot be read from here");
}

#[test]
fn a_model_without_title_gets_a_name() {
    let imported = import("threagile_version: 1.0.0\ntechnical_assets:\n");
    assert_eq!(imported.model.name, "Threagile model");
    warning_at(&imported, 1, "no `title`");
}

// --- Malformed input ----------------------------------------------------

fn single_error(text: &str) -> Diagnostic {
    let errors: Vec<Diagnostic> = import_errors(text).into_iter().filter(Diagnostic::is_error).collect();
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    errors.into_iter().next().unwrap()
}

const ASSET_HEAD: &str =
    "threagile_version: 1.0.0\ntitle: t\ntechnical_assets:\n  Web:\n    id: web\n    type: process\n";

#[test]
fn an_unknown_key_is_an_error_with_the_nearest_key() {
    let error = single_error(&format!("{ASSET_HEAD}    technolgy: web-server\n"));
    assert_eq!(error.at, Position::new(7, 5));
    assert!(error.message.contains("unknown field `technolgy`"), "{}", error.message);
    assert_eq!(error.help.as_deref(), Some("did you mean `technology`?"));

    let link = "    technology: web-server\n    communication_links:\n      Self:\n        target: web\n        protocl: https\n";
    let error = single_error(&format!("{ASSET_HEAD}{link}"));
    assert_eq!(error.at.line, 11);
    assert_eq!(error.help.as_deref(), Some("did you mean `protocol`?"));
}

#[test]
fn a_misspelt_section_is_an_error_not_a_lost_section() {
    let error = single_error("threagile_version: 1.0.0\ntitle: t\ntrust_boundary:\n  Z:\n    id: z\n");
    assert_eq!(error.at, Position::new(3, 1));
    assert_eq!(error.help.as_deref(), Some("did you mean `trust_boundaries`?"));
}

#[test]
fn a_wrong_type_is_an_error_at_its_value() {
    let error = single_error(&format!("{ASSET_HEAD}    technology: web-server\n    internet: maybe\n"));
    assert_eq!(error.at.line, 8);
    let error = single_error(&format!("{ASSET_HEAD}    technology: web-server\n    communication_links: [a, b]\n"));
    assert_eq!(error.at.line, 8);
    let error = single_error("threagile_version: 1.0.0\ntitle: t\ntechnical_assets:\n  - web\n");
    assert_eq!(error.at.line, 4);
}

#[test]
fn an_unknown_enumeration_value_is_an_error_with_the_nearest_value() {
    let error = single_error(&format!("{ASSET_HEAD}    technology: web-server\n    data_formats_accepted: [jsn]\n"));
    assert_eq!(error.at.line, 8);
    assert_eq!(error.help.as_deref(), Some("did you mean `json`?"));
    let data = "data_assets:\n  D:\n    id: d\n    confidentiality: secret\n    integrity: archive\n    availability: archive\n";
    let error = single_error(&format!("threagile_version: 1.0.0\ntitle: t\n{data}"));
    assert_eq!(error.at.line, 6);
    assert!(error.message.contains("unknown variant `secret`"), "{}", error.message);
}

#[test]
fn a_missing_required_key_is_an_error() {
    let error = single_error("threagile_version: 1.0.0\ntitle: t\ntechnical_assets:\n  Web:\n    type: process\n");
    assert!(error.message.contains("missing field `id`"), "{}", error.message);
    assert!(error.at.is_known());
}

#[test]
fn a_link_to_a_missing_asset_is_an_error_at_its_target() {
    let link = "    technology: web-server\n    communication_links:\n      Calls:\n        target: wep\n        protocol: https\n";
    let error = single_error(&format!("{ASSET_HEAD}{link}"));
    assert_eq!(error.at, Position::new(10, 17));
    assert_eq!(error.message, "link `Calls` of `Web` names technical asset `wep`, which does not exist");
    assert_eq!(error.help.as_deref(), Some("did you mean `web`?"));
}

#[test]
fn every_broken_reference_is_reported_at_once() {
    let text = format!(
        "{ASSET_HEAD}    technology: web-server\n    data_assets_stored: [nothing]\n    communication_links:\n      \
         Calls:\n        target: ghost\n        data_assets_sent: [void]\n  Twin:\n    id: web\n    type: process\n\
         trust_boundaries:\n  Z:\n    id: z\n    technical_assets_inside: [phantom]\n    trust_boundaries_nested: [y]\n"
    );
    let errors: Vec<Diagnostic> = import_errors(&text).into_iter().filter(Diagnostic::is_error).collect();
    let lines: Vec<u32> = errors.iter().map(|error| error.at.line).collect();
    assert_eq!(lines, [8, 11, 12, 14, 19, 20], "{}", render(&errors));
    assert!(errors[4].message.contains("technical asset `phantom`"));
    assert!(errors[3].message.contains("duplicate technical asset id `web`"));
}

#[test]
fn broken_yaml_is_an_error_with_its_position() {
    let error = single_error("threagile_version: 1\ntechnical_assets:\n  A: {id: a, type: process\n");
    assert!(error.at.is_known(), "{error}");
    let error = single_error("threagile_version: 1\n\ttitle: tab\n");
    assert!(error.at.is_known(), "{error}");
}

#[test]
fn no_input_makes_the_importer_panic() {
    // Every prefix (on a coarse grid) and every one-line deletion of the
    // fixture either imports or returns diagnostics.
    let check = |text: &str| match Threagile.import(text) {
        Ok(_) => {}
        Err(errors) => assert!(!errors.is_empty() && errors.iter().any(Diagnostic::is_error)),
    };
    for cut in (0..TICKET_SHOP.len()).step_by(97).filter(|cut| TICKET_SHOP.is_char_boundary(*cut)) {
        check(&TICKET_SHOP[..cut]);
    }
    let lines: Vec<&str> = TICKET_SHOP.lines().collect();
    for skip in 0..lines.len() {
        let text: String =
            lines.iter().enumerate().filter(|(index, _)| *index != skip).map(|(_, line)| format!("{line}\n")).collect();
        check(&text);
    }
    for text in
        ["", "~", "[]", "42", "\"text\"", "threagile_version:", "technical_assets: 5", "---\n---\n", "a: &x [*x]"]
    {
        check(text);
    }
}

// --- Includes -------------------------------------------------------------

const KIOSK: &str = include_str!("fixtures/threagile/includes/kiosk.yaml");

/// Reads included files from the fixture directory, as the CLI reads them
/// from the model's directory.
fn fixture_reader(path: &str) -> Result<String, String> {
    let full = format!("{}/tests/fixtures/threagile/includes/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).map_err(|error| error.to_string())
}

/// Imports `files["main.yaml"]`, reading includes from `files`.
fn import_files(files: &[(&str, &str)]) -> Result<Imported, Vec<Diagnostic>> {
    let read = |path: &str| {
        let found = files.iter().find(|(name, _)| *name == path);
        found.map(|(_, text)| text.to_string()).ok_or_else(|| "no such file".to_string())
    };
    let main = files.iter().find(|(name, _)| *name == "main.yaml").map_or("", |(_, text)| *text);
    Threagile.import_file("models/main.yaml", main, &read)
}

fn errors_of(result: Result<Imported, Vec<Diagnostic>>) -> Vec<Diagnostic> {
    match result {
        Ok(imported) => panic!("import succeeded with warnings:\n{}", render(&imported.warnings)),
        Err(errors) => errors.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

#[test]
fn included_files_are_merged_into_the_model() {
    let imported = match Threagile.import_file("kiosk.yaml", KIOSK, &fixture_reader) {
        Ok(imported) => imported,
        Err(errors) => panic!("import failed:\n{}", render(&errors)),
    };
    let model = &imported.model;
    // The including file's title wins over the included one's.
    assert_eq!(model.name, "Ticket Kiosk");
    let ids: Vec<&str> = model.components.iter().map(|component| component.id.value.as_str()).collect();
    assert_eq!(ids, ["kiosk-app", "kiosk-db"]);
    assert_eq!(model.data.len(), 1);
    assert_eq!(model.data[0].id.value, "sales");
    assert_eq!(model.data[0].confidentiality, Rating::High);
    // Boundaries of the root file hold assets of the included ones.
    assert_eq!(component(model, "kiosk-db").boundary.as_ref().map(|b| b.value.as_str()), Some("kiosk-net"));
    let writes = flow(model, "kiosk-app.sales-writes");
    assert_eq!((writes.protocol.value.as_str(), writes.encrypted), ("sql", Some(true)));
    assert_eq!(terms(&writes.data), ["sales"]);
    // The second definition of `Kiosk App` (in data.yaml) adds its formats.
    let app = component(model, "kiosk-app");
    assert_eq!(terms(&app.accepts), ["serialized-objects", "json"]);
    assert_eq!(terms(&app.capabilities), ["sql-queries"]);
    // Tracking in the root names an asset of an included file.
    assert_eq!(model.threats.len(), 1);
    assert_eq!(model.threats[0].threat.value, "insecure-deserialization@kiosk-app");
    assert_eq!(model.threats[0].threat.at, Position::new(18, 3));

    // Elements of included files name their file and line, and point at the
    // root file's `includes:` entry.
    let include_entry = Position::new(4, 5);
    assert_eq!(app.id.at, include_entry);
    let source = app.source.as_ref().expect("an included component has a source");
    assert_eq!((source.file.as_str(), source.line), ("parts/assets.yaml", Some(7)));
    let writes_source = writes.source.as_ref().expect("an included flow has a source");
    assert_eq!((writes_source.file.as_str(), writes_source.line), ("parts/assets.yaml", Some(15)));
    let boundary = &model.boundaries[0];
    assert_eq!((boundary.id.at, boundary.source.clone()), (Position::new(10, 9), None));

    // Differences between files are warnings naming the file and line.
    let title = imported.warnings.iter().find(|warning| warning.message.contains("`title` differs"));
    let title = title.unwrap_or_else(|| panic!("no title warning:\n{}", render(&imported.warnings)));
    assert_eq!(title.at, include_entry);
    assert!(title.message.starts_with("in `parts/data.yaml`, line 1, column 1:"), "{}", title.message);
    warning_at(&imported, 4, "in `parts/data.yaml`, line 15, column 3: technical asset `Kiosk App` is defined again");

    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let diagnostics = validate(model, &knowledge_base.vocabulary());
    let errors: Vec<Diagnostic> = diagnostics.into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

const MAIN_HEAD: &str = "threagile_version: 1.0.0\ntitle: Main\nincludes:\n";

#[test]
fn a_missing_include_is_an_error_at_its_entry() {
    let main = format!("{MAIN_HEAD}  - parts/nowhere.yaml\n");
    let errors = errors_of(import_files(&[("main.yaml", &main)]));
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    assert_eq!(errors[0].at, Position::new(4, 5));
    assert_eq!(errors[0].message, "cannot read included model `parts/nowhere.yaml`: no such file");
}

#[test]
fn an_include_cycle_is_an_error_naming_the_chain() {
    let main = format!("{MAIN_HEAD}  - b.yaml\n");
    let b =
        "includes:\n  - main.yaml\ntechnical_assets:\n  B:\n    id: b\n    type: process\n    technology: web-server\n";
    let errors = errors_of(import_files(&[("main.yaml", &main), ("b.yaml", b)]));
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    assert_eq!(errors[0].at, Position::new(4, 5));
    assert_eq!(errors[0].message, "in `b.yaml`, line 2, column 5: include cycle: `main.yaml` → `b.yaml` → `main.yaml`");
}

#[test]
fn problems_in_an_included_file_name_the_file_and_line() {
    let main = format!("{MAIN_HEAD}  - parts/assets.yaml\n");
    // Not a model at all.
    let errors = errors_of(import_files(&[("main.yaml", &main), ("parts/assets.yaml", "- just\n- a list\n")]));
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    assert_eq!(errors[0].at, Position::new(4, 5));
    assert!(errors[0].message.starts_with("in `parts/assets.yaml`, line 1"), "{}", errors[0].message);
    // A wrong type.
    let wrong = "technical_assets:\n  A:\n    id: a\n    type: process\n    internet: sometimes\n";
    let errors = errors_of(import_files(&[("main.yaml", &main), ("parts/assets.yaml", wrong)]));
    assert!(errors[0].message.starts_with("in `parts/assets.yaml`, line 5"), "{}", errors[0].message);
    // A dangling reference, found after merging.
    let dangling = "technical_assets:\n  A:\n    id: a\n    type: process\n    technology: web-server\n    \
                    communication_links:\n      Calls:\n        target: ghost\n        protocol: https\n";
    let errors = errors_of(import_files(&[("main.yaml", &main), ("parts/assets.yaml", dangling)]));
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    assert_eq!(
        errors[0].message,
        "in `parts/assets.yaml`, line 8, column 17: link `Calls` of `A` names technical asset `ghost`, which does \
         not exist"
    );
}

#[test]
fn a_file_included_twice_is_merged_once() {
    let main = format!("{MAIN_HEAD}  - a.yaml\n  - b.yaml\n");
    let shared = "data_assets:\n  Logs:\n    id: logs\n    confidentiality: internal\n    integrity: operational\n    \
                  availability: operational\n";
    let files = [
        ("main.yaml", main.as_str()),
        ("a.yaml", "includes: [common/shared.yaml]\n"),
        ("b.yaml", "includes: [common/../common/shared.yaml]\n"),
        ("common/shared.yaml", shared),
    ];
    let imported = import_files(&files).unwrap_or_else(|errors| panic!("{}", render(&errors)));
    assert_eq!(imported.model.data.len(), 1);
    warning_at(&imported, 5, "`common/shared.yaml` is included more than once");
}

#[test]
fn no_included_file_makes_the_importer_panic() {
    let assets = fixture_reader("parts/assets.yaml").expect("the fixture is readable");
    for cut in (0..assets.len()).step_by(7).filter(|cut| assets.is_char_boundary(*cut)) {
        let read = |path: &str| match path {
            "parts/assets.yaml" => Ok(assets[..cut].to_string()),
            other => fixture_reader(other),
        };
        if let Err(errors) = Threagile.import_file("kiosk.yaml", KIOSK, &read) {
            assert!(errors.iter().any(Diagnostic::is_error));
        }
    }
}

// --- Shared runtimes --------------------------------------------------------

#[test]
fn a_shared_runtime_becomes_a_boundary_inside_its_assets_zone() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    let cluster = model.boundaries.iter().find(|boundary| boundary.id.value == "cluster").expect("runtime boundary");
    assert_eq!(cluster.kind.as_deref(), Some("shared-runtime"));
    assert_eq!(cluster.name.as_deref(), Some("Kubernetes Cluster"));
    assert_eq!(cluster.parent.as_ref().map(|parent| parent.value.as_str()), Some("dmz"));
    assert_eq!(cluster.trust, Trust::Internal);
    assert_eq!(cluster.description.as_deref(), Some("Shared node pool of the shop"));
    assert_eq!(component(model, "orders-api").boundary.as_ref().map(|b| b.value.as_str()), Some("cluster"));
    // Its assets sit in two zones: not imported, and said so.
    assert!(!model.boundaries.iter().any(|boundary| boundary.id.value == "vm-host"));
    assert_eq!(component(model, "orders-db").boundary.as_ref().map(|b| b.value.as_str()), Some("dmz"));
    warning_at(
        &imported,
        line_of("Office VM Host:"),
        "shared runtime `Office VM Host` not imported as a boundary: its technical assets sit in different trust \
         boundaries (`office`, `dmz`)",
    );
}

#[test]
fn a_runtime_outside_every_boundary_keeps_its_assets_untrusted() {
    let runtimes = "shared_runtimes:\n  Host:\n    id: host\n    technical_assets_running: [client, server]\n  \
                    Second Host:\n    id: host-2\n    technical_assets_running: [server]\n  Broken:\n    id: broken\n    \
                    technical_assets_running: [nobody]\n";
    let text = format!("{}{runtimes}", two_assets("protocol: https", "technology: web-service-rest"));
    let errors = import_errors(&text);
    let errors: Vec<&Diagnostic> = errors.iter().filter(|diagnostic| diagnostic.is_error()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "shared runtime `Broken` names technical asset `nobody`, which does not exist");

    let text = text.replace("  Broken:\n    id: broken\n    technical_assets_running: [nobody]\n", "");
    let imported = import(&text);
    let host = &imported.model.boundaries[0];
    assert_eq!((host.id.value.as_str(), host.trust, host.parent.is_none()), ("host", Trust::Untrusted, true));
    assert_eq!(component(&imported.model, "server").boundary.as_ref().map(|b| b.value.as_str()), Some("host"));
    assert_eq!(imported.model.boundaries.len(), 1);
    warning_at(&imported, 20, "`server` already runs in an earlier shared runtime");
}

// --- Hand-written risks -----------------------------------------------------

fn custom<'m>(model: &'m Model, id: &str) -> &'m rampart_model::CustomThreat {
    model.custom_threats.iter().find(|threat| threat.id.value == id).unwrap_or_else(|| panic!("no custom threat {id}"))
}

#[test]
fn individual_risk_categories_become_custom_threats() {
    let imported = import(TICKET_SHOP);
    let model = &imported.model;
    let bots = custom(model, "threagile-scalper-bots");
    assert_eq!(bots.title, "Scalper Bots");
    assert_eq!(terms(&bots.targets), ["shop-web", "visitor-browser.shop-traffic"]);
    assert_eq!(terms(&bots.stride), ["denial-of-service"]);
    assert_eq!(bots.cwe, [799]);
    // very-likely / medium and likely / high: the highest of each.
    assert_eq!((bots.likelihood(), bots.impact()), (4, 4));
    warning_at(&imported, line_of("Scalper Bots:"), "rated differently; the threat takes the highest");
    assert_eq!(bots.mitigations, ["Bot management: Queue buyers and challenge automated clients."]);
    assert_eq!(
        bots.description.as_deref(),
        Some("Bots buy tickets faster than people.\n\nImpact: Fans cannot buy tickets at face value.")
    );
    let source = bots.source.as_ref().expect("source");
    assert_eq!((source.line, source.resource.as_deref()), (Some(line_of("Scalper Bots:")), Some("scalper-bots")));

    // Only a severity: elevated is likelihood 3, impact 4. The stride word is
    // case-insensitive; a trust boundary cannot be a target.
    let refunds = custom(model, "threagile-refund-fraud");
    assert_eq!(terms(&refunds.targets), ["orders"]);
    assert_eq!((refunds.likelihood(), refunds.impact()), (3, 4));
    assert_eq!(terms(&refunds.stride), ["tampering"]);
    warning_at(&imported, line_of("most_relevant_trust_boundary: dmz"), "names trust boundary `dmz`");
    // A category with no risks raises nothing.
    assert!(model.custom_threats.iter().all(|threat| threat.id.value != "threagile-printer-jams"));
    warning_at(&imported, line_of("Printer Jams:"), "has no `risks_identified`; not imported");
}

#[test]
fn risk_tracking_of_hand_written_risks_tracks_the_custom_threats() {
    let imported = import(TICKET_SHOP);
    let tracked = |id: &str| {
        let found = imported.model.threats.iter().find(|tracking| tracking.threat.value == id);
        found.unwrap_or_else(|| panic!("{id} is not tracked: {:?}", imported.model.threats))
    };
    let accepted = tracked("threagile-scalper-bots@shop-web");
    assert_eq!(accepted.status, Status::Accepted);
    // No justification in Threagile: Rampart requires one for acceptance.
    assert_eq!(
        accepted.justification.as_deref(),
        Some("Marked accepted in Threagile (reviewed in Threagile on 2024-05-02)")
    );
    assert_eq!((accepted.ticket.as_deref(), accepted.owner.as_deref()), (Some("SHOP-20"), Some("Sam Owner")));
    assert_eq!(accepted.threat.at.line, line_of("scalper-bots@shop-web:"));
    // A wildcard within a part matches the link's risk.
    assert_eq!(tracked("threagile-scalper-bots@visitor-browser.shop-traffic").status, Status::InProgress);
    // All parts wild: a pattern over the category.
    let refunds = tracked("threagile-refund-fraud@*");
    assert_eq!(refunds.status, Status::FalsePositive);
    assert_eq!(refunds.justification.as_deref(), Some("Scanned tickets cannot be refunded"));
    warning_at(
        &imported,
        line_of("scalper-bots@admin-spa:"),
        "matches no risk identified in hand-written category `scalper-bots`",
    );
}

#[test]
fn broken_hand_written_risks_are_errors_at_their_position() {
    let category = |risk: &str| {
        format!(
            "{}individual_risk_categories:\n  Odd:\n    id: odd\n    stride: spoofing\n    risks_identified:\n      \
             Odd Risk:\n{}",
            two_assets("protocol: https", "technology: web-service-rest"),
            indent(risk, 8)
        )
    };
    // Dangling references to an asset and a link.
    let error = single_error(&category("most_relevant_technical_asset: ghost"));
    assert_eq!(error.at, Position::new(22, 40));
    assert_eq!(error.message, "risk `Odd Risk` of `Odd` names technical asset `ghost`, which does not exist");
    let error = single_error(&category("most_relevant_communication_link: client>cal"));
    assert_eq!(error.at.line, 22);
    assert_eq!(error.help.as_deref(), Some("did you mean `client>call`?"));
    // Wrong type and unknown value.
    let error = single_error(&category("exploitation_likelihood: sometimes"));
    assert_eq!(error.at.line, 22);
    assert!(error.message.contains("unknown variant `sometimes`"), "{}", error.message);
    let error = single_error(&category("severity: high\nmost_relevant_technical_asset: [server]"));
    assert_eq!(error.at.line, 23);
    // A risk on the link itself, and a word that is not a STRIDE category.
    let imported = import(&category("most_relevant_communication_link: client>call").replace("spoofing", "spoofs"));
    assert_eq!(terms(&imported.model.custom_threats[0].targets), ["client.call"]);
    assert!(imported.model.custom_threats[0].stride.is_empty());
    warning_at(&imported, 19, "`spoofs` is not a STRIDE category");
}

// --- Wildcards in risk tracking ---------------------------------------------

#[test]
fn wildcard_risk_tracking_becomes_patterns_or_the_elements_it_matches() {
    let imported = import(TICKET_SHOP);
    let pattern = imported.model.threats.iter().find(|tracking| tracking.threat.value == "insecure-deserialization@*");
    let pattern = pattern.unwrap_or_else(|| panic!("no pattern: {:?}", imported.model.threats));
    assert_eq!((pattern.status, pattern.ticket.as_deref()), (Status::Open, Some("SHOP-15")));
    warning_at(&imported, line_of("missing-vault@*:"), "Rampart has no equivalent of Threagile rule `missing-vault`");

    let tracking = |entries: &str| {
        let text =
            format!("{}risk_tracking:\n{}", two_assets("protocol: jdbc", "technology: database"), indent(entries, 2));
        import(&text)
    };
    // Every part wild: one pattern per Rampart rule.
    let imported = tracking("sql-nosql-injection@*@*@*:\n  status: mitigated\n");
    let ids: Vec<&str> = imported.model.threats.iter().map(|tracking| tracking.threat.value.as_str()).collect();
    assert_eq!(ids, ["sql-injection@*", "nosql-injection@*"]);
    // Some parts given: the concrete elements that match them.
    let imported = tracking("sql-nosql-injection@*@server@*:\n  status: mitigated\n");
    let ids: Vec<&str> = imported.model.threats.iter().map(|tracking| tracking.threat.value.as_str()).collect();
    assert_eq!(ids, ["sql-injection@client"]);
    let imported = tracking("unencrypted-communication@*@client@*:\n  status: in-progress\n");
    let ids: Vec<&str> = imported.model.threats.iter().map(|tracking| tracking.threat.value.as_str()).collect();
    assert_eq!(ids, ["unencrypted-flow@client.call"]);
    // Parts that match nothing are a warning.
    let imported = tracking("sql-nosql-injection@*@elsewhere@*:\n  status: mitigated\n");
    assert!(imported.model.threats.is_empty());
    warning_at(&imported, 17, "matches no element on which Rampart raises `sql-injection` or `nosql-injection`");
}

#[test]
fn includes_that_never_end_are_cut_off() {
    // Every file includes one more level down the same directory, as a
    // directory linked into itself would allow.
    let read = |path: &str| Ok(format!("includes:\n  - x/{}\n", path.rsplit('/').next().unwrap_or(path)));
    let main = format!("{MAIN_HEAD}  - x/main.yaml\n");
    let errors = match Threagile.import_file("main.yaml", &main, &read) {
        Ok(_) => panic!("an endless include chain imported"),
        Err(errors) => errors,
    };
    assert!(errors.iter().any(|error| error.message.contains("too many included models")), "{}", render(&errors));
    assert!(errors.iter().all(|error| error.at == Position::new(4, 5)), "{}", render(&errors));
}
