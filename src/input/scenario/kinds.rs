//! Per-kind overrides (`[kinds.central]` etc.): which keys a kind may set, and the baseline's.

use super::super::SiteKind;
use std::collections::BTreeMap;

/// The groups a kind may override, and keys within them that make no sense per kind.
pub(super) const KIND_GROUPS: [&str; 4] = ["site", "platform", "batch", "time"];
pub(super) const NOT_PER_KIND: [&str; 1] = ["time.max_patient_travel_hours"];

/// The baseline's per-kind overrides: a central, cryopreserved process is slower and dearer.
pub(super) fn default_kind_overrides() -> BTreeMap<SiteKind, BTreeMap<String, toml::Value>> {
    let mut central = BTreeMap::new();
    central.insert(
        "batch.cost_owned".to_string(),
        toml::Value::Integer(250_000),
    );
    central.insert(
        "time.manufacturing_days".to_string(),
        toml::Value::Integer(10),
    );
    central.insert("time.release_days".to_string(), toml::Value::Integer(10));
    BTreeMap::from([(SiteKind::Central, central)])
}
