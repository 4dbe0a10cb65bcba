//! Catalog types and data categories guessed from element names.
//!
//! Threat Dragon and Threat Composer record what an element is only in words
//! ("Orders DB", "Message Queue", "the LLM inference API"), so the importers
//! read the words: each rule names a catalog type and the words (or word
//! sequences) that suggest it, most specific first. Threat Composer's importer
//! shares these tables, since both formats name things the same way.

/// Whether a catalog type holds data or runs code: a Threat Dragon store may
/// only become the first, a process only the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Datastore,
    Process,
}

/// One naming rule: any of `words` in a name suggests `kind`.
struct Rule {
    words: &'static [&'static str],
    kind: &'static str,
    family: Family,
}

const fn rule(words: &'static [&'static str], kind: &'static str, family: Family) -> Rule {
    Rule { words, kind, family }
}

/// Most specific first: "document database" must win over "database", and a
/// "vector store" is not a generic store.
const RULES: &[Rule] = &[
    rule(&["vector", "embeddings", "knowledge base"], "rag-vector-store", Family::Datastore),
    rule(&["s3", "bucket", "buckets", "blob", "object storage", "object store"], "object-storage", Family::Datastore),
    rule(&["dynamodb", "key value", "kv"], "key-value-store", Family::Datastore),
    rule(
        &["mongodb", "mongo", "couchdb", "cosmos", "firestore", "nosql", "document database", "document store"],
        "document-database",
        Family::Datastore,
    ),
    rule(&["redis", "memcached", "elasticache", "cache"], "cache", Family::Datastore),
    rule(&["queue", "sqs", "rabbitmq", "activemq", "service bus"], "message-queue", Family::Datastore),
    rule(&["kafka", "kinesis", "stream", "event hub", "event hubs"], "event-stream", Family::Datastore),
    rule(&["elasticsearch", "opensearch", "solr", "search index"], "search-index", Family::Datastore),
    rule(&["warehouse", "redshift", "snowflake", "bigquery", "synapse"], "data-warehouse", Family::Datastore),
    rule(&["graph database", "neo4j", "neptune"], "graph-database", Family::Datastore),
    rule(&["vault", "secrets manager", "kms", "hsm", "keystore", "key store"], "secrets-vault", Family::Datastore),
    rule(&["backup", "backups", "snapshot", "snapshots"], "backup-storage", Family::Datastore),
    rule(
        &["mysql", "postgres", "postgresql", "sql", "rds", "aurora", "oracle", "mariadb", "database", "db", "rdbms"],
        "relational-database",
        Family::Datastore,
    ),
    rule(
        &["file", "files", "config", "configuration", "log", "logs", "nfs", "smb", "share", "disk"],
        "file-share",
        Family::Datastore,
    ),
    rule(&["inference api", "llm api", "bedrock", "openai"], "hosted-llm-api", Family::Process),
    rule(&["chatbot", "chat", "assistant"], "llm-chat-app", Family::Process),
    rule(&["agent", "agents"], "llm-agent", Family::Process),
    rule(&["llm", "genai", "language model", "foundation model"], "llm-model-endpoint", Family::Process),
    rule(&["mobile", "ios", "android"], "mobile-app", Family::Process),
    rule(&["browser", "frontend", "front end", "spa", "single page"], "spa", Family::Process),
    rule(&["graphql"], "graphql-api", Family::Process),
    rule(&["grpc"], "grpc-service", Family::Process),
    rule(&["api gateway", "gateway"], "api-gateway", Family::Process),
    rule(&["waf"], "waf", Family::Process),
    rule(&["load balancer", "elb", "alb", "nlb"], "load-balancer", Family::Process),
    rule(&["proxy", "nginx", "envoy", "haproxy"], "reverse-proxy", Family::Process),
    rule(&["cdn", "cloudfront"], "cdn", Family::Process),
    rule(
        &["identity provider", "idp", "cognito", "keycloak", "okta", "sso", "auth", "authentication"],
        "identity-provider",
        Family::Process,
    ),
    rule(&["ldap", "active directory", "directory"], "directory-service", Family::Process),
    rule(&["lambda"], "aws-lambda", Family::Process),
    rule(&["scheduler", "cron"], "scheduler", Family::Process),
    rule(&["worker", "job", "jobs", "batch", "daemon", "consumer"], "background-worker", Family::Process),
    rule(&["pipeline", "jenkins", "github actions", "ci"], "ci-pipeline", Family::Process),
    rule(&["repository", "repo", "git"], "source-repository", Family::Process),
    rule(&["cms", "wordpress"], "cms", Family::Process),
    rule(&["api", "apis", "rest", "backend", "endpoint", "endpoints"], "rest-api", Family::Process),
    rule(
        &["web app", "webapp", "web application", "website", "web site", "web server", "portal"],
        "web-app",
        Family::Process,
    ),
];

