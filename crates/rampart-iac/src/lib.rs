//! Models from infrastructure as code: Kubernetes manifests (plain, or the
//! output of `helm template`), docker-compose files, Terraform (`.tf`
//! directories, or the JSON of `terraform show -json`) and CloudFormation
//! templates (YAML or JSON) become ordinary
//! Rampart models, ready to validate, analyze and edit.
//!
//! Each importer takes a list of [`SourceFile`]s (paths relative to what the
//! user imported, and their text) and infers components with catalog types,
//! flows, trust boundaries, exposure to the internet, data assets for
//! secrets and the controls the manifests show. Every element records where
//! it came from in its `source` ([`rampart_model::SourceRef`]), so a
//! threat's explanation can point at the manifest to change. What an
//! importer cannot model becomes a warning at its file and line, never a
//! silent drop; a file that is not valid YAML fails the import with its
//! position.
//!
//! The pieces the importers share:
//! `yaml` (positions and tags), `classify` (images, ports and URL schemes in
//! the knowledge base's terms), `endpoint` (connection strings), `ids` and
//! `builder` (assembling a deterministic model). CloudFormation reuses the
//! Terraform inference: each resource is translated into the Terraform
//! instance that stands for the same AWS resource. So do live AWS accounts,
//! read from a directory of AWS CLI outputs or an AWS Config snapshot
//! (`inventory`).
//!
//! Invariant: no IO except [`read_dir`], a convenience for callers; the same
//! files always give the same model, whatever order they come in.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

mod builder;
pub mod classify;
mod cloudformation;
mod compose;
pub mod endpoint;
mod ids;
mod inventory;
mod kubernetes;
pub mod merge;
mod source;
mod terraform;
mod yaml;

pub use source::{FileDiagnostic, SourceFile, read_dir};

/// What an import produced.
#[derive(Clone, Debug, PartialEq)]
pub struct IacImport {
    pub model: rampart_model::Model,
    /// What could not be modelled, or looks wrong in the source (a Secret
    /// with literal values, a workload bound to `cluster-admin`).
    pub warnings: Vec<FileDiagnostic>,
    pub summary: Summary,
}

impl IacImport {
    /// The model as YAML, in the native format `rampart analyze` reads.
    pub fn to_yaml(&self) -> Result<String, String> {
        serde_saphyr::to_string(&self.model).map_err(|error| error.to_string())
    }
}

/// How much was inferred, for the one-line report after an import.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub components: usize,
    pub actors: usize,
    pub flows: usize,
    pub boundaries: usize,
    pub data: usize,
}

/// `imported 9 components, 11 flows, 3 boundaries from 6 files`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "imported {}, {}, {} from {}",
            count(self.components, "component", "components"),
            count(self.flows, "flow", "flows"),
            count(self.boundaries, "boundary", "boundaries"),
            count(self.files, "file", "files"),
        )
    }
}

/// An infrastructure-as-code format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IacFormat {
    Kubernetes,
    Compose,
    Terraform,
    CloudFormation,
    /// A directory of AWS CLI outputs (`scripts/collect-aws-inventory.sh`).
    AwsInventory,
    /// An AWS Config configuration snapshot.
    AwsConfig,
}

impl IacFormat {
    pub const ALL: [IacFormat; 6] = [
        IacFormat::Kubernetes,
        IacFormat::Compose,
        IacFormat::Terraform,
        IacFormat::CloudFormation,
        IacFormat::AwsInventory,
        IacFormat::AwsConfig,
    ];

