//! What a caller may do with a business unit, project or model. Anything in
//! another organisation, or in a project the caller has no role on, is "not
//! found": the answer does not tell whether it exists.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::caller::{Caller, CallerKind};
use super::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct ProjectAccess {
    pub project_id: String,
    pub business_unit_id: String,
    pub name: String,
    pub role: Role,
}

#[derive(Clone, Debug)]
pub struct ModelAccess {
    pub model_id: String,
    pub project: ProjectAccess,
    pub name: String,
    pub head_version: i64,
}

impl ProjectAccess {
    pub fn require(&self, needed: Role, to: &str) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "to {to} you need the {needed} role on project `{}`; you have {}",
                self.name, self.role
            )))
        }
    }
}

/// The user's (`$3`) grants on the project `p` and on its business unit, as
/// columns `project_grant` and `unit_grant` of a query over `projects p`.
const GRANTS: &str = "(SELECT g.role FROM role_grants g WHERE g.user_id = $3 AND g.scope_kind = 'project' \
     AND g.scope_id = p.id) AS project_grant, \
     (SELECT g.role FROM role_grants g WHERE g.user_id = $3 AND g.scope_kind = 'business-unit' \
     AND g.scope_id = p.business_unit_id) AS unit_grant";

impl Caller {
    /// The caller's role on a user's grants, capped by a personal token.
    pub(crate) fn capped(&self, role: Option<Role>) -> Option<Role> {
        let role = if self.is_org_admin { Some(Role::Admin) } else { role };
        match &self.kind {
            CallerKind::PersonalToken { cap, .. } => role.map(|role| role.min(*cap)),
            _ => role,
        }
    }

    /// The caller's access to a project, or "not found".
    pub async fn project(&self, state: &AppState, project_id: &str) -> Result<ProjectAccess, ApiError> {
        let row = sqlx::query(&format!(
            "SELECT p.business_unit_id, p.name, {GRANTS} FROM projects p WHERE p.id = $1 AND p.org_id = $2"
        ))
        .bind(project_id)
        .bind(&self.org_id)
        .bind(&self.user_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
        self.project_access(project_id, &row)?.ok_or_else(|| ApiError::not_found("project"))
    }

    /// The caller's access from a row with a project's `business_unit_id`,
    /// `name` and [`GRANTS`]; `None` when the caller has no role there.
    fn project_access(&self, project_id: &str, row: &AnyRow) -> Result<Option<ProjectAccess>, ApiError> {
        let role = match &self.kind {
            CallerKind::ProjectToken { project_id: own, role, .. } => (own == project_id).then_some(*role),
            // An organisation admin is admin everywhere, whatever the grants say.
            _ if self.is_org_admin => self.capped(None),
            _ => {
                let on_project: Option<String> = row.try_get("project_grant")?;
                let on_unit: Option<String> = row.try_get("unit_grant")?;
                let best = on_project.as_deref().and_then(Role::parse).max(on_unit.as_deref().and_then(Role::parse));
                self.capped(best)
            }
        };
        let Some(role) = role else { return Ok(None) };
        Ok(Some(ProjectAccess {
            project_id: project_id.to_string(),
            business_unit_id: row.try_get("business_unit_id")?,
            name: row.try_get("name")?,
            role,
        }))
    }

    /// The caller's access to a model (through its project), or "not found".
    /// One query: it runs before nearly every request's own work.
    pub async fn model(&self, state: &AppState, model_id: &str) -> Result<ModelAccess, ApiError> {
        let row = sqlx::query(&format!(
            "SELECT m.project_id, m.name AS model_name, m.head_version, p.business_unit_id, p.name, {GRANTS} \
             FROM models m JOIN projects p ON p.id = m.project_id AND p.org_id = m.org_id WHERE m.id = $1 AND m.org_id = $2"
        ))
        .bind(model_id)
        .bind(&self.org_id)
        .bind(&self.user_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("model"))?;
        let project_id: String = row.try_get("project_id")?;
        let project = self.project_access(&project_id, &row)?.ok_or_else(|| ApiError::not_found("model"))?;
        Ok(ModelAccess {
            model_id: model_id.to_string(),
            project,
            name: row.try_get("model_name")?,
            head_version: row.try_get("head_version")?,
        })
    }

    /// The caller's role on a business unit (its grant there, or organisation
    /// admin), `Viewer` when it only has a role on one of its projects, or "not found".
    pub async fn business_unit(&self, state: &AppState, unit_id: &str) -> Result<(String, Role), ApiError> {
        let row = sqlx::query(
            "SELECT b.name, (SELECT g.role FROM role_grants g WHERE g.user_id = $3 AND g.scope_kind = 'business-unit' \
             AND g.scope_id = b.id) AS unit_grant FROM business_units b WHERE b.id = $1 AND b.org_id = $2",
        )
        .bind(unit_id)
        .bind(&self.org_id)
        .bind(&self.user_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("business unit"))?;
        let name: String = row.try_get("name")?;
        if let CallerKind::ProjectToken { .. } = self.kind {
            return Err(ApiError::not_found("business unit"));
        }
        let grant: Option<String> = row.try_get("unit_grant")?;
        if let Some(role) = self.capped(grant.as_deref().and_then(Role::parse)) {
            return Ok((name, role));
        }
        let in_a_project: Option<String> = sqlx::query_scalar(
            "SELECT g.role FROM role_grants g JOIN projects p ON p.id = g.scope_id \
             WHERE g.user_id = $1 AND g.scope_kind = 'project' AND p.business_unit_id = $2 LIMIT 1",
        )
        .bind(&self.user_id)
        .bind(unit_id)
        .fetch_optional(&state.db.pool)
        .await?;
        match in_a_project {
            Some(_) => Ok((name, Role::Viewer)),
            None => Err(ApiError::not_found("business unit")),
        }
    }
}
