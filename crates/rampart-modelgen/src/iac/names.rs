//! Names shared by the IaC generators: applications, teams and the outside
//! services they call.

/// Business applications; the n-th app past the list gets a number.
const APPS: &[&str] = &[
    "orders",
    "payments",
    "customers",
    "accounts",
    "catalog",
    "inventory",
    "shipping",
    "invoices",
    "claims",
    "reviews",
    "notifications",
    "analytics",
    "reporting",
    "ledger",
    "fraud",
    "audit",
    "documents",
    "media",
    "pricing",
    "loyalty",
    "support",
    "scheduling",
    "search",
    "payroll",
    "contracts",
];

/// Outside APIs applications call by URL.
pub(super) const OUTSIDE_APIS: &[&str] = &[
    "https://api.stripe.com/v1",
    "https://api.sendgrid.com/v3/mail/send",
    "https://hooks.slack.com/services/T000/B000",
    "https://api.twilio.com/2010-04-01",
    "https://login.partner-bank.example.com/oauth2/token",
    "https://tracking.carrier.example.net/api",
];

/// The name of the `index`-th app: `orders`, ..., `contracts`, `orders-2`, ...
pub(super) fn app_name(index: usize) -> String {
    let base = APPS[index % APPS.len()];
    match index / APPS.len() {
        0 => base.to_string(),
        round => format!("{base}-{}", round + 1),
    }
}

/// The same name as a Terraform identifier (`orders_2`).
pub(super) fn identifier(name: &str) -> String {
    name.replace('-', "_")
}
