//! `rampart report`: CSV, XLSX and DefectDojo exports, read back the way a
//! spreadsheet or DefectDojo would.

use std::collections::BTreeSet;

use calamine::{Data, Reader, Xlsx, open_workbook};

mod common;
use common::{rampart, scratch, write};

const ECOMMERCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/ecommerce.yaml");
const TODAY: &str = "2025-01-01";

fn succeed(args: &[&str]) -> Vec<u8> {
    let output = rampart(args);
    assert!(output.status.success(), "rampart {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// The analysis as `analyze --format json` reports it, for comparison.
fn analysis(model: &str) -> serde_json::Value {
    serde_json::from_slice(&succeed(&["analyze", model, "--format", "json", "--today", TODAY])).expect("json")
}

fn threat_ids(analysis: &serde_json::Value) -> Vec<String> {
    analysis["threats"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

/// Distinct countermeasures of the rules that fired.
fn countermeasure_count(analysis: &serde_json::Value) -> usize {
    let rules = analysis["rules"].as_object().unwrap();
    let ids: BTreeSet<&str> = rules
        .values()
        .flat_map(|rule| rule["countermeasures"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.len()
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().expect("header").iter().map(str::to_string).collect();
    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("every record parses");
    (header, rows)
}

#[test]
fn csv_threats_has_one_row_per_threat() {
    let expected = threat_ids(&analysis(ECOMMERCE));
    assert!(!expected.is_empty());
    let (header, rows) = parse_csv(&succeed(&["report", ECOMMERCE, "--format", "csv", "--today", TODAY]));
    assert_eq!(header[0], "id");
    assert!(header.iter().any(|h| h == "countermeasures_missing"));
    assert!(rows.iter().all(|row| row.len() == header.len()));
    let ids: Vec<&str> = rows.iter().map(|row| &row[0]).collect();
    assert_eq!(ids, expected);
    // Severities are the engine's labels.
    let severity = header.iter().position(|h| h == "current_severity").unwrap();
    assert!(rows.iter().all(|row| ["low", "medium", "high", "critical"].contains(&&row[severity])));
}

#[test]
fn csv_countermeasures_table_has_one_row_per_countermeasure_of_fired_rules() {
    let expected = countermeasure_count(&analysis(ECOMMERCE));
    let dir = scratch("report-csv-countermeasures");
    let out = dir.join("countermeasures.csv");
    let out = out.to_str().unwrap();
    let printed = succeed(&[
        "report",
        ECOMMERCE,
        "--format",
        "csv",
        "--table",
        "countermeasures",
        "--today",
        TODAY,
        "--output",
        out,
    ]);
    assert!(printed.is_empty(), "with --output nothing goes to standard output");
    let (header, rows) = parse_csv(&std::fs::read(out).unwrap());
    assert_eq!(
        header,
        [
            "id",
            "name",
            "nist_800_53",
            "asvs",
            "iso_27001",
            "pci_dss",
            "guidance",
            "threats",
            "targets_present",
            "targets_missing"
        ]
    );
    assert_eq!(rows.len(), expected);
    for row in &rows {
        let threats: usize = row[7].parse().unwrap();
        let present: usize = row[8].parse().unwrap();
        let missing: usize = row[9].parse().unwrap();
        assert!(threats >= 1 && present + missing >= 1, "{row:?}");
    }
}

#[test]
fn xlsx_has_summary_threats_and_countermeasures_sheets() {
    let json = analysis(ECOMMERCE);
    let threats = threat_ids(&json);
    let dir = scratch("report-xlsx");
    let path = dir.join("ecommerce.xlsx");
    succeed(&["report", ECOMMERCE, "--format", "xlsx", "--today", TODAY, "--output", path.to_str().unwrap()]);

    let mut workbook: Xlsx<_> = open_workbook(&path).expect("a workbook calamine can open");
    assert_eq!(workbook.sheet_names(), ["Summary", "Threats", "Countermeasures"]);

    let sheet = workbook.worksheet_range("Threats").unwrap();
    assert_eq!(sheet.height(), threats.len() + 1, "header plus one row per threat");
    let ids: Vec<String> = sheet.rows().skip(1).map(|row| row[0].to_string()).collect();
    assert_eq!(ids, threats);
    // Numbers are numbers, not text.
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let score = header.iter().position(|h| h == "current_score").unwrap();
    assert!(sheet.rows().skip(1).all(|row| matches!(row[score], Data::Float(_))));

    let sheet = workbook.worksheet_range("Countermeasures").unwrap();
    assert_eq!(sheet.height(), countermeasure_count(&json) + 1);

    let sheet = workbook.worksheet_range("Summary").unwrap();
    let statuses = json["summary"]["by_status"].as_object().unwrap();
    assert_eq!(sheet.height(), 10 + statuses.len(), "model, count, severity table, status table");
    assert_eq!(sheet.get_value((1, 1)), Some(&Data::Float(threats.len() as f64)));
    let status_total: f64 = sheet
        .rows()
        .skip(10)
        .map(|row| match row[1] {
            Data::Float(n) => n,
            ref other => panic!("status count {other:?}"),
        })
        .sum();
    assert_eq!(status_total, threats.len() as f64);
}

#[test]
fn xlsx_needs_an_output_file() {
    let output = rampart(&["report", ECOMMERCE, "--format", "xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--output"));
}

#[test]
fn unknown_format_and_table_are_usage_errors() {
    assert_eq!(rampart(&["report", ECOMMERCE, "--format", "pdf"]).status.code(), Some(2));
    assert_eq!(rampart(&["report", ECOMMERCE, "--format", "csv", "--table", "x"]).status.code(), Some(2));
    let with_table = rampart(&["report", ECOMMERCE, "--format", "defectdojo", "--table", "countermeasures"]);
    assert_eq!(with_table.status.code(), Some(2));
}

/// Field names DefectDojo's Generic Findings Import (JSON) accepts; it
/// rejects a file with any other key.
const DEFECTDOJO_FIELDS: &[&str] = &[
    "title",
    "severity",
    "description",
    "date",
    "cwe",
    "cve",
    "cvssv3",
    "cvssv3_score",
    "mitigation",
    "impact",
    "steps_to_reproduce",
    "severity_justification",
    "references",
    "active",
    "verified",
    "false_p",
    "out_of_scope",
    "risk_accepted",
    "under_review",
    "is_mitigated",
    "mitigated",
    "line",
    "file_path",
    "component_name",
    "component_version",
    "static_finding",
    "dynamic_finding",
    "unique_id_from_tool",
    "vuln_id_from_tool",
    "tags",
];

#[test]
fn defectdojo_has_one_finding_per_threat() {
    let json = analysis(ECOMMERCE);
    let threats = json["threats"].as_array().unwrap();
    let document: serde_json::Value =
        serde_json::from_slice(&succeed(&["report", ECOMMERCE, "--format", "defectdojo", "--today", TODAY]))
            .expect("valid JSON");
    assert_eq!(document.as_object().unwrap().keys().collect::<Vec<_>>(), ["findings"]);
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), threats.len());
    for (finding, threat) in findings.iter().zip(threats) {
        for key in finding.as_object().unwrap().keys() {
            assert!(DEFECTDOJO_FIELDS.contains(&key.as_str()), "DefectDojo rejects the field `{key}`");
        }
        for required in ["title", "severity", "description"] {
            assert!(finding[required].as_str().is_some_and(|s| !s.is_empty()), "{required} of {finding}");
        }
        assert_eq!(finding["unique_id_from_tool"], threat["id"]);
        assert_eq!(finding["vuln_id_from_tool"], threat["rule"]);
        assert_eq!(finding["component_name"], threat["target"]["name"]);
        assert_eq!(finding["file_path"], ECOMMERCE);
        assert_eq!(finding["line"], threat["location"]["line"]);
        assert_eq!(finding["date"], TODAY);
        let severity = finding["severity"].as_str().unwrap();
        assert!(["Critical", "High", "Medium", "Low", "Info"].contains(&severity), "{severity}");
        assert_eq!(severity.to_lowercase(), threat["current"]["severity"].as_str().unwrap());
        match threat["cwe"].as_array().unwrap().first() {
            Some(first) => assert_eq!(&finding["cwe"], first),
            None => assert!(finding.get("cwe").is_none()),
        }
        let status = threat["status"].as_str().unwrap();
        assert_eq!(finding["is_mitigated"], status == "mitigated");
        assert_eq!(finding["false_p"], status == "false-positive");
        let expired = threat["tracking"]["expired"].as_bool().unwrap_or(false);
        assert_eq!(finding["risk_accepted"], status == "accepted" && !expired);
        assert_eq!(finding["active"], matches!(status, "open" | "in-progress") || expired);
        for tag in finding["tags"].as_array().unwrap() {
            assert!(!tag.as_str().unwrap().contains([' ', ',']), "DefectDojo tags take no spaces: {tag}");
        }
    }
}

const SHOP: &str = r#"rampart: 1
name: shop
boundaries:
  - id: dc
actors:
  - id: customer
components:
  - id: web
    name: '=Web, "front"'
    kind: web-app
    boundary: dc
    exposure: internet
    capabilities: [sql-queries]
  - id: db
    kind: relational-database
    boundary: dc
    stores: [orders]
data:
  - id: orders
    confidentiality: high
    integrity: high
flows:
  - from: customer
    to: web
    protocol: https
  - from: web
    to: db
    protocol: sql
    data: [orders]
"#;

#[test]
fn csv_header_and_first_rows() {
    let dir = scratch("report-csv-snapshot");
    let model = write(&dir, "shop.yaml", SHOP);
    let text = String::from_utf8(succeed(&["report", &model, "--format", "csv", "--today", TODAY])).unwrap();
    assert!(text.ends_with("\r\n"), "RFC 4180 records end with CRLF");
    let head: Vec<&str> = text.split("\r\n").take(4).collect();
    // The element named `=Web, "front"` shows guarded and quoted.
    assert!(text.contains(r#""'=Web, ""front"""#), "{text}");
    insta::assert_snapshot!(head.join("\n"));
}

/// A threat id as it appears in HTML text.
fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[test]
fn html_report_is_one_offline_page_with_every_threat() {
    let analysis = analysis(ECOMMERCE);
    let html = String::from_utf8(succeed(&["report", ECOMMERCE, "--format", "html", "--today", TODAY])).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for id in threat_ids(&analysis) {
        assert!(html.contains(&format!("<code>{}</code>", html_escaped(&id))), "{id} is in the report");
    }
    // Self-contained: nothing is fetched. Links stay inside the page, and the
    // only script is the report's own filter.
    assert!(!html.contains(" src="), "no external images or scripts");
    assert!(!html.contains("@import") && !html.contains("url(http"));
    for link in html.split("href=\"").skip(1) {
        assert!(link.starts_with('#'), "link leaves the page: {}", &link[..link.len().min(60)]);
    }
    assert_eq!(html.matches("<script").count(), 1);
    // The sections a reader expects, with the diagram drawn inline.
    for section in ["id=\"summary\"", "id=\"diagram\"", "id=\"threats\"", "id=\"targets\"", "id=\"compliance\""] {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains("<svg") && !html.contains("<?xml"));
    assert!(html.contains("NIST SP 800-53") && html.contains("OWASP ASVS"));
    assert!(html.contains("@media print"));
}

#[test]
fn html_report_escapes_what_the_model_says() {
    let dir = scratch("html-hostile");
    let model = write(
        &dir,
        "hostile.yaml",
        r#"rampart: 1
name: "<script>alert('name')</script>"
description: "</p><img src=x onerror=alert(1)>"
components:
  - id: api
    name: "<b onmouseover=alert(2)>API</b>"
    kind: rest-api
    exposure: internet
flows:
  - from: api
    to: api
    protocol: http
"#,
    );
    let html = String::from_utf8(succeed(&["report", &model, "--format", "html", "--today", TODAY])).unwrap();
    assert!(!html.contains("<script>alert"), "the model's name is not markup");
    assert!(!html.contains("<img src=x") && !html.contains("<b onmouseover"));
    assert!(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;b onmouseover=alert(2)&gt;API&lt;/b&gt;"));
    assert_eq!(html.matches("<script").count(), 1);
}

#[test]
fn gitlab_sast_report_lists_the_unresolved_threats() {
    let analysis = analysis(ECOMMERCE);
    let unresolved: Vec<&str> = analysis["threats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| matches!(t["status"].as_str(), Some("open" | "in-progress")))
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let report: serde_json::Value =
        serde_json::from_slice(&succeed(&["report", ECOMMERCE, "--format", "gitlab-sast", "--today", TODAY])).unwrap();
    assert!(report["version"].as_str().unwrap().starts_with("15."));
    assert_eq!(report["scan"]["type"], "sast");
    assert_eq!(report["scan"]["status"], "success");
    assert_eq!(report["scan"]["analyzer"]["id"], "rampart");
    assert_eq!(report["scan"]["scanner"]["vendor"]["name"], "Rampart");
    assert_eq!(report["scan"]["start_time"], format!("{TODAY}T00:00:00"));

    let vulnerabilities = report["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulnerabilities.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let (mut got, mut want) = (ids.clone(), unresolved.clone());
    got.sort();
    want.sort();
    assert_eq!(got, want, "exactly the unresolved threats, none of the mitigated or accepted ones");
    for vulnerability in vulnerabilities {
        assert!(["Critical", "High", "Medium", "Low"].contains(&vulnerability["severity"].as_str().unwrap()));
        let identifiers = vulnerability["identifiers"].as_array().unwrap();
        assert_eq!(identifiers[0]["type"], "rampart_threat");
        assert_eq!(identifiers[0]["value"], vulnerability["id"]);
        assert!(identifiers.iter().any(|i| i["type"] == "cwe" && i["url"].as_str().unwrap().contains("cwe.mitre.org")));
        let location = &vulnerability["location"];
        assert_eq!(location["file"], ECOMMERCE);
        assert!(location["start_line"].as_u64().unwrap() >= 1);
        assert_eq!(location["start_line"], location["end_line"]);
        assert!(!vulnerability["solution"].as_str().unwrap().is_empty());
    }
}

#[test]
fn pdf_needs_an_output_file() {
    let output = rampart(&["report", ECOMMERCE, "--format", "pdf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--output"));
}

/// The text of a PDF as `pdftotext` (Debian's poppler-utils) reads it back.
#[cfg(feature = "pdf")]
fn pdf_text(path: &std::path::Path) -> String {
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs: install poppler-utils (`make test` does)");
    assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_report_opens_and_holds_every_threat() {
    let dir = scratch("pdf");
    let pdf = dir.join("shop.pdf");
    succeed(&["report", ECOMMERCE, "--format", "pdf", "--output", pdf.to_str().unwrap(), "--today", TODAY]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    let analysis = analysis(ECOMMERCE);
    for threat in analysis["threats"].as_array().unwrap() {
        let title = threat["title"].as_str().unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&title), "the PDF shows `{title}`");
        assert!(text.contains(threat["id"].as_str().unwrap()), "and the id {}", threat["id"]);
    }
    assert!(text.contains("NIST SP 800-53"));
}
