//! The sample organisation of `rampart admin load-sample` and `make demo`:
//! "Northwind Group", with business units, projects, people in every role,
//! and models built from the repository's examples, each with a short
//! history and threats in every state, so that a first look at the server
//! shows what a team's server looks like after a few weeks of use.
//!
//! It is written through the same functions the API uses (preparation,
//! analysis, storing versions, the audit log), so what it creates is exactly
//! what the API would have created; only the times are moved into the past.

use std::sync::Arc;

use rampart_kb::KnowledgeBase;
use serde_json::json;

use crate::analysis;
use crate::api::users::{NewAccount, ensure_organisation, insert_user};
use crate::audit;
use crate::auth::{Caller, CallerKind, Role};
use crate::db::{Db, new_id, now_ms};
use crate::store::versions;

/// The one password of every sample account (documented in docs/server.md).
pub const DEMO_PASSWORD: &str = "rampart-demo-password";
pub const ORGANISATION: &str = "Northwind Group";

const DAY_MS: i64 = 24 * 3_600_000;
/// Where the audit log says the sample's changes came from.
const ORIGIN: &str = "sample data";

/// A person of the sample organisation and where they hold roles.
struct Person {
    username: &'static str,
    display_name: &'static str,
    org_admin: bool,
    /// (business unit, role) grants.
    units: &'static [(&'static str, Role)],
    /// (project, role) grants.
    projects: &'static [(&'static str, Role)],
}

const PEOPLE: &[Person] = &[
    Person { username: "admin", display_name: "Ada Admin", org_admin: true, units: &[], projects: &[] },
    Person {
        username: "architect",
        display_name: "Sam Okafor (security architect)",
        org_admin: false,
        units: &[
            ("Retail", Role::SecurityArchitect),
            ("Payments", Role::SecurityArchitect),
            ("Operations", Role::SecurityArchitect),
        ],
        projects: &[],
    },
    Person {
        username: "developer",
        display_name: "Mia Jensen (developer)",
        org_admin: false,
        units: &[("Retail", Role::Developer), ("Payments", Role::Developer), ("Operations", Role::Developer)],
        projects: &[],
    },
    Person {
        username: "viewer",
        display_name: "Leo Brandt (auditor)",
        org_admin: false,
        units: &[("Operations", Role::Viewer)],
        projects: &[("Online store", Role::Viewer)],
    },
    Person {
        username: "payments-lead",
        display_name: "Noor Haddad (head of payments engineering)",
        org_admin: false,
        units: &[("Payments", Role::Admin)],
        projects: &[],
    },
];

const UNITS: &[(&str, &str)] = &[
    ("Retail", "The online store and the services behind the shops."),
    ("Payments", "Ticketing and payment processing."),
    ("Operations", "Plants, infrastructure and internal tooling."),
];

