//! README.md of the instance: how it was made, from which files, with which rules. The prose is
//! in the `README.*.template.md` files beside this one; each `{name}` in them is filled here.
//!
//! The README names the input files without their folders and the output folder as DIR, so that
//! it does not depend on where they are.

use super::DEFAULT_PATIENTS_PER_100K;
use super::build::{Facts, scope};
use super::hospitals::{BEDS_PER_PATIENT, Hifld, MAX_MAX_PATIENTS, MIN_MAX_PATIENTS, trauma_label};
use super::render::{PATIENT_DECIMALS, coord};
use super::sites::CENTRAL_PLANTS;
use crate::input::scenario::PlatformParams;
use crate::text::grouped;
use std::collections::BTreeMap;
use std::path::Path;

const TEMPLATE: &str = include_str!("README.template.md");
/// The ZIP file's line under Sources, with --zip.
const SOURCE_ZIP: &str = include_str!("README.source-zip.template.md");
/// The demand points described, by layer.
const DEMAND_COUNTIES: &str = include_str!("README.demand-counties.template.md");
const DEMAND_ZIPS: &str = include_str!("README.demand-zips.template.md");

/// The header of the table of hospitals kept by the state floor.
const FLOOR_HEADER: &str =
    "| state | hospital kept by the state floor | BEDS | trauma |\n|---|---|---:|---:|\n";

