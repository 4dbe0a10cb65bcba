//! Plain-English descriptions of compiled conditions, for `rampart kb show`
//! and for explaining why a negated condition held.

use fixedbitset::FixedBitSet;

use crate::library::*;

fn names(set: &FixedBitSet, table: &[String]) -> String {
    let listed: Vec<String> = set.ones().filter_map(|i| table.get(i)).map(|name| format!("`{name}`")).collect();
    join_or(&listed)
}

fn join_or(items: &[String]) -> String {
    match items.len() {
        0 => String::from("nothing"),
        1 => items[0].clone(),
        _ => format!("{} or {}", items[..items.len() - 1].join(", "), items[items.len() - 1]),
    }
}

fn debug_names<T: std::fmt::Debug>(values: &[T]) -> String {
    let listed: Vec<String> = values.iter().map(|value| format!("`{}`", kebab(&format!("{value:?}")))).collect();
    join_or(&listed)
}

/// `InformationDisclosure` → `information-disclosure`: enum variant names
/// as the model format writes them.
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (index, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if index > 0 {
                out.push('-');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn combine(word: &str, parts: Vec<String>) -> String {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    format!("({})", parts.join(&format!(" {word} ")))
}

fn kind_names(kb: &KnowledgeBase) -> Vec<String> {
    kb.component_types.iter().map(|t| t.id.clone()).collect()
}

fn control_names(kb: &KnowledgeBase) -> Vec<String> {
    kb.countermeasures.iter().map(|c| c.id.clone()).collect()
}

pub fn element(condition: &ElementCond, kb: &KnowledgeBase) -> String {
    match condition {
        ElementCond::Listed(ids) => format!("is {}", listed(ids)),
        ElementCond::All(items) => combine("and", items.iter().map(|c| element(c, kb)).collect()),
        ElementCond::Any(items) => combine("or", items.iter().map(|c| element(c, kb)).collect()),
        ElementCond::Not(inner) => negated_element(inner, kb),
        ElementCond::Kind(set) => format!("is of type {}", names(set, &kind_names(kb))),
        ElementCond::Trait(set) => format!("has the trait {}", names(set, &kb.traits.names)),
        ElementCond::Category(values) => format!("is in category {}", debug_names(values)),
        ElementCond::Capability(set) => format!("can {}", names(set, &kb.capabilities.names)),
        ElementCond::Accepts(set) => format!("accepts {}", names(set, &kb.data_formats.names)),
        ElementCond::Exposure(values) => format!("is exposed to {}", debug_names(values)),
        ElementCond::ReachableFromUntrusted(true) => "is reachable from a less trusted zone".to_string(),
        ElementCond::ReachableFromUntrusted(false) => {
            "is reachable only from its own or more trusted zones".to_string()
        }
        ElementCond::ZoneTrust(values) => format!("sits in a {} zone", debug_names(values)),
        ElementCond::Technology(values) => {
            format!("runs {}", join_or(&values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>()))
        }
        ElementCond::Stores(inner) => format!("stores data that {}", data(inner, kb)),
        ElementCond::Handles(inner) => format!("handles data that {}", data(inner, kb)),
        ElementCond::Inbound(inner) => format!("receives a flow that {}", flow(inner, kb)),
        ElementCond::Outbound(inner) => format!("sends a flow that {}", flow(inner, kb)),
        ElementCond::HasControl(set) => format!("has control {}", names(set, &control_names(kb))),
    }
}

pub fn flow(condition: &FlowCond, kb: &KnowledgeBase) -> String {
    match condition {
        FlowCond::Listed(ids) => format!("is {}", listed(ids)),
        FlowCond::All(items) => combine("and", items.iter().map(|c| flow(c, kb)).collect()),
        FlowCond::Any(items) => combine("or", items.iter().map(|c| flow(c, kb)).collect()),
        FlowCond::Not(inner) => negated_flow(inner, kb),
        FlowCond::Protocol(set) => format!("uses {}", names(set, &kb.protocols.names)),
        FlowCond::Encrypted(true) => "is encrypted".to_string(),
        FlowCond::Encrypted(false) => "is not encrypted".to_string(),
        FlowCond::Authentication(values) => format!("authenticates with {}", debug_names(values)),
        FlowCond::Authorization(values) => format!("authorizes with {}", debug_names(values)),
        FlowCond::CrossesBoundary(true) => "crosses a trust boundary".to_string(),
        FlowCond::CrossesBoundary(false) => "stays within one trust boundary".to_string(),
        FlowCond::FromLessTrusted(true) => "comes from a less trusted zone".to_string(),
        FlowCond::FromLessTrusted(false) => "does not come from a less trusted zone".to_string(),
        FlowCond::From(inner) => format!("comes from something that {}", element(inner, kb)),
        FlowCond::To(inner) => format!("goes to something that {}", element(inner, kb)),
        FlowCond::Carries(inner) => format!("carries data that {}", data(inner, kb)),
        FlowCond::HasControl(set) => format!("has control {}", names(set, &control_names(kb))),
    }
}

pub fn data(condition: &DataCond, kb: &KnowledgeBase) -> String {
    match condition {
        DataCond::Listed(ids) => format!("is {}", listed(ids)),
        DataCond::All(items) => combine("and", items.iter().map(|c| data(c, kb)).collect()),
        DataCond::Any(items) => combine("or", items.iter().map(|c| data(c, kb)).collect()),
        DataCond::Not(inner) => format!("does not satisfy: {}", data(inner, kb)),
        DataCond::Category(set) => format!("is {}", names(set, &kb.data_categories.names)),
        DataCond::Confidentiality(rating) => {
            format!("has confidentiality {}", rating_text(*rating))
        }
        DataCond::Integrity(rating) => format!("has integrity {}", rating_text(*rating)),
        DataCond::Availability(rating) => format!("has availability {}", rating_text(*rating)),
        DataCond::StoredIn(inner) => format!("is stored in something that {}", element(inner, kb)),
        DataCond::CarriedBy(inner) => format!("is carried by a flow that {}", flow(inner, kb)),
    }
}

pub fn model(condition: &ModelCond, kb: &KnowledgeBase) -> String {
    match condition {
        ModelCond::All(items) => combine("and", items.iter().map(|c| model(c, kb)).collect()),
        ModelCond::Any(items) => combine("or", items.iter().map(|c| model(c, kb)).collect()),
        ModelCond::Not(inner) => format!("it is not the case that {}", model(inner, kb)),
        ModelCond::AnyElement(inner) => format!("some element {}", element(inner, kb)),
        ModelCond::AnyFlow(inner) => format!("some flow {}", flow(inner, kb)),
        ModelCond::AnyData(inner) => format!("some data asset {}", data(inner, kb)),
        ModelCond::HasControl(set) => format!("the model has control {}", names(set, &control_names(kb))),
    }
}

pub fn applies_to(rule: &Match, kb: &KnowledgeBase) -> String {
    match rule {
        Match::Element(condition) => format!("each element that {}", element(condition, kb)),
        Match::Flow(condition) => format!("each flow that {}", flow(condition, kb)),
        Match::Data(condition) => format!("each data asset that {}", data(condition, kb)),
        Match::Model(condition) => format!("the model, when {}", model(condition, kb)),
    }
}

/// `` `a` ``, or `` one of `a`, `b` ``: the targets a custom threat names.
fn listed(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

fn rating_text(rating: rampart_model::Rating) -> String {
    format!("{} or above", kebab(&format!("{rating:?}")))
}

/// The negation of an element condition, phrased for a reader.
pub fn negated_element(condition: &ElementCond, kb: &KnowledgeBase) -> String {
    match condition {
        ElementCond::Kind(set) => format!("is not of type {}", names(set, &kind_names(kb))),
        ElementCond::Trait(set) => format!("does not have the trait {}", names(set, &kb.traits.names)),
        ElementCond::Capability(set) => format!("cannot {}", names(set, &kb.capabilities.names)),
        ElementCond::Accepts(set) => format!("does not accept {}", names(set, &kb.data_formats.names)),
        ElementCond::HasControl(set) => format!("lacks control {}", names(set, &control_names(kb))),
        ElementCond::Inbound(inner) => format!("receives no flow that {}", flow(inner, kb)),
        ElementCond::Outbound(inner) => format!("sends no flow that {}", flow(inner, kb)),
        ElementCond::Stores(inner) => format!("stores no data that {}", data(inner, kb)),
        ElementCond::Handles(inner) => format!("handles no data that {}", data(inner, kb)),
        other => format!("does not satisfy: {}", element(other, kb)),
    }
}

/// The negation of a flow condition, phrased for a reader.
pub fn negated_flow(condition: &FlowCond, kb: &KnowledgeBase) -> String {
    match condition {
        FlowCond::From(inner) => format!("does not come from something that {}", element(inner, kb)),
        FlowCond::To(inner) => format!("does not go to something that {}", element(inner, kb)),
        FlowCond::Protocol(set) => format!("does not use {}", names(set, &kb.protocols.names)),
        FlowCond::Carries(inner) => format!("carries no data that {}", data(inner, kb)),
        FlowCond::HasControl(set) => format!("lacks control {}", names(set, &control_names(kb))),
        FlowCond::Authentication(values) => format!("does not authenticate with {}", debug_names(values)),
        other => format!("does not satisfy: {}", flow(other, kb)),
    }
}
