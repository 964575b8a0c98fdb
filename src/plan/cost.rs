//! The cost breakdown: each [`CostLine`] summed from the objective's terms, per year and as the
//! net present value over the horizon.

use super::round::cents;
use crate::model::{CostLine, ModelInfo};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// One amount per cost line, in [`CostLine::ALL`] order.
type Lines = [f64; CostLine::ALL.len()];

/// USD per year. Serialized as `total`, then each line under its key in [`CostLine::ALL`] order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cost {
    pub total: f64,
    pub setup: f64,
    pub fixed: f64,
    pub platforms: f64,
    pub batches: f64,
    pub transport: f64,
    pub patient_travel: f64,
    pub unmet_penalty: f64,
}

impl Cost {
    /// The amount of one line.
    pub fn get(&self, line: CostLine) -> f64 {
        match line {
            CostLine::Setup => self.setup,
            CostLine::Fixed => self.fixed,
            CostLine::Platforms => self.platforms,
            CostLine::Batches => self.batches,
            CostLine::Transport => self.transport,
            CostLine::PatientTravel => self.patient_travel,
            CostLine::UnmetPenalty => self.unmet_penalty,
        }
    }

    fn slot(&mut self, line: CostLine) -> &mut f64 {
        match line {
            CostLine::Setup => &mut self.setup,
            CostLine::Fixed => &mut self.fixed,
            CostLine::Platforms => &mut self.platforms,
            CostLine::Batches => &mut self.batches,
            CostLine::Transport => &mut self.transport,
            CostLine::PatientTravel => &mut self.patient_travel,
            CostLine::UnmetPenalty => &mut self.unmet_penalty,
        }
    }

    /// The cost from its lines, each rounded to the cent; the total sums the rounded lines.
    fn from_lines(lines: Lines) -> Cost {
        let mut cost = Cost::default();
        let mut total = 0.0;
        for (line, amount) in CostLine::ALL.into_iter().zip(lines.map(cents)) {
            *cost.slot(line) = amount;
            total += amount;
        }
        cost.total = cents(total);
        cost
    }
}

impl Cost {
    /// The probability-weighted sum of costs, line by line (each rounded to the cent, the total
    /// summing the rounded lines).
    pub fn expected<'a>(weighted: impl IntoIterator<Item = (f64, &'a Cost)>) -> Cost {
        let mut lines: Lines = [0.0; CostLine::ALL.len()];
        for (p, cost) in weighted {
            for (acc, line) in lines.iter_mut().zip(CostLine::ALL) {
                *acc += p * cost.get(line);
            }
        }
        Cost::from_lines(lines)
    }
}

impl Serialize for Cost {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Cost", 1 + CostLine::ALL.len())?;
        s.serialize_field("total", &self.total)?;
        for line in CostLine::ALL {
            s.serialize_field(line.key(), &self.get(line))?;
        }
        s.end()
    }
}

/// The cost of each year (undiscounted) and their net present value.
pub struct Costs {
    pub years: Vec<Cost>,
    pub npv: Cost,
}

/// The cost lines from the final column values, per year; they sum to the total.
pub fn costs(formulation: &ModelInfo, value: &[f64]) -> Costs {
    let mut lines: Vec<Lines> = vec![[0.0; CostLine::ALL.len()]; formulation.years.len()];
    for term in &formulation.cost_terms {
        lines[term.year][term.line as usize] += term.coef * value[term.col];
    }
    let mut npv: Lines = [0.0; CostLine::ALL.len()];
    for (year, year_lines) in lines.iter().enumerate() {
        for (acc, v) in npv.iter_mut().zip(year_lines) {
            *acc += formulation.discount[year] * v;
        }
    }
    Costs {
        years: lines.into_iter().map(Cost::from_lines).collect(),
        npv: Cost::from_lines(npv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_serialize_in_cost_line_order_after_the_total() {
        let cost = Cost::from_lines([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.004]);
        let json = serde_json::to_string(&cost).unwrap();
        assert_eq!(
            json,
            r#"{"total":28.0,"setup":1.0,"fixed":2.0,"platforms":3.0,"batches":4.0,"transport":5.0,"patient_travel":6.0,"unmet_penalty":7.0}"#
        );
        for (i, line) in CostLine::ALL.into_iter().enumerate() {
            assert_eq!(cost.get(line), (i + 1) as f64);
        }
    }
}
