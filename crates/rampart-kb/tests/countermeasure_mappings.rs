//! Every countermeasure is actionable and traceable: implementation guidance
//! for developers and at least one NIST SP 800-53 rev5 control; and every
//! threat links to countermeasures that exist.

#[test]
fn countermeasures_have_guidance_and_nist_controls() {
    let kb = rampart_kb::builtin().expect("the shipped library compiles");
    let mut problems = Vec::new();
    for countermeasure in &kb.countermeasures {
        if countermeasure.guidance.as_deref().is_none_or(|g| g.trim().len() < 40) {
            problems.push(format!("{}: no implementation guidance (or under 40 characters)", countermeasure.id));
        }
        if countermeasure.nist_800_53.is_empty() {
            problems.push(format!("{}: no NIST SP 800-53 control", countermeasure.id));
        }
        for control in &countermeasure.nist_800_53 {
            // Family code, number, optional enhancement: AC-6, IA-2(1), SC-7(5).
            let valid = control.split_once('-').is_some_and(|(family, rest)| {
                family.len() == 2
                    && family.bytes().all(|b| b.is_ascii_uppercase())
                    && rest.split('(').next().is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
            if !valid {
                problems.push(format!("{}: `{control}` is not a NIST SP 800-53 control id", countermeasure.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
