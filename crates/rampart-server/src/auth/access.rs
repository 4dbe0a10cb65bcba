//! What a caller may do with a business unit, project or model. Anything in
//! another organisation, or in a project the caller has no role on, is "not
//! found": the answer does not tell whether it exists.

use sqlx::Row;

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

/// The highest role granted to `user` on `scope_ids` (a project and its business unit).
async fn granted(state: &AppState, user_id: &str, scopes: &[(&str, &str)]) -> Result<Option<Role>, ApiError> {
    let mut best = None;
    for (kind, id) in scopes {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM role_grants WHERE user_id = $1 AND scope_kind = $2 AND scope_id = $3")
                .bind(user_id)
                .bind(*kind)
                .bind(*id)
                .fetch_optional(&state.db.pool)
                .await?;
        best = best.max(role.as_deref().and_then(Role::parse));
    }
    Ok(best)
}

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
        let row = sqlx::query("SELECT business_unit_id, name FROM projects WHERE id = $1 AND org_id = $2")
            .bind(project_id)
            .bind(&self.org_id)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("project"))?;
        let business_unit_id: String = row.try_get("business_unit_id")?;
        let role = match &self.kind {
            CallerKind::ProjectToken { project_id: own, role, .. } => (own == project_id).then_some(*role),
            // An organisation admin is admin everywhere: no grant to look up.
            _ if self.is_org_admin => self.capped(None),
            _ => {
                let grants = granted(
                    state,
                    &self.user_id,
                    &[("project", project_id), ("business-unit", business_unit_id.as_str())],
                )
                .await?;
                self.capped(grants)
            }
        };
        let role = role.ok_or_else(|| ApiError::not_found("project"))?;
        Ok(ProjectAccess { project_id: project_id.to_string(), business_unit_id, name: row.try_get("name")?, role })
    }

    /// The caller's access to a model (through its project), or "not found".
    pub async fn model(&self, state: &AppState, model_id: &str) -> Result<ModelAccess, ApiError> {
        let row = sqlx::query("SELECT project_id, name, head_version FROM models WHERE id = $1 AND org_id = $2")
            .bind(model_id)
            .bind(&self.org_id)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("model"))?;
        let project_id: String = row.try_get("project_id")?;
        let project = self.project(state, &project_id).await.map_err(|error| match error.code {
            "not-found" => ApiError::not_found("model"),
            _ => error,
        })?;
        Ok(ModelAccess {
            model_id: model_id.to_string(),
            project,
            name: row.try_get("name")?,
            head_version: row.try_get("head_version")?,
        })
    }

    /// The caller's role on a business unit (its grant there, or organisation
    /// admin), `Viewer` when it only has a role on one of its projects, or "not found".
    pub async fn business_unit(&self, state: &AppState, unit_id: &str) -> Result<(String, Role), ApiError> {
        let name: String = sqlx::query_scalar("SELECT name FROM business_units WHERE id = $1 AND org_id = $2")
            .bind(unit_id)
            .bind(&self.org_id)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(|| ApiError::not_found("business unit"))?;
        if let CallerKind::ProjectToken { .. } = self.kind {
            return Err(ApiError::not_found("business unit"));
        }
        if let Some(role) = self.capped(granted(state, &self.user_id, &[("business-unit", unit_id)]).await?) {
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