/// A placeholder's name and its text.
type Values = Vec<(&'static str, String)>;

/// The README of the instance described by `f`.
pub(super) fn readme(f: &Facts<'_>) -> String {
    let mut values = Values::new();
    command_values(f, &mut values);
    demand_values(f, &mut values);
    hospital_values(f, &mut values);
    site_values(f, &mut values);
    let zip_source = match &f.o.zip {
        Some(_) => fill(SOURCE_ZIP, &values),
        None => String::new(),
    };
    let demand_points = match f.zips {
        Some(_) => fill(DEMAND_ZIPS, &values),
        None => fill(DEMAND_COUNTIES, &values),
    };
    values.push(("zip_source", zip_source));
    values.push(("demand_points_text", demand_points));
    fill(TEMPLATE, &values)
}

/// `template` with each `{name}` replaced by its text in `values`. The templates are part of the
/// program, so a name without a text is a bug in it.
fn fill(template: &str, values: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(2 * template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open
            + rest[open..]
                .find('}')
                .expect("every { in a README template is closed");
        let name = &rest[open + 1..close];
        let (_, text) = values
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("the README placeholder {{{name}}} has no text"));
        out.push_str(text);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn latin1_note(latin1: bool) -> String {
    if latin1 {
        " The file is not UTF-8; it was read as Latin-1.".into()
    } else {
        String::new()
    }
}

/// The title, the command that rebuilds the instance, and the Sources.
fn command_values(f: &Facts<'_>, v: &mut Values) {
    let o = f.o;
    v.push(("scope", format!("the {}", scope(o.include_pr))));
    v.push(("counties_file", file_name(&o.counties)));
    v.push(("hospitals_file", file_name(&o.hospitals)));
    let zip_file = o.zip.as_deref().map(file_name);
    let zip_option = zip_file.as_ref().map(|z| format!(" --zip {z}"));
    v.push(("zip_file", zip_file.unwrap_or_default()));
    v.push(("zip_option", zip_option.unwrap_or_default()));
    v.push(("patients_per_100k", o.patients_per_100k.to_string()));
    v.push(("min_beds", o.min_beds.to_string()));
    v.push(("min_per_state", o.min_per_state.to_string()));
    v.push(("regional", o.regional.to_string()));
    v.push(("regional_spacing_km", o.regional_spacing_km.to_string()));
    v.push(("central_platforms", o.central_platforms.to_string()));
    let include_pr = if o.include_pr { " --include-pr" } else { "" };
    v.push(("include_pr_option", include_pr.into()));
    v.push(("counties_latin1", latin1_note(f.counties.latin1)));
    v.push(("hospitals_latin1", latin1_note(f.hospitals.latin1)));
}

/// The table of files and the demand layer.
fn demand_values(f: &Facts<'_>, v: &mut Values) {
    v.push(("demand_points", f.demand_points.to_string()));
    v.push(("layer", f.layer.into()));
    v.push(("population", grouped(f.population as f64, 0)));
    v.push(("patients", format!("{:.1}", f.patients)));
    v.push(("patient_decimals", PATIENT_DECIMALS.to_string()));
    let default_rate = DEFAULT_PATIENTS_PER_100K;
    v.push(("default_patients_per_100k", default_rate.to_string()));
    let c = f.counties;
    v.push(("county_rows", c.rows.to_string()));
    v.push(("county_puerto_rico", c.puerto_rico.to_string()));
    v.push(("county_outside", c.outside.to_string()));
    let census: u64 = c.counties.iter().map(|c| c.population).sum();
    v.push(("census_population", grouped(census as f64, 0)));
    // Only the ZIP layer's template names these.
    if let Some(z) = f.zips {
        v.push(("zip_rows", z.rows.to_string()));
        v.push(("no_population", z.no_population.to_string()));
        v.push(("zip_puerto_rico", z.puerto_rico.to_string()));
        v.push(("zip_outside", z.outside.to_string()));
        v.push(("zero_population", z.zero_population.to_string()));
        v.push(("zip_latin1", latin1_note(z.latin1)));
    }
}

/// How the hospitals were chosen.
fn hospital_values(f: &Facts<'_>, v: &mut Values) {
    let (o, h) = (f.o, f.hospitals);
    v.push(("hifld_rows", h.rows.to_string()));
    v.push(("not_open", h.not_open.to_string()));
    v.push(("other_type", h.other_type.to_string()));
    v.push(("hospitals_puerto_rico", h.puerto_rico.to_string()));
    let hint = if o.include_pr {
        ""
    } else {
        " (add them with --include-pr)"
    };
    v.push(("include_pr_hint", hint.into()));
    v.push(("hospitals_outside", h.outside.to_string()));
    v.push(("unknown_beds", h.unknown_beds.to_string()));
    v.push(("eligible", h.eligible.len().to_string()));
    v.push(("kept_by_beds", (f.kept.len() - f.from_floor).to_string()));
    v.push(("from_floor", f.from_floor.to_string()));
    v.push(("floor_table", floor_table(f)));
    v.push(("beds_per_patient", BEDS_PER_PATIENT.to_string()));
    v.push(("min_max_patients", MIN_MAX_PATIENTS.to_string()));
    v.push(("max_max_patients", MAX_MAX_PATIENTS.to_string()));
    let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
    for h in f.kept {
        *by_state.entry(h.state).or_default() += 1;
    }
    let counts: Vec<String> = by_state.iter().map(|(k, v)| format!("{k} {v}")).collect();
    v.push(("hospitals_per_state", counts.join(", ")));
}

/// The hospitals kept by the state floor, by state, as a table followed by a blank line; empty
/// when there are none.
fn floor_table(f: &Facts<'_>) -> String {
    if f.from_floor == 0 {
        return String::new();
    }
    let mut floor: Vec<&Hifld> = f.kept.iter().filter(|h| h.beds < f.o.min_beds).collect();
    floor.sort_by(|a, b| a.state.cmp(b.state).then(a.id.cmp(&b.id)));
    let mut table = FLOOR_HEADER.to_string();
    for h in floor {
        let trauma = trauma_label(h.trauma);
        table += &format!(
            "| {} | H{} {} | {} | {trauma} |\n",
            h.state, h.id, h.name, h.beds
        );
    }
    table + "\n"
}

/// The candidate sites and their tables. The regional rows each end a line (there may be none);
/// the central rows end the file, so line ends join them.
fn site_values(f: &Facts<'_>, v: &mut Values) {
    let o = f.o;
    let colocated = f.kept.len();
    let sites = colocated + f.regional.len() + CENTRAL_PLANTS.len();
    v.push(("colocated", colocated.to_string()));
    v.push(("sites", sites.to_string()));
    v.push(("regional_sites", f.regional.len().to_string()));
    v.push(("central_sites", CENTRAL_PLANTS.len().to_string()));
    let batches = PlatformParams::default().batches_per_year;
    v.push(("batches_per_platform", batches.to_string()));
    let central_batches = f64::from(o.central_platforms) * batches;
    v.push(("central_batches", grouped(central_batches, 0)));
    let regional: String = f
        .regional
        .iter()
        .map(|c| {
            let population = grouped(c.population as f64, 0);
            format!("| S-R{} | {} | {population} |\n", c.fips, c.name)
        })
        .collect();
    v.push(("regional_rows", regional));
    let central: Vec<String> = CENTRAL_PLANTS
        .iter()
        .map(|(slug, name, lat, lon)| {
            format!(
                "| S-C-{slug} | {name} | {} | {} |",
                coord(*lat),
                coord(*lon)
            )
        })
        .collect();
    v.push(("central_rows", central.join("\n")));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_name_once_and_leaves_the_rest() {
        let values = vec![("a", "{b}".to_string()), ("b", "2".to_string())];
        assert_eq!(fill("x {a} y {b} z", &values), "x {b} y 2 z");
    }
}
