//! `rampart admin`: accounts, backup and restore of the server's database,
//! run against the database directly (the server may be stopped).

use std::io::{BufReader, Read, Write};
use std::path::PathBuf;

use super::serve::{DatabaseArgs, runtime};
use crate::input::fail;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a local account (and the first organisation, or a new one with --new-organisation).
    CreateUser(CreateUser),
    /// Set a local account's password (for someone locked out, an
    /// administrator included): clears its lockout and ends its sessions.
    SetPassword(SetPassword),
    /// Seal every integration secret again under a new key: the current
    /// key in RAMPART_SECRET_KEY, the new one in RAMPART_NEW_SECRET_KEY.
    /// All or nothing; then restart the servers with the new key.
    RotateSecretKey(RotateSecretKey),
    /// Write a consistent snapshot of the whole database (JSON Lines).
    Backup(Backup),
    /// Restore a snapshot into an empty database (SQLite or PostgreSQL).
    Restore(Restore),
    /// Fill an empty database with the sample organisation "Northwind Group"
    /// (business units, projects, models with history, users in every role).
    LoadSample(LoadSample),
    /// Print the server's OpenAPI 3.1 document (what GET /api/openapi.json
    /// answers), for client generators; needs no database.
    Openapi,
}

#[derive(clap::Args)]
pub struct CreateUser {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long)]
    pub username: String,
    /// The organisation the account belongs to. Created for the database's
    /// first account; after that it must exist, unless --new-organisation.
    #[arg(long, value_name = "NAME", default_value = "Default organisation")]
    pub organisation: String,
    /// Create the organisation if the database has none of that name (so
    /// that a mistyped name is an error rather than a new organisation).
    #[arg(long)]
    pub new_organisation: bool,
    /// Make the account an organisation administrator.
    #[arg(long)]
    pub admin: bool,
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from standard input (first line) instead of RAMPART_PASSWORD.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(clap::Args)]
pub struct SetPassword {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long)]
    pub username: String,
    /// Read the password from standard input (first line) instead of RAMPART_PASSWORD.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(clap::Args)]
pub struct RotateSecretKey {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(clap::Args)]
pub struct Backup {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Where to write the snapshot; `-` is standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(clap::Args)]
pub struct Restore {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The snapshot written by `rampart admin backup`.
    #[arg(long, short, value_name = "FILE")]
    pub input: PathBuf,
}

#[derive(clap::Args)]
pub struct LoadSample {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub fn run(args: Args) -> u8 {
    if let Command::Openapi = args.command {
        let text = serde_json::to_string_pretty(rampart_server::api::document()).unwrap_or_default();
        crate::input::write_stdout(&format!("{text}\n"));
        return crate::exit::OK;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(message) => return fail(&message),
    };
    let result = match args.command {
        Command::CreateUser(command) => rt.block_on(create_user(command)),
        Command::SetPassword(command) => rt.block_on(set_password(command)),
        Command::RotateSecretKey(command) => rt.block_on(rotate_secret_key(command)),
        Command::Backup(command) => rt.block_on(backup(command)),
        Command::Restore(command) => rt.block_on(restore(command)),
        Command::LoadSample(command) => rt.block_on(load_sample(command)),
        Command::Openapi => Ok(()),
    };
    match result {
        Ok(()) => crate::exit::OK,
        Err(message) => fail(&message),
    }
}

async fn open(database: &DatabaseArgs) -> Result<rampart_server::db::Db, String> {
    rampart_server::db::Db::open(&database.url(), 2).await.map_err(|e| e.to_string())
}

/// The password from standard input (its first line) or RAMPART_PASSWORD.
fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read the password: {e}"))?;
        Ok(text.lines().next().unwrap_or_default().to_string())
    } else {
        std::env::var("RAMPART_PASSWORD")
            .map_err(|_| "give the password in RAMPART_PASSWORD or with --password-stdin".to_string())
    }
}

async fn set_password(command: SetPassword) -> Result<(), String> {
    let password = read_password(command.password_stdin)?;
    let db = open(&command.database).await?;
    rampart_server::api::users::reset_password(&db, &command.username, &password).await.map_err(|e| e.message)?;
    eprintln!("set the password of `{}`; its sessions are ended and any lockout cleared", command.username);
    Ok(())
}

