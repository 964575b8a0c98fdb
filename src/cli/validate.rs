//! `cartnet validate`: input checks and network diagnostics, without solving.

use super::{EXIT_OK, InputArgs, report_input_errors};
use cartnet::explain;
use cartnet::input::{Instance, Scenario};
use cartnet::model::DemandGroups;
use cartnet::network::Network;
use cartnet::text::{printable, printable_path};
use clap::Args;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: ValidateArgs) -> u8 {
    let (instance, scenario) = match args.input.load() {
        Ok(x) => x,
        Err(e) => return report_input_errors(&e, &args.input.data),
    };
    let network = Network::build(&instance, &scenario);
    println!(
        "input ok: {} ({})",
        printable_path(&args.input.data),
        printable(&args.input.model_source().name())
    );
    print_sizes(&instance, &scenario, &network);
    print_stranded(&instance, &network);
    print_unservable(&instance, &scenario, &network);
    EXIT_OK
}

/// The network's nodes and arcs, and the model's demand groups.
fn print_sizes(instance: &Instance, scenario: &Scenario, network: &Network) {
    let size = network.size();
    println!(
        "nodes: {} demand points ({:.1} patients a year), {} hospitals, {} candidate sites ({} existing)",
        size.demand_points,
        instance.total_patients(),
        size.hospitals,
        size.sites,
        instance.sites.iter().filter(|s| s.existing).count()
    );
    let modes: Vec<String> = size
        .cell_arcs_by_mode
        .iter()
        .map(|(m, n)| format!("{n} {m}"))
        .collect();
    println!(
        "arcs: {} patient arcs (demand -> hospital within {} h), {} cell arcs (hospital -> site{}{})",
        size.patient_arcs,
        scenario.time.max_patient_travel_hours,
        size.cell_arcs,
        if modes.is_empty() { "" } else { ": " },
        modes.join(", ")
    );
    let groups = DemandGroups::build(instance, network);
    println!(
        "model: {} demand points in {} groups of interchangeable points (same hospitals, patient costs \
         and growth); the model has one demand row per group and {} patient-flow columns a year",
        size.demand_points,
        groups.len(),
        groups.arcs.len()
    );
}

/// The hospitals no site can serve, if any.
fn print_stranded(instance: &Instance, network: &Network) {
    let mut has_site = vec![false; instance.hospitals.len()];
    for arc in network.cell_arcs() {
        has_site[arc.hospital] = true;
    }
    let stranded: Vec<&str> = instance
        .hospitals
        .iter()
        .zip(&has_site)
        .filter(|(_, ok)| !**ok)
        .map(|(h, _)| h.id.as_str())
        .collect();
    if !stranded.is_empty() {
        println!(
            "hospitals with no site within the vein-to-vein and fresh-transit limits: {}",
            printable(&stranded.join(", "))
        );
    }
}

/// The demand points that cannot be served, with why, or that every one can.
fn print_unservable(instance: &Instance, scenario: &Scenario, network: &Network) {
    let reasons = explain::structural(instance, scenario, network);
    let mut unservable = 0;
    for (d, r) in reasons.iter().enumerate() {
        if let Some(r) = r {
            if unservable == 0 {
                println!("demand that cannot be served:");
            }
            unservable += 1;
            let dp = &instance.demand[d];
            println!(
                "  {} {} ({} patients a year): {}",
                printable(&dp.id),
                printable(&dp.name),
                dp.patients,
                printable(&r.to_string())
            );
        }
    }
    if unservable == 0 {
        println!("every demand point reaches a hospital that reaches a site");
    }
}
