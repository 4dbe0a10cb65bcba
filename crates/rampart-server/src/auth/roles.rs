//! Roles, from the least to the most trusted. A role on a business unit
//! applies to each of its projects; the higher of the two grants wins.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads models, threats, reports and history.
    Viewer,
    /// Edits models, imports, comments, and proposes status changes.
    Developer,
    /// Also accepts risks, marks false positives, and decides countermeasures.
    SecurityArchitect,
    /// Also manages members, tokens and the project itself.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Developer, Role::SecurityArchitect, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Developer => "developer",
            Role::SecurityArchitect => "security-architect",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
