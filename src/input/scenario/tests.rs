use super::*;

#[test]
fn baseline_file_is_exactly_the_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/baseline.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let s = Scenario::parse(&text, "baseline.toml", &[]).unwrap();
    assert_eq!(s, Scenario::default());
    // every base key is written out in the file, none left to the built-in default
    let table: toml::Table = text.parse().unwrap();
    let mut given = Vec::new();
    leaves("", &table, &mut given);
    for (key, _) in valid_keys()
        .iter()
        .filter(|(k, _)| !k.starts_with("kinds."))
    {
        assert!(
            given.iter().any(|(k, _)| k == key),
            "baseline.toml lacks {key}"
        );
    }
}

#[test]
fn a_set_value_is_one_toml_value_and_nothing_after_it() {
    for ok in [
        "3e6",
        " 10",
        "true",
        "\"text\"",
        "[0.1, 0.2]",
        "upfront",
        "80 km/h",
    ] {
        assert!(parse_value(ok.trim()).is_ok(), "{ok:?}");
    }
    for bad in ["7\nfoo=1", "3e6 # c", "1\n", "true\tx", "[1] # c"] {
        assert!(parse_value(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_built_in_baseline_is_the_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/baseline.toml");
    let built_in = Scenario::load_from(&ModelSource::BuiltIn, &[]).unwrap();
    assert_eq!(built_in, Scenario::load(&path, &[]).unwrap());
    assert_eq!(ModelSource::BuiltIn.name(), "built-in models/baseline.toml");
}

#[test]
fn kind_overrides_apply_to_that_kind_only() {
    let s = Scenario::default();
    assert_eq!(s.kind(SiteKind::Central).batch.cost_owned, 250_000.0);
    assert_eq!(s.kind(SiteKind::Central).time.manufacturing_days, 10.0);
    assert_eq!(s.kind(SiteKind::Regional).batch.cost_owned, 120_000.0);
    assert_eq!(s.kind(SiteKind::Colocated).time.release_days, 7.0);
}

#[test]
fn set_overrides_base_and_kind_keys() {
    let o = [
        Override::parse("site.setup_cost_owned=3e6").unwrap(),
        Override::parse("kinds.central.batch.cost_owned=300000").unwrap(),
        Override::parse("policy.single_sourcing=true").unwrap(),
    ];
    let s = Scenario::parse("", "x.toml", &o).unwrap();
    assert_eq!(s.site.setup_cost_owned, 3e6);
    assert_eq!(s.kind(SiteKind::Regional).site.setup_cost_owned, 3e6);
    assert_eq!(s.kind(SiteKind::Central).batch.cost_owned, 300000.0);
    assert!(s.policy.single_sourcing);
}

#[test]
fn unknown_key_suggests_and_lists_valid_keys() {
    let e = Scenario::parse("[site]\nsetup_cost_ownd = 1\n", "m.toml", &[]).unwrap_err();
    let shown = e.0[0].to_string();
    assert!(shown.starts_with("E303 m.toml:2: column site.setup_cost_ownd: unknown key (did you mean site.setup_cost_owned?)"), "{shown}");
    assert!(shown.contains("policy.min_utilization"));
    let e = Scenario::parse("", "m.toml", &[Override::parse("time.bogus=1").unwrap()]).unwrap_err();
    assert_eq!(e.0[0].code, Code::UnknownKey);
    assert_eq!(e.0[0].file, "--set");
}

#[test]
fn keys_that_would_not_deserialize_are_errors_not_panics() {
    // found by tests/fuzz.rs (fuzz_scenario_toml): each of these panicked in from_table
    for (text, shown) in [
        (
            "[site]\nbatch.cost_owned = \"x\"\n",
            "E303 m.toml:2: column site.batch.cost_owned: unknown key",
        ),
        (
            "[site.foo]\n",
            "E303 m.toml:1: column site.foo: unknown key",
        ),
        (
            "[site]\nmax_platforms = {}\n",
            "E304 m.toml:2: column site.max_platforms: {} is a table; expected a whole number",
        ),
        (
            "[site]\n\"1.234,5\" = 2.5\n",
            "E303 m.toml: column site.1.234,5: unknown key",
        ),
    ] {
        let e = Scenario::parse(text, "m.toml", &[]).unwrap_err();
        assert_eq!(e.0.len(), 1, "{text:?}: {e}");
        assert!(e.0[0].to_string().starts_with(shown), "{text:?}: {e}");
    }
}

#[test]
fn wrong_type_and_range_are_reported() {
    let e = Scenario::parse("[site]\nmax_platforms = 2.5\n", "m.toml", &[]).unwrap_err();
    assert_eq!(
        e.0[0].to_string(),
        "E304 m.toml:2: column site.max_platforms: 2.5 is a number; expected a whole number"
    );
    let e = Scenario::parse("[batch]\nfailure_rate = 1.2\n", "m.toml", &[]).unwrap_err();
    assert_eq!(e.0[0].code, Code::BadValue);
    let e = Scenario::parse(
        "[kinds.central]\ntime.max_patient_travel_hours = 3\n",
        "m.toml",
        &[],
    )
    .unwrap_err();
    assert!(
        e.0[0].message.contains("cannot be set per kind"),
        "{}",
        e.0[0]
    );
    let e = Scenario::parse("[site\n", "m.toml", &[]).unwrap_err();
    assert_eq!(e.0[0].code, Code::ScenarioSyntax);
    assert_eq!(e.0[0].line, Some(1));
}
