//! Any bytes given to an infrastructure-as-code importer (Kubernetes,
//! compose, Terraform HCL and plan JSON, CloudFormation, AWS inventories)
//! must give a model or diagnostics with a file and position, never a panic
//! or a hang. The first byte picks the format and the file name it is read
//! under (`main.tf` and `plan.json` reach different Terraform readers).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_iac::{IacFormat, SourceFile};

const FILE_NAMES: [&str; 4] = ["main.tf", "plan.json", "template.yaml", "ec2-describe-instances.json"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let formats = IacFormat::ALL;
    let format = formats[usize::from(pick) % formats.len()];
    let name = FILE_NAMES[usize::from(pick / 16) % FILE_NAMES.len()];
    let _ = rampart_iac::detect(name, text);
    let _ = format.import("fuzz", &[SourceFile::new(name, text.to_string())]);
});