    /// The name users type (`rampart import kubernetes`).
    pub fn name(self) -> &'static str {
        match self {
            IacFormat::Kubernetes => "kubernetes",
            IacFormat::Compose => "compose",
            IacFormat::Terraform => "terraform",
            IacFormat::CloudFormation => "cloudformation",
            IacFormat::AwsInventory => "aws-inventory",
            IacFormat::AwsConfig => "aws-config",
        }
    }

    /// Imports `files` as this format.
    pub fn import(self, name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
        match self {
            IacFormat::Kubernetes => import_kubernetes(name, files),
            IacFormat::Compose => import_compose(name, files),
            IacFormat::Terraform => import_terraform(name, files),
            IacFormat::CloudFormation => import_cloudformation(name, files),
            IacFormat::AwsInventory => import_aws_inventory(name, files),
            IacFormat::AwsConfig => import_aws_config(name, files),
        }
    }

    /// The files under `root` this format reads: `.yaml` and `.yml` files,
    /// or for Terraform `.tf`, `.tfvars` and plan JSON files, or for
    /// CloudFormation the `.yaml`, `.yml`, `.json` and `.template` files
    /// that are templates, or for an AWS inventory its `.json` outputs and
    /// `.error.txt` failures, or the Config snapshots (`.json`).
    pub fn read_dir(self, root: &Path) -> std::io::Result<Vec<SourceFile>> {
        match self {
            IacFormat::Terraform => terraform::read_dir(root),
            IacFormat::CloudFormation => cloudformation::read_dir(root),
            IacFormat::AwsInventory => inventory::read_cli_dir(root),
            IacFormat::AwsConfig => inventory::read_config_dir(root),
            IacFormat::Kubernetes | IacFormat::Compose => read_dir(root),
        }
    }
}

impl fmt::Display for IacFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for IacFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "kubernetes" | "k8s" | "helm" => Ok(IacFormat::Kubernetes),
            "compose" | "docker-compose" => Ok(IacFormat::Compose),
            "terraform" | "tf" => Ok(IacFormat::Terraform),
            "cloudformation" | "cfn" => Ok(IacFormat::CloudFormation),
            "aws-inventory" | "aws-cli" => Ok(IacFormat::AwsInventory),
            "aws-config" | "config-snapshot" => Ok(IacFormat::AwsConfig),
            other => Err(format!(
                "unknown infrastructure-as-code format `{other}`; expected kubernetes, compose, terraform, \
                 cloudformation, aws-inventory or aws-config"
            )),
        }
    }
}

/// Which format `text` is written in, by a cheap look at its top-level keys
/// and file name; never parses.
///
/// Compose: a top-level `services:` in a file named like a compose file
/// (`compose.yaml`, `docker-compose.override.yml`), or anywhere when the
/// text also has no `apiVersion:`. Kubernetes: top-level `apiVersion:` and
/// `kind:` keys (in any of the documents). Terraform: a `.tf` or `.tfvars`
/// file, or JSON with the keys of `terraform show -json`. CloudFormation:
/// a top-level `AWSTemplateFormatVersion`, or `Resources` with `Type:
/// AWS::...` entries. AWS Config: JSON with `configurationItems`. AWS
/// inventory: a `.json` file named after an AWS CLI call the importer
/// reads (`ec2-describe-vpcs.json`).
pub fn detect(file_name: &str, text: &str) -> Option<IacFormat> {
    if terraform::is_terraform_file(file_name, text) {
        return Some(IacFormat::Terraform);
    }
    if inventory::is_config_snapshot(text) {
        return Some(IacFormat::AwsConfig);
    }
    if inventory::is_cli_output(file_name, text) {
        return Some(IacFormat::AwsInventory);
    }
    let services = has_top_level_key(text, "services");
    if services && (is_compose_file_name(file_name) || !has_top_level_key(text, "apiVersion")) {
        return Some(IacFormat::Compose);
    }
    if has_top_level_key(text, "apiVersion") && has_top_level_key(text, "kind") {
        return Some(IacFormat::Kubernetes);
    }
    if cloudformation::is_template(text) {
        return Some(IacFormat::CloudFormation);
    }
    None
}

