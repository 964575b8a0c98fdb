//! docs/scenario-keys.md, written from the table of `keys.rs` and the built-in baseline; a test
//! fails when the file in the repository is not what the table gives.

use super::checks::line_of;
use super::keys::KEYS;
use super::kinds::{KIND_GROUPS, NOT_PER_KIND};
use super::source::BASELINE_TOML;
use super::tree::{get_dotted, leaves};
use std::fmt::Write;

/// Where the documentation is, from the repository's root.
pub const DOC_PATH: &str = "docs/scenario-keys.md";

/// The command that rewrites the documentation from the table.
const BLESS: &str = "CARTNET_BLESS=1 cargo test --release --lib scenario_keys_doc";

/// The documentation of every key: its default in the built-in baseline, the values it accepts,
/// its unit and meaning, in the baseline's order; then the per-kind keys.
pub fn render() -> String {
    let baseline: toml::Table = BASELINE_TOML.parse().expect("the baseline is valid TOML");
    let mut keys: Vec<_> = KEYS.iter().collect();
    keys.sort_by_key(|k| line_of(BASELINE_TOML, k.key));
    let mut out = format!(
        "# Scenario keys\n\n\
         <!-- Written from src/input/scenario/keys.rs; do not edit, run `{BLESS}`. -->\n\n\
         Every key of a scenario file (DESIGN §4) and of `--set group.key=value`: its default in \
         the built-in baseline\n([models/baseline.toml](../models/baseline.toml), which also \
         gives each value's source), the values it\naccepts (a value outside is E305, a value \
         of the wrong type E304; see [errors.md](errors.md)),\nits unit and its meaning.\n\n\
         | key | default | valid values | unit | meaning |\n|---|---|---|---|---|\n"
    );
    for k in keys {
        let default = get_dotted(&baseline, k.key).expect("the baseline gives every key");
        let valid = k.valid.expected().replace('|', "\\|");
        let (key, unit, meaning) = (k.key, k.unit, k.meaning);
        writeln!(
            out,
            "| `{key}` | `{default}` | {valid} | {unit} | {meaning} |"
        )
        .unwrap();
    }
    out + &kinds_section(&baseline)
}

/// The per-kind keys, and the baseline's per-kind values.
fn kinds_section(baseline: &toml::Table) -> String {
    let groups: Vec<String> = KIND_GROUPS.iter().map(|g| format!("`{g}.*`")).collect();
    let mut out = format!(
        "\n## Per site kind\n\n\
         `kinds.<colocated|regional|central>.<key>` sets a key for one site kind, with the same \
         valid values:\nany {} key except {}. The baseline sets:\n\n\
         | key | value |\n|---|---|\n",
        groups.join(", "),
        NOT_PER_KIND.map(|k| format!("`{k}`")).join(", ")
    );
    let mut given = Vec::new();
    if let Some(kinds) = baseline.get("kinds").and_then(|k| k.as_table()) {
        leaves("kinds", kinds, &mut given);
    }
    for (key, value) in given {
        writeln!(out, "| `{key}` | `{value}` |").unwrap();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_keys_doc_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC_PATH);
        let want = render();
        if std::env::var_os("CARTNET_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{DOC_PATH} is not what src/input/scenario/keys.rs gives; rewrite it with `{BLESS}`"
        );
    }
}
