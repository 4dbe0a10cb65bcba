pub mod analyze;
pub mod init;
pub mod intel;
pub mod kb;
pub mod validate;
