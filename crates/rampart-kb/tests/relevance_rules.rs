//! Context, not noise: a rule whose condition looks only at what an element
//! *is* (its type, traits or category), never at what it does, whom it talks
//! to or what data it handles, fires on every element of a kind. Such a rule
//! must say why in `unconditional_because`.

use rampart_kb::{ElementCond, FlowCond, Match};

fn element_uses_facts(condition: &ElementCond) -> bool {
    match condition {
        ElementCond::All(items) | ElementCond::Any(items) => items.iter().any(element_uses_facts),
        ElementCond::Not(inner) => element_uses_facts(inner),
        ElementCond::Kind(_) | ElementCond::Trait(_) | ElementCond::Category(_) => false,
        _ => true,
    }
}

fn flow_uses_facts(condition: &FlowCond) -> bool {
    match condition {
        FlowCond::All(items) | FlowCond::Any(items) => items.iter().any(flow_uses_facts),
        FlowCond::Not(inner) => flow_uses_facts(inner),
        FlowCond::From(inner) | FlowCond::To(inner) => element_uses_facts(inner),
        _ => true,
    }
}

#[test]
fn rules_that_ignore_the_model_facts_say_why() {
    let kb = rampart_kb::builtin().expect("the shipped library compiles");
    let unexplained: Vec<String> = kb
        .threats
        .iter()
        .filter(|threat| {
            let uses_facts = match &threat.applies_to {
                Match::Element(condition) => element_uses_facts(condition),
                Match::Flow(condition) => flow_uses_facts(condition),
                Match::Data(_) | Match::Model(_) => true,
            };
            !uses_facts && threat.unconditional_because.is_none()
        })
        .map(|threat| format!("{} ({})", threat.id, threat.source))
        .collect();
    assert!(
        unexplained.is_empty(),
        "these rules fire on every element of a kind; add facts to their condition or an `unconditional_because:`:\n{}",
        unexplained.join("\n")
    );
}

#[test]
fn the_check_tells_type_only_conditions_from_fact_conditions() {
    let kind_only = ElementCond::All(vec![ElementCond::Category(vec![]), ElementCond::Trait(Default::default())]);
    assert!(!element_uses_facts(&kind_only));
    let with_fact = ElementCond::All(vec![kind_only.clone(), ElementCond::ReachableFromUntrusted(true)]);
    assert!(element_uses_facts(&with_fact));
}
