//! Who is calling and what they may do: sessions (cookie + CSRF token), API
//! tokens (bearer), and roles per business unit or project.

pub mod access;
pub mod caller;
pub mod passwords;
pub mod roles;
pub mod secrets;
pub mod sessions;

pub use access::{ModelAccess, ProjectAccess};
pub use caller::{Caller, CallerKind};
pub use roles::Role;