/// One change of a version: in the text of the version, `after` is what the
/// change introduced and `before` what was there until then.
enum Change {
    /// A list item (a flow, component...) added: its first line, as in the document.
    Item(&'static str),
    /// A text replaced.
    Replace { before: &'static str, after: &'static str },
}

/// A version after the first: who saved it, when, why, and what changed.
struct Step {
    author: &'static str,
    days_ago: i64,
    message: &'static str,
    changes: &'static [Change],
}

struct SampleModel {
    unit: &'static str,
    project: &'static str,
    project_description: &'static str,
    name: &'static str,
    /// The file name the document is read as (it decides the format).
    file_name: &'static str,
    /// The latest version's document; earlier ones are derived by undoing the steps.
    document: &'static str,
    first_author: &'static str,
    first_days_ago: i64,
    first_message: &'static str,
    steps: &'static [Step],
}

const MODELS: &[SampleModel] = &[
    SampleModel {
        unit: "Retail",
        project: "Online store",
        project_description: "The storefront, checkout and back office of the outdoor store.",
        name: "Storefront and checkout",
        file_name: "ecommerce.yaml",
        document: include_str!("../../../examples/ecommerce.yaml"),
        first_author: "architect",
        first_days_ago: 34,
        first_message: "First model of the storefront and checkout, from the design review",
        steps: &[
            Step {
                author: "developer",
                days_ago: 26,
                message: "Add order confirmation mails through the e-mail provider",
                changes: &[Change::Item("  - id: confirmation-mail")],
            },
            Step {
                author: "architect",
                days_ago: 15,
                message: "Verify the payment provider's webhook signatures (SHOP-188)",
                changes: &[Change::Replace { before: "", after: "    controls: [webhook-signature-verification]\n" }],
            },
            Step {
                author: "developer",
                days_ago: 4,
                message: "Back office uploads product images to the bucket",
                changes: &[Change::Item("  - id: upload-images")],
            },
        ],
    },
    SampleModel {
        unit: "Retail",
        project: "Store services",
        project_description: "The shop stack as deployed with docker compose in the stores.",
        name: "Shop on one host (compose)",
        file_name: "docker-compose.yml",
        document: include_str!("../../../examples/iac/compose/docker-compose.yml"),
        first_author: "developer",
        first_days_ago: 21,
        first_message: "Import docker-compose.yml from the store-services repository",
        steps: &[Step {
            author: "developer",
            days_ago: 6,
            message: "Harden the API container: read-only root, non-root user, no new privileges",
            changes: &[Change::Replace {
                before: "",
                after: "    read_only: true\n    user: \"10001\"\n    security_opt: [\"no-new-privileges:true\"]\n",
            }],
        }],
    },
    SampleModel {
        unit: "Payments",
        project: "Ticketing platform",
        project_description: "Ticket sales and payments on AWS.",
        name: "Ticketing on AWS",
        file_name: "aws-microservices.yaml",
        document: include_str!("../../../examples/aws-microservices.yaml"),
        first_author: "architect",
        first_days_ago: 30,
        first_message: "Model of the ticketing platform for the PCI scoping workshop",
        steps: &[
            Step {
                author: "developer",
                days_ago: 17,
                message: "Tickets are signed with a KMS key",
                changes: &[Change::Item("  - id: sign-ticket")],
            },
            Step {
                author: "payments-lead",
                days_ago: 3,
                message: "Record log redaction of card data (PAY-412)",
                changes: &[Change::Replace { before: "", after: "    controls: [sensitive-data-log-redaction]\n" }],
            },
        ],
    },
    SampleModel {
        unit: "Payments",
        project: "Cloud landing zone",
        project_description: "The CloudFormation stack of the payment services.",
        name: "Shop stack (CloudFormation)",
        file_name: "shop.yaml",
        document: include_str!("../../../examples/iac/cloudformation/shop.yaml"),
        first_author: "developer",
        first_days_ago: 19,
        first_message: "Import the CloudFormation template",
        steps: &[Step {
            author: "developer",
            days_ago: 8,
            message: "Keep the orders database off the internet",
            changes: &[Change::Replace { before: "", after: "      PubliclyAccessible: false\n" }],
        }],
    },
    SampleModel {
        unit: "Operations",
        project: "Water treatment plant",
        project_description: "The Riverside plant's control system and its field devices.",
        name: "Riverside plant OT network",
        file_name: "industrial-plant.yaml",
        document: include_str!("../../../examples/industrial-plant.yaml"),
        first_author: "architect",
        first_days_ago: 40,
        first_message: "OT threat model after the IEC 62443 zone assessment",
        steps: &[
            Step {
                author: "developer",
                days_ago: 24,
                message: "Sensors download firmware from the vendor portal",
                changes: &[Change::Item("  - id: firmware-download")],
            },
            Step {
                author: "architect",
                days_ago: 11,
                message: "Field devices accept signed firmware only",
                changes: &[Change::Replace {
                    before: "    controls: [unique-device-credentials]\n",
                    after: "    controls: [signed-firmware, unique-device-credentials]\n",
                }],
            },
            Step {
                author: "developer",
                days_ago: 2,
                message: "Add the commissioning flow for new sensors",
                changes: &[Change::Item("  - id: commission-sensor")],
            },
        ],
    },
    SampleModel {
        unit: "Operations",
        project: "Security tooling",
        project_description: "The threat-modeling platform itself.",
        name: "Rampart platform",
        file_name: "rampart-self.yaml",
        document: include_str!("../../../examples/rampart-self.yaml"),
        first_author: "architect",
        first_days_ago: 12,
        first_message: "Model the threat-modeling platform",
        steps: &[Step {
            author: "developer",
            days_ago: 5,
            message: "Nightly backups to object storage",
            changes: &[Change::Item("  - id: nightly-backup")],
        }],
    },
];

/// What was created, for the command's output and the tests.
#[derive(Clone, Debug, Default)]
pub struct SampleSummary {
    pub organisation: String,
    pub business_units: usize,
    pub projects: usize,
    pub models: usize,
    pub versions: usize,
    /// Threats raised by the latest versions.
    pub threats: i64,
    /// Decisions made on threats, by status (and `proposed` for proposals).
    pub decisions: Vec<(String, usize)>,
    pub comments: usize,
    /// (username, what they may do).
    pub users: Vec<(String, String)>,
    pub password: String,
}

impl std::fmt::Display for SampleSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "created organisation `{}`: {} business units, {} projects, {} models with {} versions, {} threats",
            self.organisation, self.business_units, self.projects, self.models, self.versions, self.threats
        )?;
        let decisions: Vec<String> = self.decisions.iter().map(|(status, n)| format!("{n} {status}")).collect();
        writeln!(f, "threat decisions: {}; {} comments", decisions.join(", "), self.comments)?;
        writeln!(f, "sign in as (password for all: {}):", self.password)?;
        for (username, roles) in &self.users {
            writeln!(f, "  {username:<14} {roles}")?;
        }
        Ok(())
    }
}