async fn rotate_secret_key(command: RotateSecretKey) -> Result<(), String> {
    use rampart_server::sealed::{KEY_VARIABLE, SecretKey};
    const NEW_KEY_VARIABLE: &str = "RAMPART_NEW_SECRET_KEY";
    let key = |variable: &str| -> Result<SecretKey, String> {
        let text = std::env::var(variable).map_err(|_| {
            format!(
                "give the current key in {KEY_VARIABLE} and the new one in {NEW_KEY_VARIABLE} \
                 (`openssl rand -base64 32`)"
            )
        })?;
        SecretKey::from_base64(&text).map_err(|error| format!("{variable}: {error}"))
    };
    let (old, new) = (key(KEY_VARIABLE)?, key(NEW_KEY_VARIABLE)?);
    let db = open(&command.database).await?;
    let count = rampart_server::api::admin::reseal_secrets(&db, &old, &new).await?;
    eprintln!("sealed {count} secret(s) again under the new key; restart every server with {KEY_VARIABLE} set to it");
    Ok(())
}

async fn create_user(command: CreateUser) -> Result<(), String> {
    let password = read_password(command.password_stdin)?;
    let db = open(&command.database).await?;
    let org_id =
        rampart_server::api::users::organisation_for_new_user(&db, &command.organisation, command.new_organisation)
            .await?;
    let request = rampart_server::api::users::NewAccount {
        username: command.username.clone(),
        display_name: command.display_name.clone(),
        email: command.email.clone(),
        password,
        is_org_admin: command.admin,
    };
    let mut tx = db.write().await.map_err(|e| e.to_string())?;
    let id = rampart_server::api::users::insert_user(&mut tx, &org_id, &request).await.map_err(|e| e.message)?;
    rampart_server::audit::record_as(
        &mut tx,
        Some(&org_id),
        None,
        "rampart admin",
        "command line",
        "user.create",
        "user",
        &id,
        serde_json::json!({"username": command.username, "is_org_admin": command.admin}),
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    let role = if command.admin { "administrator" } else { "user" };
    eprintln!("created {role} `{}` in organisation `{}`", command.username, command.organisation);
    Ok(())
}

async fn backup(command: Backup) -> Result<(), String> {
    let db = open(&command.database).await?;
    let counts = if command.output.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let counts = rampart_server::backup::backup(&db, &mut out).await?;
        out.flush().map_err(|e| e.to_string())?;
        counts
    } else {
        // Written beside the target and renamed at the end, so a failed
        // backup never leaves a file that looks complete.
        let partial = command.output.with_extension("partial");
        let file =
            std::fs::File::create(&partial).map_err(|e| format!("cannot create `{}`: {e}", partial.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let counts = rampart_server::backup::backup(&db, &mut out).await?;
        out.flush().map_err(|e| e.to_string())?;
        out.get_ref().sync_all().map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &command.output)
            .map_err(|e| format!("cannot write `{}`: {e}", command.output.display()))?;
        counts
    };
    let rows: u64 = counts.values().sum();
    eprintln!(
        "backed up {rows} rows from {} tables ({} models, {} versions)",
        counts.len(),
        counts.get("models").copied().unwrap_or(0),
        counts.get("model_versions").copied().unwrap_or(0)
    );
    Ok(())
}

async fn restore(command: Restore) -> Result<(), String> {
    let file =
        std::fs::File::open(&command.input).map_err(|e| format!("cannot open `{}`: {e}", command.input.display()))?;
    let db = open(&command.database).await?;
    let counts = rampart_server::backup::restore(&db, &mut BufReader::new(file))
        .await
        .map_err(|e| format!("`{}`: {e}", command.input.display()))?;
    let rows: u64 = counts.values().sum();
    eprintln!(
        "restored {rows} rows ({} models, {} versions)",
        counts.get("models").copied().unwrap_or(0),
        counts.get("model_versions").copied().unwrap_or(0)
    );
    Ok(())
}

async fn load_sample(command: LoadSample) -> Result<(), String> {
    let kb = rampart_kb::compile(&rampart_kb::builtin_sources())
        .map_err(|errors| format!("the built-in knowledge base does not compile: {} errors", errors.len()))?;
    let db = open(&command.database).await?;
    let summary = rampart_server::sample::load(&db, &kb).await?;
    print!("{summary}");
    println!("start the server with `rampart serve` and the same database options, then sign in");
    Ok(())
}
