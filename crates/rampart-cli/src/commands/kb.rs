//! `rampart kb`: browse the knowledge base the analysis uses.

use std::path::PathBuf;

use clap::Subcommand;
use rampart_kb::{KnowledgeBase, describe};

use crate::input::{fail, load_library};

/// Collects output in a String, written once at the end so that a closed
/// pipe (`rampart kb list | head`) ends the command quietly.
macro_rules! outln {
    () => { OUT.with(|out| out.borrow_mut().push('\n')) };
    ($($arg:tt)*) => { OUT.with(|out| { let mut out = out.borrow_mut(); out.push_str(&format!($($arg)*)); out.push('\n'); }) };
}

thread_local! {
    static OUT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: KbCommand,
    /// An extra library directory; may be repeated.
    #[arg(long = "library", value_name = "DIR", global = true)]
    pub libraries: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum KbCommand {
    /// List the threat rules.
    List,
    /// Explain a threat rule, countermeasure or component type.
    Show {
        /// Its id, e.g. `sql-injection`.
        id: String,
    },
    /// List the countermeasures and the standards they map to.
    Countermeasures,
    /// List the component and actor types models may use.
    Catalog,
    /// List capabilities, data formats, data categories, protocols and traits.
    Vocabulary,
    /// Write the library's reference documentation (Markdown) into a directory.
    Docs {
        #[arg(long, short, default_value = "docs/library")]
        output: PathBuf,
    },
    /// Count component types, threats, countermeasures and their mappings.
    Stats {
        /// `table` or `json`.
        #[arg(long, default_value = "table")]
        format: String,
    },
}

pub fn run(args: Args) -> u8 {
    let kb = match load_library(&args.libraries) {
        Ok(kb) => kb,
        Err(code) => return code,
    };
    let code = run_command(args.command, &kb);
    OUT.with(|out| crate::input::write_stdout(&out.borrow()));
    code
}

fn run_command(command: KbCommand, kb: &KnowledgeBase) -> u8 {
    match command {
        KbCommand::List => {
            outln!("{:<40}  {:<4}  {:<10}  TITLE", "ID", "L×I", "STRIDE");
            for threat in &kb.threats {
                let stride: String = threat.stride.iter().map(|s| s.label().chars().next().unwrap_or('?')).collect();
                outln!("{:<40}  {}×{}   {:<10}  {}", threat.id, threat.likelihood, threat.impact, stride, threat.title);
            }
            outln!(
                "\n{} threats, {} countermeasures, {} component types.",
                kb.threats.len(),
                kb.countermeasures.len(),
                kb.component_types.len()
            );
            crate::exit::OK
        }
        KbCommand::Show { id } => show(kb, &id),
        KbCommand::Docs { output } => {
            if let Err(error) = std::fs::create_dir_all(&output) {
                return fail(&format!("cannot create `{}`: {error}", output.display()));
            }
            let pages = rampart_kb::docs::pages(kb);
            for (name, text) in &pages {
                let path = output.join(name);
                if let Err(error) = std::fs::write(&path, text) {
                    return fail(&format!("cannot write `{}`: {error}", path.display()));
                }
            }
            eprintln!("wrote {} pages to {}", pages.len(), output.display());
            crate::exit::OK
        }
        KbCommand::Stats { format } => {
            let stats = rampart_kb::stats::stats(kb);
            match format.as_str() {
                "json" => match serde_json::to_string_pretty(&stats) {
                    Ok(text) => outln!("{text}"),
                    Err(error) => return fail(&format!("cannot encode the statistics: {error}")),
                },
                "table" => print_stats(&stats),
                other => return fail(&format!("unknown format `{other}`; expected `table` or `json`")),
            }
            crate::exit::OK
        }
        KbCommand::Countermeasures => {
            for c in &kb.countermeasures {
                outln!("{:<36}  {:<6}  {}", c.id, format!("{:?}", c.effectiveness).to_lowercase(), c.name);
                let mut standards = Vec::new();
                if !c.nist_800_53.is_empty() {
                    standards.push(format!("NIST 800-53 {}", c.nist_800_53.join(", ")));
                }
                if !c.asvs.is_empty() {
                    standards.push(format!("ASVS {}", c.asvs.join(", ")));
                }
                if !standards.is_empty() {
                    outln!("{:<36}  {}", "", standards.join(" · "));
                }
            }
            crate::exit::OK
        }
        KbCommand::Catalog => {
            let mut types: Vec<_> = kb.component_types.iter().collect();
            types.sort_by(|a, b| a.domain.cmp(&b.domain).then(a.id.cmp(&b.id)));
            let mut domain = "";
            for t in types {
                if t.domain != domain {
                    domain = &t.domain;
                    outln!("\n{domain}");
                }
                outln!("  {:<32}  {:<10}  {}", t.id, format!("{:?}", t.category).to_lowercase(), t.name);
            }
            crate::exit::OK
        }
        KbCommand::Vocabulary => {
            for (title, table) in [
                ("capabilities (components: capabilities)", &kb.capabilities),
                ("data formats (components: accepts)", &kb.data_formats),
                ("data categories (data: categories)", &kb.data_categories),
                ("protocols (flows: protocol)", &kb.protocols),
                ("traits (of catalog types, used by rules)", &kb.traits),
            ] {
                outln!("{title}");
                for (name, description) in table.names.iter().zip(&table.descriptions) {
                    outln!("  {name:<28}  {description}");
                }
                outln!();
            }
            crate::exit::OK
        }
    }
}

fn show(kb: &KnowledgeBase, id: &str) -> u8 {
    if let Some(threat) = kb.threat(id) {
        outln!("{} — {}\n", threat.id, threat.title);
        outln!("{}\n", threat.description.trim());
        let stride: Vec<&str> = threat.stride.iter().map(|s| s.label()).collect();
        outln!("STRIDE:        {}", stride.join(", "));
        outln!("CWE:           {}", threat.cwe.iter().map(|c| format!("CWE-{c}")).collect::<Vec<_>>().join(", "));
        outln!("CAPEC:         {}", threat.capec.iter().map(|c| format!("CAPEC-{c}")).collect::<Vec<_>>().join(", "));
        outln!("ATT&CK:        {}", threat.attack.join(", "));
        outln!("Base risk:     likelihood {} × impact {}", threat.likelihood, threat.impact);
        outln!("Applies to:    {}", describe::applies_to(&threat.applies_to, kb));
        outln!("Countermeasures:");
        for &index in &threat.countermeasures {
            let c = &kb.countermeasures[index];
            outln!("  - {} (`{}`): {}", c.name, c.id, c.description);
        }
        if !threat.references.is_empty() {
            outln!("References:");
            for reference in &threat.references {
                outln!("  - {reference}");
            }
        }
        outln!("Defined in:    {}", threat.source);
        return crate::exit::OK;
    }
    if let Some(index) = kb.countermeasure(id) {
        let c = &kb.countermeasures[index];
        outln!("{} — {}\n\n{}\n", c.id, c.name, c.description);
        outln!("Effectiveness: {:?}", c.effectiveness);
        for (label, refs) in [
            ("NIST 800-53", &c.nist_800_53),
            ("OWASP ASVS", &c.asvs),
            ("ISO 27001", &c.iso_27001),
            ("PCI DSS", &c.pci_dss),
        ] {
            if !refs.is_empty() {
                outln!("{label:<14} {}", refs.join(", "));
            }
        }
        let answers: Vec<&str> =
            kb.threats.iter().filter(|t| t.countermeasures.contains(&index)).map(|t| t.id.as_str()).collect();
        outln!("Answers:       {}", answers.join(", "));
        return crate::exit::OK;
    }
    if let Some(index) = kb.component_type(id) {
        let t = &kb.component_types[index];
        outln!("{} — {} ({:?}, {})\n\n{}\n", t.id, t.name, t.category, t.domain, t.description);
        let names = |set: &rampart_kb::BitSet, table: &rampart_kb::TermTable| -> String {
            set.ones().filter_map(|i| table.names.get(i).cloned()).collect::<Vec<_>>().join(", ")
        };
        outln!("Traits:        {}", names(&t.traits, &kb.traits));
        outln!("Capabilities:  {}", names(&t.capabilities, &kb.capabilities));
        outln!("Accepts:       {}", names(&t.accepts, &kb.data_formats));
        return crate::exit::OK;
    }
    let mut known: Vec<&str> = kb.threats.iter().map(|t| t.id.as_str()).collect();
    known.extend(kb.countermeasures.iter().map(|c| c.id.as_str()));
    known.extend(kb.component_types.iter().map(|t| t.id.as_str()));
    match rampart_model::diagnostic::nearest(id, known) {
        Some(best) => fail(&format!("no threat, countermeasure or component type `{id}`; did you mean `{best}`?")),
        None => fail(&format!("no threat, countermeasure or component type `{id}`; `rampart kb list` lists them")),
    }
}

fn print_stats(stats: &rampart_kb::stats::Stats) {
    outln!("component types   {}", stats.component_types);
    for (domain, count) in &stats.component_types_by_domain {
        outln!("  {domain:<20} {count}");
    }
    outln!("threats           {}", stats.threats);
    for (domain, count) in &stats.threats_by_domain {
        outln!("  {domain:<20} {count}");
    }
    outln!(
        "countermeasures   {} ({} with implementation guidance)",
        stats.countermeasures,
        stats.countermeasures_with_guidance
    );
    outln!("\nmappings               entries   links   distinct ids");
    for (name, mapping) in stats.threat_mappings.iter().chain(&stats.countermeasure_mappings) {
        outln!("  {name:<20} {:>7} {:>7} {:>14}", mapping.entries, mapping.links, mapping.distinct_ids);
    }
}