/// The texts of every version of `model`, oldest first.
fn version_texts(model: &SampleModel) -> Result<Vec<String>, String> {
    let mut texts = vec![model.document.to_string()];
    for step in model.steps.iter().rev() {
        let mut text = texts.last().cloned().unwrap_or_default();
        for change in step.changes {
            let (before, after) = match change {
                Change::Item(first_line) => (String::new(), list_item(&text, first_line)?),
                Change::Replace { before, after } => (before.to_string(), after.to_string()),
            };
            if text.matches(&after).count() != 1 {
                return Err(format!(
                    "sample model `{}`: step `{}` expects `{}` once in the document",
                    model.name,
                    step.message,
                    after.trim_end()
                ));
            }
            text = text.replacen(&after, &before, 1);
        }
        texts.push(text);
    }
    texts.reverse();
    Ok(texts)
}

/// The list item that starts with `first_line`: that line and the more indented ones after it.
fn list_item(text: &str, first_line: &str) -> Result<String, String> {
    let indent = first_line.len() - first_line.trim_start().len() + 2;
    let mut item = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if inside {
            let deeper = line.len() - line.trim_start().len() >= indent && !line.trim().is_empty();
            if !deeper {
                break;
            }
            item.push_str(line);
        } else if line.trim_end() == first_line {
            inside = true;
            item.push_str(line);
        }
    }
    if item.is_empty() {
        Err(format!("the sample's item `{}` is not in its document", first_line.trim()))
    } else {
        Ok(item)
    }
}

/// Creates the sample organisation in an empty database.
pub async fn load(db: &Db, kb: &KnowledgeBase) -> Result<SampleSummary, String> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
        .fetch_one(&db.pool)
        .await
        .map_err(|e| e.to_string())?;
    let users: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await.map_err(|e| e.to_string())?;
    if existing > 0 || users > 0 {
        return Err(format!(
            "the database is not empty ({existing} organisations, {users} users): the sample organisation is only \
             loaded into a new one (an empty --data-dir, or a new PostgreSQL database)"
        ));
    }
    let mut loader = Loader::new(db, kb).await?;
    loader.people().await?;
    for model in MODELS {
        loader.model(model).await?;
    }
    Ok(loader.summary)
}