/// Whether a file name is one `docker compose` reads by default or as an
/// override: `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yaml`.
pub fn is_compose_file_name(file_name: &str) -> bool {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).to_ascii_lowercase();
    let stem = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml"));
    stem.is_some_and(|stem| stem == "compose" || stem.starts_with("compose.") || stem.starts_with("docker-compose"))
}

/// The files of the directory tree `root` as `rampart import DIR` reads
/// them: those of `format`'s kind when it is named, else, by a look at the
/// top of the tree, a Terraform root module (`.tf` files), an AWS CLI
/// inventory, or YAML files (manifests or compose files). Paths are
/// relative to `root`. The server reads an uploaded archive of a directory
/// the same way, once unpacked.
pub fn read_tree(root: &Path, format: Option<IacFormat>) -> std::io::Result<Vec<SourceFile>> {
    let format = match format {
        // Templates are also written as .json and .template files.
        Some(format @ (IacFormat::CloudFormation | IacFormat::AwsInventory | IacFormat::AwsConfig)) => format,
        _ if is_terraform_dir(root) => IacFormat::Terraform,
        _ if is_aws_inventory_dir(root) => IacFormat::AwsInventory,
        _ => IacFormat::Kubernetes,
    };
    format.read_dir(root)
}

/// The one format `files` are written in, for `auto`: an error when none
/// is recognised or they mix formats.
pub fn detect_files(files: &[SourceFile]) -> Result<IacFormat, String> {
    let mut found: Vec<IacFormat> = files.iter().filter_map(|f| detect(&f.path, &f.text)).collect();
    found.sort_by_key(|format| format.name());
    found.dedup();
    match found.as_slice() {
        [format] => Ok(*format),
        [] => Err("cannot tell what these files are: not Kubernetes manifests, compose files, Terraform, \
             CloudFormation, AWS CLI outputs or an AWS Config snapshot, nor a model of another threat-modeling \
             tool; name the format"
            .to_string()),
        _ => Err("the files mix formats (Kubernetes manifests, compose files, Terraform, CloudFormation, AWS \
             inventories); import each with its format"
            .to_string()),
    }
}

/// What an import of `format` reads of a directory's `files` (from
/// [`read_tree`]): for compose, the project's files (the compose file and
/// its overrides). An error, naming `shown` (the directory as the user
/// knows it) and what was expected, when nothing is left to read.
pub fn directory_files(format: IacFormat, files: Vec<SourceFile>, shown: &str) -> Result<Vec<SourceFile>, String> {
    let files = if format == IacFormat::Compose {
        let project = compose_project_files(&files);
        if project.is_empty() {
            return Err(format!("`{shown}` has no compose.yaml or docker-compose.yml; name the compose file itself"));
        }
        project
    } else {
        files
    };
    if files.is_empty() {
        let wanted = match format {
            IacFormat::Terraform => ".tf file or plan JSON",
            IacFormat::CloudFormation => "CloudFormation template",
            IacFormat::Kubernetes | IacFormat::Compose => ".yaml or .yml file",
            IacFormat::AwsInventory => ".json output of an AWS CLI call",
            IacFormat::AwsConfig => "AWS Config snapshot",
        };
        return Err(format!("`{shown}` holds no {wanted}"));
    }
    Ok(files)
}

/// The files `docker compose` reads in a project directory by default: the
/// first of `compose.yaml`, `compose.yml`, `docker-compose.yaml`,
/// `docker-compose.yml`, then its `.override` file, in that order (the
/// override merges over the base). Files in subdirectories are not part of
/// the project.
pub fn compose_project_files(files: &[SourceFile]) -> Vec<SourceFile> {
    let bases = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
    let Some(base) = bases.iter().find_map(|name| files.iter().find(|f| f.path == *name)) else {
        return Vec::new();
    };
    let (stem, extension) = base.path.rsplit_once('.').unwrap_or((&base.path, "yml"));
    let overrides =
        [format!("{stem}.override.{extension}"), format!("{stem}.override.yml"), format!("{stem}.override.yaml")];
    let mut project = vec![base.clone()];
    project.extend(overrides.iter().find_map(|name| files.iter().find(|f| f.path == *name)).cloned());
    project
}

