//! What every request handler shares. Nothing here is data that another
//! replica could change: users, sessions, models and jobs live in the
//! database, so several servers on one PostgreSQL behave as one. (The last
//! analysis of a model is kept to make its next save cheaper, but a save
//! that finds none analyses in full: nothing depends on it.)

use std::sync::Arc;

use rampart_kb::KnowledgeBase;

use crate::config::ServerConfig;
use crate::db::Db;
use crate::oidc::OidcClient;
use crate::sealed::SecretKey;

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

pub struct Shared {
    pub db: Db,
    /// The knowledge base models are analysed with, loaded once at start.
    pub kb: Arc<KnowledgeBase>,
    pub config: ServerConfig,
    pub oidc: Option<OidcClient>,
    /// The key that seals integration secrets; without it they cannot be stored.
    pub secret_key: Option<SecretKey>,
    /// This replica's name in the job queue.
    pub worker_id: String,
    /// The last analysis of recently saved models: a speed-up for their
    /// next save, which any replica can do without ([`crate::store::previous`]).
    pub previous: crate::store::previous::PreviousAnalyses,
    /// Saves waiting to be written, by model ([`crate::api::saves`]).
    pub saves: crate::api::saves::SaveQueues,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