struct Loader<'a> {
    db: &'a Db,
    kb: Arc<KnowledgeBase>,
    org_id: String,
    /// (username, caller acting as them).
    callers: Vec<(&'static str, Caller)>,
    units: Vec<(&'static str, String)>,
    projects: Vec<(&'static str, String)>,
    summary: SampleSummary,
}

fn sql(error: sqlx::Error) -> String {
    format!("cannot write the sample organisation: {error}")
}

impl<'a> Loader<'a> {
    async fn new(db: &'a Db, kb: &KnowledgeBase) -> Result<Loader<'a>, String> {
        let org_id = ensure_organisation(db, ORGANISATION).await.map_err(sql)?;
        Ok(Loader {
            db,
            kb: Arc::new(kb.clone()),
            org_id,
            callers: Vec::new(),
            units: Vec::new(),
            projects: Vec::new(),
            summary: SampleSummary {
                organisation: ORGANISATION.to_string(),
                password: DEMO_PASSWORD.to_string(),
                ..SampleSummary::default()
            },
        })
    }

    fn caller(&self, username: &str) -> Result<&Caller, String> {
        self.callers
            .iter()
            .find(|(name, _)| *name == username)
            .map(|(_, caller)| caller)
            .ok_or_else(|| format!("the sample has no user `{username}`"))
    }

    fn id_of<'n>(list: &'n [(&'static str, String)], name: &str) -> Result<&'n str, String> {
        list.iter().find(|(n, _)| *n == name).map(|(_, id)| id.as_str()).ok_or_else(|| format!("no sample `{name}`"))
    }

    /// The accounts, business units, projects and role grants.
    async fn people(&mut self) -> Result<(), String> {
        for person in PEOPLE {
            let mut tx = self.db.write().await.map_err(sql)?;
            let request = NewAccount {
                username: person.username.to_string(),
                display_name: Some(person.display_name.to_string()),
                email: Some(format!("{}@northwind.example", person.username)),
                password: DEMO_PASSWORD.to_string(),
                is_org_admin: person.org_admin,
            };
            let id = insert_user(&mut tx, &self.org_id, &request).await.map_err(|e| e.message)?;
            let detail = json!({"username": person.username, "is_org_admin": person.org_admin});
            audit::record_as(
                &mut tx,
                Some(&self.org_id),
                None,
                "rampart admin",
                ORIGIN,
                "user.create",
                "user",
                &id,
                detail,
            )
            .await
            .map_err(sql)?;
            tx.commit().await.map_err(sql)?;
            let caller = Caller {
                user_id: id,
                org_id: self.org_id.clone(),
                label: person.username.to_string(),
                is_org_admin: person.org_admin,
                kind: CallerKind::Session,
                remote_addr: ORIGIN.to_string(),
            };
            self.callers.push((person.username, caller));
        }
        let admin = self.caller("admin")?.clone();
        let mut tx = self.db.write().await.map_err(sql)?;
        for (name, description) in UNITS {
            let id = new_id();
            sqlx::query(
                "INSERT INTO business_units (id, org_id, name, description, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&self.org_id)
            .bind(*name)
            .bind(*description)
            .bind(now_ms() - 45 * DAY_MS)
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
            audit::record(&mut tx, &admin, "business-unit.create", "business-unit", &id, json!({"name": name}))
                .await
                .map_err(sql)?;
            self.units.push((name, id));
        }
        for model in MODELS {
            let unit_id = Self::id_of(&self.units, model.unit)?.to_string();
            let id = new_id();
            sqlx::query(
                "INSERT INTO projects (id, org_id, business_unit_id, name, description, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(&self.org_id)
            .bind(&unit_id)
            .bind(model.project)
            .bind(model.project_description)
            .bind(now_ms() - (model.first_days_ago + 1) * DAY_MS)
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
            let detail = json!({"name": model.project, "business_unit": unit_id});
            audit::record(&mut tx, &admin, "project.create", "project", &id, detail).await.map_err(sql)?;
            self.projects.push((model.project, id));
        }
        for person in PEOPLE {
            let user_id = self.caller(person.username)?.user_id.clone();
            let mut roles: Vec<String> = Vec::new();
            if person.org_admin {
                roles.push("organisation administrator".to_string());
            }
            let grants = person
                .units
                .iter()
                .map(|(unit, role)| ("business-unit", Self::id_of(&self.units, unit), *unit, *role))
                .chain(
                    person
                        .projects
                        .iter()
                        .map(|(project, role)| ("project", Self::id_of(&self.projects, project), *project, *role)),
                );
            for (kind, scope_id, scope_name, role) in grants {
                let scope_id = scope_id?;
                sqlx::query(
                    "INSERT INTO role_grants (user_id, scope_kind, scope_id, role, granted_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&user_id)
                .bind(kind)
                .bind(scope_id)
                .bind(role.as_str())
                .bind(now_ms())
                .execute(&mut *tx)
                .await
                .map_err(sql)?;
                audit::record(&mut tx, &admin, "member.set", kind, scope_id, json!({"user": user_id, "role": role}))
                    .await
                    .map_err(sql)?;
                let scope = if kind == "project" { "project" } else { "unit" };
                roles.push(format!("{role} on {scope} {scope_name}"));
            }
            self.summary.users.push((person.username.to_string(), roles.join(", ")));
        }
        tx.commit().await.map_err(sql)?;
        self.summary.business_units = self.units.len();
        self.summary.projects = self.projects.len();
        Ok(())
    }

    /// A model with its history, then decisions and comments on its threats.
    async fn model(&mut self, model: &SampleModel) -> Result<(), String> {
        let project_id = Self::id_of(&self.projects, model.project)?.to_string();
        let texts = version_texts(model)?;
        let model_id = new_id();
        let now = now_ms();
        let mut times = vec![now - model.first_days_ago * DAY_MS];
        let mut messages = vec![model.first_message];
        let mut authors = vec![model.first_author];
        for step in model.steps {
            times.push(now - step.days_ago * DAY_MS);
            messages.push(step.message);
            authors.push(step.author);
        }
        for (index, text) in texts.iter().enumerate() {
            let label = format!("{} (version {} of the sample)", model.file_name, index + 1);
            let prepared = analysis::prepare(&self.kb, model.file_name, text, None)
                .map_err(|e| format!("sample model `{}`, version {}: {}", model.name, index + 1, e.message))?;
            let analysed = versions::analyse(self.kb.clone(), prepared).await.map_err(|e| e.message)?;
            let caller = self.caller(authors[index])?.clone();
            if index == 0 {
                versions::create_model(
                    self.db,
                    &caller,
                    &project_id,
                    &model_id,
                    model.name,
                    messages[index],
                    &analysed,
                    "model.create",
                )
                .await
                .map_err(|e| format!("{label}: {}", e.message))?;
            } else {
                let mut tx = self.db.write().await.map_err(sql)?;
                let saved = versions::store(
                    &mut tx,
                    &model_id,
                    index as i64,
                    &caller.user_id,
                    messages[index],
                    &analysed,
                    None,
                    None,
                )
                .await
                .map_err(|e| format!("{label}: {}", e.message))?;
                let detail = json!({"version": saved.version, "message": messages[index],
                    "format": analysed.format, "added": saved.added, "changed": saved.changed,
                    "removed": saved.removed});
                audit::record(&mut tx, &caller, "model.save", "model", &model_id, detail).await.map_err(sql)?;
                tx.commit().await.map_err(sql)?;
            }
            sqlx::query("UPDATE model_versions SET created_at = $1 WHERE model_id = $2 AND version = $3")
                .bind(times[index])
                .bind(&model_id)
                .bind(index as i64 + 1)
                .execute(&self.db.pool)
                .await
                .map_err(sql)?;
            self.summary.versions += 1;
        }
        sqlx::query("UPDATE models SET created_at = $1, updated_at = $2 WHERE id = $3")
            .bind(times[0])
            .bind(times[times.len() - 1])
            .bind(&model_id)
            .execute(&self.db.pool)
            .await
            .map_err(sql)?;
        self.summary.models += 1;
        let threats: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM threats WHERE model_id = $1 AND until_version IS NULL")
                .bind(&model_id)
                .fetch_one(&self.db.pool)
                .await
                .map_err(sql)?;
        self.summary.threats += threats;
        self.decisions(model, &model_id, times[times.len() - 1]).await
    }

    /// Decisions in every state on the latest version's open threats, and a few comments.
    async fn decisions(&mut self, model: &SampleModel, model_id: &str, last_save: i64) -> Result<(), String> {
        let open: Vec<(String, String)> = sqlx::query_as(
            "SELECT threat_id, title FROM threats WHERE model_id = $1 AND until_version IS NULL \
             AND analysis_status = 'open' ORDER BY score DESC, threat_id",
        )
        .bind(model_id)
        .fetch_all(&self.db.pool)
        .await
        .map_err(sql)?;
        let today = time::OffsetDateTime::now_utc().date();
        let date = |days: i64| (today + time::Duration::days(days)).to_string();
        let ticket = format!("{}-{}", model.unit.to_uppercase().chars().take(3).collect::<String>(), 100 + open.len());
        let plans = [
            Decision {
                author: "developer",
                status: "in-progress",
                justification: None,
                owner: Some("developer"),
                due_date: Some(date(14)),
                expires: None,
                ticket: Some(ticket),
                proposal: false,
                comments: &[
                    ("developer", "Picked this up; the fix is in review."),
                    ("architect", "Thanks. Please link the pull request to the ticket when it merges."),
                ],
            },
            Decision {
                author: "architect",
                status: "accepted",
                justification: Some(format!(
                    "Risk accepted for {}: compensating monitoring is in place and the fix is planned with the \
                     next platform upgrade.",
                    model.project
                )),
                owner: Some("architect"),
                due_date: None,
                expires: Some(date(180)),
                ticket: None,
                proposal: false,
                comments: &[("architect", "Accepted for six months; we review it at the next design review.")],
            },
            Decision {
                author: "architect",
                status: "false-positive",
                justification: Some(
                    "Not reachable: the component is only called from inside the same trust zone.".to_string(),
                ),
                owner: None,
                due_date: None,
                expires: None,
                ticket: None,
                proposal: false,
                comments: &[],
            },
            Decision {
                author: "developer",
                status: "mitigated",
                justification: Some("Fixed and verified in the last release.".to_string()),
                owner: Some("developer"),
                due_date: None,
                expires: None,
                ticket: None,
                proposal: false,
                comments: &[],
            },
            Decision {
                author: "developer",
                status: "accepted",
                justification: Some("Low impact for us; proposing to accept it until the redesign.".to_string()),
                owner: None,
                due_date: None,
                expires: None,
                ticket: None,
                proposal: true,
                comments: &[("developer", "Could a security architect confirm this one?")],
            },
        ];
        for (index, (plan, (threat_id, _title))) in plans.iter().zip(&open).enumerate() {
            let at = last_save + (index as i64 + 1) * 3_600_000;
            self.decide(model_id, threat_id, plan, at).await?;
        }
        Ok(())
    }

    async fn decide(&mut self, model_id: &str, threat_id: &str, plan: &Decision, at: i64) -> Result<(), String> {
        let caller = self.caller(plan.author)?.clone();
        let (status, proposed) = if plan.proposal { ("open", Some(plan.status)) } else { (plan.status, None) };
        let (justification, proposed_justification) =
            if plan.proposal { (None, plan.justification.clone()) } else { (plan.justification.clone(), None) };
        let mut tx = self.db.write().await.map_err(sql)?;
        sqlx::query(
            "INSERT INTO threat_states (model_id, threat_id, status, justification, owner, due_date, expires, ticket, \
             proposed_status, proposed_justification, proposed_by, revision, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13)",
        )
        .bind(model_id)
        .bind(threat_id)
        .bind(status)
        .bind(&justification)
        .bind(plan.owner)
        .bind(&plan.due_date)
        .bind(&plan.expires)
        .bind(&plan.ticket)
        .bind(proposed)
        .bind(&proposed_justification)
        .bind(proposed.map(|_| plan.author))
        .bind(&caller.user_id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
        let action = if plan.proposal { "threat.propose" } else { "threat.update" };
        let detail = json!({"model": model_id, "status": status, "proposed_status": proposed, "owner": plan.owner,
            "due_date": plan.due_date, "expires": plan.expires, "ticket": plan.ticket,
            "justification": justification, "revision": 1});
        audit::record(&mut tx, &caller, action, "threat", threat_id, detail).await.map_err(sql)?;
        for (offset, (author, body)) in plan.comments.iter().enumerate() {
            let author = self.caller(author)?.clone();
            let id = new_id();
            sqlx::query(
                "INSERT INTO threat_comments (id, model_id, threat_id, author_id, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(model_id)
            .bind(threat_id)
            .bind(&author.user_id)
            .bind(*body)
            .bind(at + (offset as i64 + 1) * 600_000)
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
            audit::record(
                &mut tx,
                &author,
                "threat.comment",
                "threat",
                threat_id,
                json!({"model": model_id, "comment": id}),
            )
            .await
            .map_err(sql)?;
            self.summary.comments += 1;
        }
        tx.commit().await.map_err(sql)?;
        let key = if plan.proposal { "proposed" } else { plan.status };
        match self.summary.decisions.iter_mut().find(|(status, _)| status == key) {
            Some((_, count)) => *count += 1,
            None => self.summary.decisions.push((key.to_string(), 1)),
        }
        Ok(())
    }
}

/// A decision the sample makes on one threat.
struct Decision {
    author: &'static str,
    status: &'static str,
    justification: Option<String>,
    owner: Option<&'static str>,
    due_date: Option<String>,
    expires: Option<String>,
    ticket: Option<String>,
    /// A developer's request for `status`, waiting for a security architect.
    proposal: bool,
    comments: &'static [(&'static str, &'static str)],
}
