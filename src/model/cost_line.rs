//! The lines of the cost breakdown. [`CostLine::ALL`] is their one order: the model tags its
//! objective terms with them, and the plan, plan.json, the CSV tables, the summary and the
//! report list them in it.

/// The objective's coefficient for each cost line, so the plan can report the breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostLine {
    Setup,
    Fixed,
    Platforms,
    Batches,
    Transport,
    PatientTravel,
    UnmetPenalty,
}

impl CostLine {
    /// Every line, in the order every output lists them.
    pub const ALL: [CostLine; 7] = [
        CostLine::Setup,
        CostLine::Fixed,
        CostLine::Platforms,
        CostLine::Batches,
        CostLine::Transport,
        CostLine::PatientTravel,
        CostLine::UnmetPenalty,
    ];

    /// The line's key in plan.json's `cost`.
    pub fn key(self) -> &'static str {
        match self {
            CostLine::Setup => "setup",
            CostLine::Fixed => "fixed",
            CostLine::Platforms => "platforms",
            CostLine::Batches => "batches",
            CostLine::Transport => "transport",
            CostLine::PatientTravel => "patient_travel",
            CostLine::UnmetPenalty => "unmet_penalty",
        }
    }

    /// The line's column in years.csv: the key, except where a KPI column has the same name.
    pub fn column(self) -> &'static str {
        match self {
            CostLine::Platforms => "platforms_cost",
            CostLine::Batches => "batches_cost",
            line => line.key(),
        }
    }

    /// The line's name for a reader (the report's chart).
    pub fn label(self) -> &'static str {
        match self {
            CostLine::Setup => "Setup (annualized)",
            CostLine::Fixed => "Fixed site cost",
            CostLine::Platforms => "Platforms",
            CostLine::Batches => "Batches",
            CostLine::Transport => "Transport",
            CostLine::PatientTravel => "Patient travel",
            CostLine::UnmetPenalty => "Unmet demand",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_each_line_once_at_its_own_index() {
        for (i, line) in CostLine::ALL.iter().enumerate() {
            assert_eq!(*line as usize, i);
        }
    }
}
