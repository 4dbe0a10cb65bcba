//! The CISA Known Exploited Vulnerabilities catalog, as CISA publishes it
//! (`known_exploited_vulnerabilities.json`).

use rampart_model::Diagnostic;
use serde::Deserialize;

use crate::{IntelItem, cwe_number, technology_terms};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    #[allow(dead_code)] // required by the format; not used
    catalog_version: String,
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vulnerability {
    #[serde(rename = "cveID")]
    cve_id: String,
    product: String,
    vulnerability_name: String,
    #[serde(default)]
    date_added: Option<String>,
    #[serde(default)]
    cwes: Vec<String>,
}

pub fn read(text: &str) -> Result<Vec<IntelItem>, Vec<Diagnostic>> {
    let catalog: Catalog = rampart_model::parse::from_json(text).map_err(|d| vec![d])?;
    Ok(catalog
        .vulnerabilities
        .into_iter()
        .map(|vulnerability| IntelItem {
            source: "CISA KEV".to_string(),
            id: vulnerability.cve_id,
            name: vulnerability.vulnerability_name,
            // The product names the technology; the vendor alone ("Microsoft")
            // would match far more than the vulnerable product.
            technologies: technology_terms(&[&vulnerability.product]),
            cwe: vulnerability.cwes.iter().filter_map(|cwe| cwe_number(cwe)).collect(),
            capec: Vec::new(),
            attack: Vec::new(),
            date: vulnerability.date_added,
        })
        .collect())
}