/// The name as lowercase words separated by single spaces and framed by
/// spaces, so that `" db "` matches the word and not `"dbx"`.
fn words_of(name: &str) -> String {
    let mut framed = String::from(" ");
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| !word.is_empty()) {
        framed.push_str(&word.to_ascii_lowercase());
        framed.push(' ');
    }
    framed
}

/// The catalog type a name suggests, among types of `family` (any family
/// when `None`).
pub(crate) fn kind_from_name(name: &str, family: Option<Family>) -> Option<(&'static str, Family)> {
    let framed = words_of(name);
    RULES
        .iter()
        .filter(|rule| family.is_none_or(|family| family == rule.family))
        .find(|rule| rule.words.iter().any(|word| framed.contains(&format!(" {word} "))))
        .map(|rule| (rule.kind, rule.family))
}

/// Words that make a name a piece of information rather than a thing that runs.
const DATA_WORDS: &[&str] = &[
    "data",
    "information",
    "metadata",
    "records",
    "credentials",
    "secrets",
    "pii",
    "content",
    "outputs",
    "responses",
    "prompts",
    "intellectual property",
    "documents",
    "messages",
];

/// Whether a name describes data ("user data", "model responses").
pub(crate) fn names_data(name: &str) -> bool {
    let framed = words_of(name);
    DATA_WORDS.iter().any(|word| framed.contains(&format!(" {word} ")))
}

/// Whether a name's last word (its head noun, in English) is information:
/// "proprietary LLM algorithms and training data" is data about a model, not
/// the model.
pub(crate) fn ends_with_data(name: &str) -> bool {
    let framed = words_of(name);
    DATA_WORDS.iter().any(|word| framed.ends_with(&format!(" {word} ")))
}

/// Data categories of the knowledge base that a data name suggests.
pub(crate) fn data_categories(name: &str) -> Vec<&'static str> {
    const CATEGORIES: &[(&[&str], &str)] = &[
        (&["pii", "personal", "user data", "customer data", "individuals"], "pii"),
        (&["credentials", "credential", "password", "passwords", "token", "tokens"], "credentials"),
        (&["secret", "secrets", "keys"], "secrets"),
        (&["training data", "training"], "training-data"),
        (&["prompt", "prompts"], "prompts"),
        (&["model weights", "weights"], "model-weights"),
        (&["payment", "card", "cards"], "payment-card"),
        (&["health", "medical"], "health"),
        (&["source code", "code"], "source-code"),
        (&["intellectual property", "proprietary", "business"], "business"),
    ];
    let framed = words_of(name);
    CATEGORIES
        .iter()
        .filter(|(words, _)| words.iter().any(|word| framed.contains(&format!(" {word} "))))
        .map(|(_, category)| *category)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_suggest_catalog_types() {
        assert_eq!(kind_from_name("Orders DB", None), Some(("relational-database", Family::Datastore)));
        assert_eq!(kind_from_name("MongoDB", None), Some(("document-database", Family::Datastore)));
        assert_eq!(kind_from_name("Message Queue", None), Some(("message-queue", Family::Datastore)));
        assert_eq!(kind_from_name("Worker Config", Some(Family::Datastore)), Some(("file-share", Family::Datastore)));
        assert_eq!(kind_from_name("Exchange\nAPI", Some(Family::Process)), Some(("rest-api", Family::Process)));
        assert_eq!(kind_from_name("the LLM inference API", None), Some(("hosted-llm-api", Family::Process)));
        assert_eq!(kind_from_name("Background\nWorker Process", None), Some(("background-worker", Family::Process)));
        assert_eq!(kind_from_name("dbx", None), None);
        assert_eq!(kind_from_name("Database", Some(Family::Process)), None);
    }

    #[test]
    fn data_names_and_categories_are_recognised() {
        assert!(names_data("sensitive user and training data"));
        assert!(!names_data("threat composer"));
        assert!(ends_with_data("proprietary LLM algorithms and training data"));
        assert!(!ends_with_data("information in the knowledge base"));
        assert_eq!(data_categories("customer data and passwords"), ["pii", "credentials"]);
        assert!(data_categories("application metadata").is_empty());
    }
}
