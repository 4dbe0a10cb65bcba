//! Threat Dragon's threat vocabularies, severities and statuses in Rampart's
//! terms.

use rampart_model::Status;

/// The STRIDE category a Threat Dragon threat type stands for, and whether
/// the correspondence is exact. Threat Dragon's STRIDE diagrams use the six
/// words; CIA diagrams' properties map onto the STRIDE threat against them
/// (as STRIDE was derived from them); LINDDUN's "disclosure of information"
/// is STRIDE's. Other categories (LINDDUN's privacy threats, DIE, PLOT4ai)
/// have no STRIDE counterpart.
pub(super) fn stride_category(threat_type: &str) -> Option<(&'static str, bool)> {
    let words: String = threat_type
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    let mapped = match words.as_str() {
        "spoofing" => ("spoofing", true),
        "tampering" => ("tampering", true),
        "repudiation" => ("repudiation", true),
        "information disclosure" | "disclosure of information" => ("information-disclosure", true),
        "denial of service" => ("denial-of-service", true),
        "elevation of privilege" | "elevation of privileges" => ("elevation-of-privilege", true),
        "confidentiality" => ("information-disclosure", false),
        "integrity" => ("tampering", false),
        "availability" => ("denial-of-service", false),
        _ => return None,
    };
    Some(mapped)
}

/// Likelihood and impact (both the same, as Threat Dragon rates a threat with
/// one severity) for a severity; `Some(None)` for "not rated".
pub(crate) fn severity_score(severity: &str) -> Option<Option<u8>> {
    match severity.trim().to_ascii_lowercase().as_str() {
        "" | "tbd" | "none" => Some(None),
        "low" => Some(Some(2)),
        "medium" => Some(Some(3)),
        "high" => Some(Some(4)),
        "critical" => Some(Some(5)),
        _ => None,
    }
}

/// Rampart's status for a Threat Dragon threat status.
pub(super) fn status(status: &str) -> Option<Status> {
    let compact: String =
        status.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    match compact.as_str() {
        "open" => Some(Status::Open),
        "mitigated" => Some(Status::Mitigated),
        "notapplicable" | "na" => Some(Status::FalsePositive),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threat_types_map_to_stride() {
        assert_eq!(stride_category("Information disclosure"), Some(("information-disclosure", true)));
        assert_eq!(stride_category("Denial of service"), Some(("denial-of-service", true)));
        assert_eq!(stride_category("Integrity"), Some(("tampering", false)));
        assert_eq!(stride_category("Linkability"), None);
    }

    #[test]
    fn severities_and_statuses_map() {
        assert_eq!(severity_score("High"), Some(Some(4)));
        assert_eq!(severity_score("Critical"), Some(Some(5)));
        assert_eq!(severity_score(""), Some(None));
        assert_eq!(severity_score("Severe"), None);
        assert_eq!(status("NotApplicable"), Some(Status::FalsePositive));
        assert_eq!(status("Mitigated"), Some(Status::Mitigated));
        assert_eq!(status("Fixed"), None);
    }
}
