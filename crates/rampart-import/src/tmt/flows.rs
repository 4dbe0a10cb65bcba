//! Lines of a diagram: connectors become flows (a response folds into its
//! request), and line boundaries, which cannot hold elements, become
//! warnings naming the flows they cross.

use rampart_model::{Diagnostic, Flow};

use super::convert::{Converter, Mapped, UNATTACHED, describe, source};
use super::read::{Stencil, Surface};
use super::tables::{self, Fit};

impl Converter<'_> {
    /// Flows of one surface; line boundaries are reported with the flows
    /// that cross them.
    pub fn lines(&mut self, surface: &Surface) {
        let mut responses = Vec::new();
        for line in &surface.lines {
            match line.generic_type.as_str() {
                "GE.DF" => {
                    if let Some(index) = self.flow(line)
                        && line.type_id.ends_with(".Response")
                    {
                        responses.push((index, line.offset));
                    }
                }
                "GE.TB.L" => {}
                other => {
                    let what = format!("a line of generic type `{other}`");
                    self.warn(line.offset, format!("{what} (`{}`) is not imported", line.type_id));
                    self.by_guid.insert(line.guid.clone(), Mapped::Dropped(what));
                }
            }
        }
        self.fold_responses(responses);
        for line in surface.lines.iter().filter(|line| line.generic_type == "GE.TB.L") {
            self.line_boundary(line, surface);
        }
    }

    /// Adds the flow drawn by `line`; returns its index in the model's flows.
    fn flow(&mut self, line: &Stencil) -> Option<usize> {
        let name = line.name().unwrap_or("flow").to_string();
        let ends = line.line.as_ref().map(|ends| (ends.source.clone(), ends.target.clone())).unwrap_or_default();
        let from = self.end(line, &name, ends.0, "starts");
        let to = self.end(line, &name, ends.1, "ends");
        let (Some(from), Some(to)) = (from, to) else {
            self.by_guid.insert(line.guid.clone(), Mapped::Dropped(format!("flow `{name}`, which is not imported")));
            return None;
        };
        let id = self.allocate(&name, "flow", line.offset);
        let (protocol, encrypted) = self.protocol(line, &name, &to);
        let authentication = line.property("Source Authenticated").and_then(tables::authentication_from_text);
        let description = describe(line);
        self.model.flows.push(Flow {
            id: Some(self.located(id.clone(), line.offset)),
            name: Some(name),
            from: self.located(from, line.offset),
            to: self.located(to, line.offset),
            protocol: self.located(protocol, line.offset),
            authentication: authentication.unwrap_or_default(),
            encrypted,
            description,
            source: Some(source(&line.guid)),
            ..Flow::default()
        });
        self.by_guid.insert(line.guid.clone(), Mapped::Flow(id));
        Some(self.model.flows.len() - 1)
    }

    /// The actor or component id a line end is attached to.
    fn end(&mut self, line: &Stencil, name: &str, guid: Option<String>, verb: &str) -> Option<String> {
        let guid = guid.filter(|guid| guid != UNATTACHED);
        let Some(guid) = guid else {
            self.warn(
                line.offset,
                format!("flow `{name}` {verb} at no element (the line is not attached); not imported"),
            );
            return None;
        };
        match self.by_guid.get(&guid) {
            Some(Mapped::Actor(id) | Mapped::Component(id)) => Some(id.clone()),
            Some(Mapped::Boundary(id)) => {
                let message = format!("flow `{name}` {verb} at boundary `{id}`, not at an element; not imported");
                self.warn(line.offset, message);
                None
            }
            Some(Mapped::Flow(id)) => {
                self.warn(line.offset, format!("flow `{name}` {verb} at flow `{id}`; not imported"));
                None
            }
            Some(Mapped::Dropped(what)) => {
                let message = format!("flow `{name}` {verb} at {what}; not imported");
                self.warn(line.offset, message);
                None
            }
            None => {
                let at = self.at(line.offset);
                self.errors.push(Diagnostic::error(
                    at,
                    format!("flow `{name}` {verb} at element `{guid}`, which is not on any diagram of the model"),
                ));
                None
            }
        }
    }

    /// The flow's protocol: from its stencil type, a protocol property, or
    /// what its target is.
    fn protocol(&mut self, line: &Stencil, name: &str, to: &str) -> (String, Option<bool>) {
        let confidential = line.property("Provides Confidentiality").map(|value| value.eq_ignore_ascii_case("yes"));
        if let Some((protocol, fit)) = tables::flow_protocol(&line.type_id) {
            if fit != Fit::Exact {
                let type_name = line.type_name().unwrap_or(&line.type_id).to_string();
                self.warn(
                    line.offset,
                    format!(
                        "flow `{name}` (stencil `{type_name}`) has no exact Rampart protocol; imported as `{protocol}`"
                    ),
                );
            }
            return (protocol.to_string(), confidential);
        }
        let written = line
            .properties
            .iter()
            .find(|property| !property.header && property.display_name.to_ascii_lowercase().contains("protocol"))
            .and_then(|property| property.value.clone());
        if let Some(written) = written {
            match tables::protocol_from_text(&written) {
                Some(protocol) => return (protocol.to_string(), confidential),
                None => self.warn(
                    line.offset,
                    format!(
                        "flow `{name}` uses protocol `{written}`, which Rampart has no term for; imported as `https`"
                    ),
                ),
            }
            return ("https".to_string(), confidential);
        }
        let target_kind = self.model.components.iter().find(|c| c.id.value == to).map(|c| c.kind.value.as_str());
        let protocol = match target_kind {
            Some("relational-database" | "azure-sql-database" | "data-warehouse" | "document-database") => "sql",
            Some("cache" | "azure-cache-for-redis") => "redis",
            _ => "https",
        };
        (protocol.to_string(), confidential)
    }

    /// Folds each response flow into the request flow drawn the other way, or
    /// turns it round when there is none: a Rampart flow starts at the side
    /// that opens the exchange and covers the answer too.
    fn fold_responses(&mut self, responses: Vec<(usize, usize)>) {
        let response_indices: Vec<usize> = responses.iter().map(|(index, _)| *index).collect();
        let mut removed = Vec::new();
        for (index, offset) in responses {
            let Some(response) = self.model.flows.get(index) else { continue };
            let (from, to, id) = (response.from.value.clone(), response.to.value.clone(), response.id());
            let request = self.model.flows.iter().enumerate().find(|(other, flow)| {
                !response_indices.contains(other) && flow.from.value == to && flow.to.value == from
            });
            match request {
                Some((_, request)) => {
                    let request_id = request.id();
                    self.warn(
                        offset,
                        format!("response flow `{id}` is folded into request flow `{request_id}`, which covers both directions"),
                    );
                    for mapped in self.by_guid.values_mut() {
                        if *mapped == Mapped::Flow(id.clone()) {
                            *mapped = Mapped::Flow(request_id.clone());
                        }
                    }
                    removed.push(index);
                }
                None => {
                    if let Some(flow) = self.model.flows.get_mut(index) {
                        std::mem::swap(&mut flow.from, &mut flow.to);
                    }
                    self.warn(
                        offset,
                        format!(
                            "response flow `{id}` has no request flow; turned round to start at `{to}`, which asks"
                        ),
                    );
                }
            }
        }
        removed.sort_unstable();
        for index in removed.into_iter().rev() {
            if index < self.model.flows.len() {
                self.model.flows.remove(index);
            }
        }
    }

    /// A line boundary cannot hold elements: warn, naming the flows it crosses.
    fn line_boundary(&mut self, line: &Stencil, surface: &Surface) {
        let name = line.name().unwrap_or("trust line").to_string();
        let crossing: Vec<String> = surface
            .lines
            .iter()
            .filter(|flow| flow.generic_type == "GE.DF")
            .filter(|flow| match (&line.line, &flow.line) {
                (Some(boundary), Some(path)) => polylines_cross(&boundary.points, &path.points),
                _ => false,
            })
            .filter_map(|flow| match self.by_guid.get(&flow.guid) {
                Some(Mapped::Flow(id)) => Some(format!("`{id}`")),
                _ => None,
            })
            .collect();
        let crossed = if crossing.is_empty() {
            String::new()
        } else {
            let mut crossing = crossing;
            crossing.dedup();
            format!("; it crosses flows {}", crossing.join(", "))
        };
        self.warn(
            line.offset,
            format!(
                "line boundary `{name}` is not imported: it cannot hold elements; draw a boundary box instead{crossed}"
            ),
        );
        self.by_guid.insert(line.guid.clone(), Mapped::Dropped(format!("line boundary `{name}`")));
    }
}

/// Whether two polylines cross (share a point of some pair of segments).
fn polylines_cross(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    a.windows(2).any(|first| b.windows(2).any(|second| segments_cross(first, second)))
}

fn segments_cross(first: &[(f64, f64)], second: &[(f64, f64)]) -> bool {
    let (Some(&p1), Some(&p2), Some(&q1), Some(&q2)) = (first.first(), first.get(1), second.first(), second.get(1))
    else {
        return false;
    };
    let side = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
    let d1 = side(q1, q2, p1);
    let d2 = side(q1, q2, p2);
    let d3 = side(p1, p2, q1);
    let d4 = side(p1, p2, q2);
    (d1 * d2 < 0.0) && (d3 * d4 < 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_segments_are_detected() {
        assert!(polylines_cross(&[(0.0, 0.0), (10.0, 10.0)], &[(0.0, 10.0), (10.0, 0.0)]));
        assert!(!polylines_cross(&[(0.0, 0.0), (10.0, 0.0)], &[(0.0, 5.0), (10.0, 5.0)]));
        assert!(polylines_cross(&[(5.0, -5.0), (5.0, 0.0), (5.0, 20.0)], &[(0.0, 10.0), (3.0, 10.0), (10.0, 10.0)]));
    }
}
