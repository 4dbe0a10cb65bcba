//! A model's own threats (`custom_threats:`): raised, scored, tracked and
//! reported like the library's, and checked with positions like the rest of
//! the model.

mod common;
use common::{rampart, scratch, stderr, stdout, write};

fn ecommerce() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/ecommerce.yaml")).expect("example")
}

/// The e-commerce example with custom threats on an element, a flow, a data
/// asset and the whole model, one of them tracked as mitigated.
fn with_custom_threats() -> String {
    let mut model = ecommerce();
    model.push_str(
        r#"
custom_threats:
  - id: coupon-stacking
    title: Coupons stacked beyond the intended discount
    description: A buyer applies the same coupon to several baskets in parallel.
    targets: [checkout-api, browse]
    stride: [tampering]
    cwe: [362]
    likelihood: 4
    impact: 4
    countermeasures: [parameterized-queries]
    mitigations: [Lock the basket while a coupon is applied]
  - id: catalogue-scraping
    title: Competitors scrape the product catalogue
    targets: [product-catalogue]
    stride: [information-disclosure]
  - id: single-region
    title: The shop runs in one cloud region
    stride: [denial-of-service]
    likelihood: 2
    impact: 5
"#,
    );
    model
}

fn threats(json: &serde_json::Value) -> Vec<&serde_json::Value> {
    json["threats"].as_array().expect("threats").iter().collect()
}

#[test]
fn custom_threats_are_raised_on_each_target_and_scored() {
    let dir = scratch("raised");
    let path = write(&dir, "shop.yaml", &with_custom_threats());
    let output = rampart(&["analyze", &path, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let all = threats(&json);
    let find = |id: &str| all.iter().find(|t| t["id"] == id).copied().unwrap_or_else(|| panic!("no {id}"));

    let on_api = find("coupon-stacking@checkout-api");
    assert_eq!(on_api["title"], "Coupons stacked beyond the intended discount");
    assert_eq!(on_api["target"]["kind"], "element");
    assert_eq!(on_api["stride"][0], "tampering");
    assert_eq!(on_api["cwe"][0], 362);
    // Its one countermeasure is in place on checkout-api, so it is mitigated there.
    assert_eq!(on_api["status"], "mitigated");
    assert!(on_api["because"][0].as_str().unwrap().contains("lists this threat against `checkout-api`"));

    let on_flow = find("coupon-stacking@browse");
    assert_eq!(on_flow["target"]["kind"], "flow");
    assert_eq!(on_flow["status"], "open");
    assert_eq!(on_flow["inherent"]["likelihood"], on_api["inherent"]["likelihood"]);

    assert_eq!(find("catalogue-scraping@product-catalogue")["target"]["kind"], "data");
    let model_wide = find("single-region@model");
    assert_eq!(model_wide["target"]["kind"], "model");
    assert!(model_wide["because"][0].as_str().unwrap().contains("custom_threats"));
    // Not raised anywhere else.
    assert_eq!(all.iter().filter(|t| t["rule"] == "coupon-stacking").count(), 2);
}

#[test]
fn custom_threats_are_tracked_like_any_other() {
    let dir = scratch("tracked");
    // The example ends with its `threats:` list; the entry joins it.
    let entry = "\nthreats:\n  - threat: catalogue-scraping@product-catalogue\n    status: accepted\n    justification: Prices are public anyway\n    expires: 2027-01-01\n";
    let model = with_custom_threats().replacen("\nthreats:\n", entry, 1);
    assert_ne!(model, with_custom_threats(), "the example has a threats: list");
    let path = write(&dir, "shop.yaml", &model);
    let output = rampart(&["analyze", &path, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let scraping =
        threats(&json).into_iter().find(|t| t["id"] == "catalogue-scraping@product-catalogue").expect("raised");
    assert_eq!(scraping["status"], "accepted");
    assert_eq!(scraping["tracking"]["justification"], "Prices are public anyway");
    assert!(!stderr(&output).contains("stale"), "{}", stderr(&output));

    // The Markdown report shows them with the library's threats.
    let output = rampart(&["analyze", &path, "--format", "markdown", "--today", "2026-06-01"]);
    let text = stdout(&output);
    assert!(text.contains("Coupons stacked beyond the intended discount"), "{text}");
    assert!(text.contains("Lock the basket while a coupon is applied"), "{text}");
}

#[test]
fn bad_custom_threats_are_errors_at_their_line() {
    let dir = scratch("invalid");
    let mut model = ecommerce();
    let first_line = model.lines().count() + 2;
    model.push_str(
        "\ncustom_threats:\n  - id: sql-injection\n    title: Clashes with a library rule\n  - id: ghost\n    title: Points nowhere\n    targets: [no-such-thing, production]\n    stride: [spoofin]\n    likelihood: 9\n",
    );
    let path = write(&dir, "shop.yaml", &model);
    let output = rampart(&["analyze", &path]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let errors = stderr(&output);
    for (line, message) in [
        (first_line + 1, "custom threat `sql-injection` has the id of a knowledge-base threat rule"),
        (first_line + 5, "custom threat `ghost` targets `no-such-thing`, which is not in the model"),
        (first_line + 5, "custom threat `ghost` targets boundary `production`"),
        (first_line + 6, "`spoofin` is not a STRIDE category"),
        (first_line + 7, "likelihood 9 is outside 1 to 5"),
    ] {
        assert!(errors.contains(message), "missing `{message}` in:\n{errors}");
        assert!(errors.contains(&format!("shop.yaml:{line}:")), "no position line {line} for `{message}`:\n{errors}");
    }
    assert!(errors.contains("did you mean `spoofing`?"), "{errors}");
}