/// The project name a compose file sets with a top-level `name:`, if any:
/// a better model name than the directory's.
pub fn compose_project_name(files: &[SourceFile]) -> Option<String> {
    files.iter().find_map(|file| {
        file.text.lines().find_map(|line| {
            let value = line.strip_prefix("name:")?.split(" #").next()?.trim().trim_matches(['"', '\'']);
            (!value.is_empty() && !value.contains('$')).then(|| value.to_string())
        })
    })
}

fn has_top_level_key(text: &str, key: &str) -> bool {
    text.lines()
        .any(|line| line.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':')))
}

/// Whether a directory holds a Terraform root module: a `.tf` file at its top.
pub fn is_terraform_dir(root: &Path) -> bool {
    terraform::is_terraform_dir(root)
}

/// Builds a model from Terraform: the `.tf` files at the top of the input
/// (the root module), the local modules they call and the variable values
/// in `terraform.tfvars` and `*.auto.tfvars`; or, when there is no `.tf`
/// file at the top, the JSON of `terraform show -json` (a plan or a state).
///
/// Fails when a file is not valid HCL or JSON (all such files are
/// reported, with line and column); everything else that cannot be
/// modelled is a warning.
pub fn import_terraform(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    terraform::import(name, files)
}

/// Builds a model from CloudFormation templates (YAML with short-form
/// intrinsic tags such as `!Ref`, or JSON). Parameters take their
/// defaults, mappings and conditions are evaluated where their inputs are
/// known, and each resource is read as the Terraform importer reads the
/// same AWS resource.
///
/// Fails when a file is not valid YAML or JSON (all such files are
/// reported, with line and column); everything else is a warning.
pub fn import_cloudformation(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    cloudformation::import(name, files)
}

/// Whether a directory holds an AWS CLI inventory: at its top, the output
/// of an AWS CLI call the importer reads (`ec2-describe-vpcs.json`).
pub fn is_aws_inventory_dir(root: &Path) -> bool {
    inventory::is_cli_dir(root)
}

/// Builds a model from a directory of AWS CLI outputs (as
/// `scripts/collect-aws-inventory.sh` writes them): each file the JSON of
/// one read-only call, named after it. Each AWS object is read as the
/// Terraform importer reads the same resource in a state.
///
/// Fails when a file is not JSON (all such files are reported, with line
/// and column); unknown files, calls that failed when collected and
/// everything else that cannot be modelled are warnings.
pub fn import_aws_inventory(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    inventory::import_cli(name, files)
}

/// Builds a model from an AWS Config configuration snapshot (the JSON that
/// `aws configservice deliver-config-snapshot` writes to S3, uncompressed).
///
/// Fails when a file is not JSON (with line and column); resource types
/// that are not modelled are warnings, one per type.
pub fn import_aws_config(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    inventory::import_config(name, files)
}

/// Builds a model from Kubernetes manifests: multi-document YAML files, a
/// `kind: List`, or the output of `helm template`.
///
/// Fails only when a file is not valid YAML (all such files are reported);
/// everything else that cannot be modelled is a warning.
pub fn import_kubernetes(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    kubernetes::import(name, files)
}

