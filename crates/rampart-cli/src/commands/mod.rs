pub mod analyze;
pub mod init;
pub mod kb;
pub mod validate;
