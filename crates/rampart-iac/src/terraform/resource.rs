//! Resource instances as both readers produce them, and the index the
//! inference looks them up in.

use std::collections::{BTreeMap, HashMap};

use rampart_model::{Position, SourceRef};

use super::value::Value;

/// One instance of a managed resource: `module.network.aws_subnet.private[0]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resource {
    /// The full address, with module path and instance key.
    pub address: String,
    /// The resource type: `aws_subnet`.
    pub kind: String,
    /// The name in the configuration: `private`.
    pub name: String,
    /// The module path (`module.network`), empty for the root module.
    pub module: String,
    /// Attribute values; nested blocks are lists of maps.
    pub values: Value,
    pub file: String,
    /// Line of the `resource` block (or of the resource in a plan); 0 when unknown.
    pub line: u32,
    /// Lines of attributes and nested blocks, by dotted path
    /// (`environment.0.variables.DB_URL`, `ingress.1`).
    pub lines: BTreeMap<String, u32>,
}

impl Resource {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    pub fn path(&self, path: &str) -> Option<&Value> {
        self.values.path(path)
    }

    pub fn bool(&self, path: &str) -> Option<bool> {
        self.path(path).and_then(Value::bool)
    }

    pub fn text(&self, path: &str) -> Option<&str> {
        self.path(path).and_then(Value::literal)
    }

    /// Where the resource is written.
    pub fn source(&self) -> SourceRef {
        self.source_at("")
    }

    /// Where an attribute of the resource is written: its own line when the
    /// reader knows it (the longest known prefix of `path`), else the resource's.
    pub fn source_at(&self, path: &str) -> SourceRef {
        let line = self.line_of(path);
        SourceRef { file: self.file.clone(), line: (line > 0).then_some(line), resource: Some(self.address.clone()) }
    }

    pub fn line_of(&self, path: &str) -> u32 {
        let mut prefix = path;
        loop {
            if prefix.is_empty() {
                return self.line;
            }
            if let Some(line) = self.lines.get(prefix) {
                return *line;
            }
            prefix = prefix.rsplit_once('.').map_or("", |(head, _)| head);
        }
    }

    pub fn position(&self, path: &str) -> Position {
        match self.line_of(path) {
            0 => Position::UNKNOWN,
            line => Position::new(line, 1),
        }
    }

    /// The address without the instance key: `aws_subnet.private`.
    pub fn base_address(&self) -> &str {
        base_address(&self.address)
    }

    /// The instance key as written in the address (`0`, `"a"`), if any.
    pub fn instance_key(&self) -> Option<&str> {
        let base = self.base_address();
        self.address[base.len()..].strip_prefix('[').and_then(|rest| rest.strip_suffix(']'))
    }

    /// The provider that owns the type: `aws`, `azurerm`, `google`.
    pub fn provider(&self) -> &str {
        self.kind.split('_').next().unwrap_or_default()
    }
}

/// The address without its final instance key.
pub(crate) fn base_address(address: &str) -> &str {
    if address.ends_with(']')
        && let Some(open) = address.rfind('[')
    {
        return &address[..open];
    }
    address
}

/// Resources sorted by address, with the lookups the inference needs.
#[derive(Debug, Default)]
pub(crate) struct Estate {
    pub resources: Vec<Resource>,
    by_address: HashMap<String, usize>,
    by_base: HashMap<String, Vec<usize>>,
    /// Literal ids, ARNs and names (known in a state file or plan) → the
    /// resources that have them.
    by_identity: HashMap<String, Vec<usize>>,
}

/// Attributes whose literal value identifies a resource.
const IDENTITY_ATTRIBUTES: &[&str] = &["id", "arn", "name", "bucket", "self_link", "invoke_arn", "qualified_arn"];

impl Estate {
    pub fn new(mut resources: Vec<Resource>) -> Estate {
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        resources.dedup_by(|a, b| a.address == b.address);
        let mut estate = Estate { resources, ..Estate::default() };
        for (index, resource) in estate.resources.iter().enumerate() {
            estate.by_address.insert(resource.address.clone(), index);
            estate.by_base.entry(resource.base_address().to_string()).or_default().push(index);
            for attribute in IDENTITY_ATTRIBUTES {
                // Satellites of a bucket name it in their own `bucket` argument.
                if *attribute == "bucket" && resource.kind != "aws_s3_bucket" {
                    continue;
                }
                if let Some(identity) = resource.values.get(attribute).and_then(Value::literal)
                    && identity.len() > 2
                {
                    let holders = estate.by_identity.entry(identity.to_string()).or_default();
                    if !holders.contains(&index) {
                        holders.push(index);
                    }
                }
            }
        }
        estate
    }

    pub fn get(&self, index: usize) -> &Resource {
        &self.resources[index]
    }

    /// The instances an address names: itself, or every instance of a
    /// counted resource named without its key.
    pub fn resolve(&self, address: &str) -> Vec<usize> {
        if let Some(index) = self.by_address.get(address) {
            return vec![*index];
        }
        self.by_base.get(address).cloned().unwrap_or_default()
    }

    /// The resources a value points at: by reference, or by a literal id,
    /// ARN or name that one resource has. In order, without repeats.
    pub fn targets(&self, value: &Value) -> Vec<usize> {
        self.matching(value, None)
    }

    fn matching(&self, value: &Value, kinds: Option<&[&str]>) -> Vec<usize> {
        let wanted = |index: &usize| kinds.is_none_or(|kinds| kinds.contains(&self.resources[*index].kind.as_str()));
        let mut found: Vec<usize> = Vec::new();
        for reference in value.references() {
            for index in self.resolve(&reference.address) {
                if wanted(&index) && !found.contains(&index) {
                    found.push(index);
                }
            }
        }
        for text in value.strings() {
            let text = text.trim_end_matches("/*");
            let holders: Vec<usize> =
                self.by_identity.get(text).map(|h| h.iter().copied().filter(wanted).collect()).unwrap_or_default();
            if let [only] = holders.as_slice()
                && !found.contains(only)
            {
                found.push(*only);
            }
        }
        found
    }

    /// Targets of the given types only.
    pub fn targets_of(&self, value: &Value, kinds: &[&str]) -> Vec<usize> {
        self.matching(value, Some(kinds))
    }

    /// Instances of the given types, in address order.
    pub fn of_kind(&self, kinds: &[&str]) -> Vec<(usize, &Resource)> {
        self.resources.iter().enumerate().filter(|(_, resource)| kinds.contains(&resource.kind.as_str())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_base_and_key() {
        assert_eq!(base_address("module.net.aws_subnet.private[0]"), "module.net.aws_subnet.private");
        assert_eq!(base_address("aws_subnet.x[\"a\"]"), "aws_subnet.x");
        assert_eq!(base_address("aws_subnet.x"), "aws_subnet.x");
        let resource = Resource {
            address: "aws_subnet.x[\"a\"]".into(),
            kind: "aws_subnet".into(),
            name: "x".into(),
            module: String::new(),
            values: Value::Null,
            file: "main.tf".into(),
            line: 3,
            lines: BTreeMap::from([("tags".to_string(), 5)]),
        };
        assert_eq!(resource.instance_key(), Some("\"a\""));
        assert_eq!(resource.line_of("tags.Name"), 5);
        assert_eq!(resource.line_of("cidr_block"), 3);
    }
}