/// Builds a model from docker-compose files. Several files are merged as
/// `docker compose -f a -f b` would, service by service (a later file's
/// keys replace an earlier one's).
pub fn import_compose(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    compose::import(name, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_tells_manifests_from_compose_files() {
        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
        let compose = "services:\n  web:\n    image: nginx\n";
        assert_eq!(detect("web.yaml", manifest), Some(IacFormat::Kubernetes));
        assert_eq!(detect("docker-compose.yml", compose), Some(IacFormat::Compose));
        assert_eq!(detect("stack.yml", compose), Some(IacFormat::Compose));
        assert_eq!(detect("values.yaml", "replicaCount: 2\nimage:\n  tag: x\n"), None);
        assert_eq!(detect("model.yaml", "rampart: 1\nname: x\n"), None);
        assert_eq!(detect("main.tf", "resource \"aws_vpc\" \"main\" {}\n"), Some(IacFormat::Terraform));
        let plan = r#"{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{}}}"#;
        assert_eq!(detect("plan.json", plan), Some(IacFormat::Terraform));
        assert_eq!(detect("model.json", r#"{"rampart": 1}"#), None);
        let template = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
        assert_eq!(detect("stack.yaml", template), Some(IacFormat::CloudFormation));
        let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n";
        assert_eq!(detect("template.yml", sam), Some(IacFormat::CloudFormation));
        let json = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#;
        assert_eq!(detect("stack.json", json), Some(IacFormat::CloudFormation));
        assert_eq!(detect("ec2-describe-vpcs.json", r#"{"Vpcs": []}"#), Some(IacFormat::AwsInventory));
        assert_eq!(detect("ec2-describe-volumes.json", r#"{"Volumes": []}"#), None);
        let snapshot = r#"{"fileVersion": "1.0", "configSnapshotId": "1", "configurationItems": []}"#;
        assert_eq!(detect("snapshot.json", snapshot), Some(IacFormat::AwsConfig));
        assert!(is_compose_file_name("deploy/docker-compose.prod.yaml"));
        assert!(is_compose_file_name("compose.yml"));
        assert!(!is_compose_file_name("composer.yaml"));
        assert!(!is_compose_file_name("docker-compose.txt"));
    }

    #[test]
    fn compose_projects_are_the_base_file_then_its_override() {
        let files: Vec<SourceFile> =
            ["docker-compose.override.yml", "docker-compose.prod.yml", "docker-compose.yml", "sub/compose.yaml"]
                .iter()
                .map(|path| SourceFile::new(*path, ""))
                .collect();
        let project: Vec<String> = compose_project_files(&files).into_iter().map(|f| f.path).collect();
        assert_eq!(project, ["docker-compose.yml", "docker-compose.override.yml"]);
        assert!(compose_project_files(&files[1..2]).is_empty());
    }

    #[test]
    fn compose_project_names_come_from_the_top_level_key() {
        let files = [SourceFile::new("compose.yaml", "services:\n  web:\n    name: no\nname: \"shop\" # the store\n")];
        assert_eq!(compose_project_name(&files).as_deref(), Some("shop"));
        assert_eq!(compose_project_name(&[SourceFile::new("compose.yaml", "name: ${PROJECT}\n")]), None);
    }

    #[test]
    fn formats_parse_from_their_names() {
        for format in IacFormat::ALL {
            assert_eq!(format.name().parse::<IacFormat>(), Ok(format));
        }
        assert_eq!("docker-compose".parse::<IacFormat>(), Ok(IacFormat::Compose));
        assert_eq!("tf".parse::<IacFormat>(), Ok(IacFormat::Terraform));
        assert_eq!("cfn".parse::<IacFormat>(), Ok(IacFormat::CloudFormation));
        assert_eq!("aws-inventory".parse::<IacFormat>(), Ok(IacFormat::AwsInventory));
        assert_eq!("aws-config".parse::<IacFormat>(), Ok(IacFormat::AwsConfig));
        assert!("pulumi".parse::<IacFormat>().is_err());
    }

    #[test]
    fn summary_reads_as_a_sentence() {
        let summary = Summary { files: 6, components: 9, actors: 1, flows: 11, boundaries: 3, data: 2 };
        assert_eq!(summary.to_string(), "imported 9 components, 11 flows, 3 boundaries from 6 files");
        let one = Summary { files: 1, components: 1, actors: 0, flows: 1, boundaries: 1, data: 0 };
        assert_eq!(one.to_string(), "imported 1 component, 1 flow, 1 boundary from 1 file");
    }
}
