//! Every call into HiGHS's C interface, each unsafe block with its SAFETY note: the interrupt
//! callback, options, rows, bounds, integrality and copies of a model.

pub mod option;

use super::budget::seconds_until;
use super::interrupted;
use super::{SolveError, SolveOptions};
use crate::model::LazyRow;
use crate::model::relaxation::Structure;
use highs_sys::HighsInt;
use std::os::raw::{c_char, c_int, c_void};
use std::time::Instant;

/// A HiGHS run that ended in an error rather than a status (e.g. a `read_solution_file` option
/// naming a file that cannot be read).
pub(super) fn run_failed(status: highs::HighsStatus) -> SolveError {
    SolveError::Solver(format!(
        "its run ended with status {status:?}; run with -v to see why in its log (highs.log)"
    ))
}
/// What the interrupt callback reads: the deadline of the time limit, and whether [`interrupt`]
/// stops the run too.
pub(super) struct Stop {
    pub(super) deadline: Option<Instant>,
    /// False only for the LP that derives a plan's flows from its design ([`polish`]): the
    /// plan written after Ctrl-C must hold too.
    pub(super) interrupts: bool,
}

/// HiGHS's interrupt callback (simplex, IPM and MIP): asks HiGHS to stop when [`interrupt`] was
/// called or the deadline has passed. HiGHS checks its own `time_limit` only at some points (not
/// inside every presolve or sub-MIP), so the deadline is enforced here too.
unsafe extern "C" fn stop_callback(
    _kind: c_int,
    _message: *const c_char,
    _data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user: *mut c_void,
) {
    if data_in.is_null() || user.is_null() {
        return;
    }
    // SAFETY: `user` is the `Stop` registered with this callback, which outlives every HiGHS
    // run of the model (see `watch`); it is only read.
    let stop = unsafe { &*(user as *const Stop) };
    if (stop.interrupts && interrupted()) || stop.deadline.is_some_and(|d| Instant::now() >= d) {
        // SAFETY: HiGHS hands a valid, writable input struct to interrupt callbacks.
        unsafe { (*data_in).user_interrupt = 1 };
    }
}

/// Registers [`stop_callback`] on `model` for the simplex, IPM and MIP interrupt points.
/// `stop` must outlive every run of the model.
pub(super) fn watch(model: &mut highs::Model, stop: &Stop) -> Result<(), SolveError> {
    let ptr = model.as_mut_ptr();
    // SAFETY: `ptr` is the live HiGHS instance owned by `model`; the user pointer is `stop`,
    // which the caller keeps alive for as long as the model runs.
    let ok = unsafe {
        highs_sys::Highs_setCallback(ptr, Some(stop_callback), stop as *const Stop as *mut c_void)
            != highs_sys::kHighsStatusError
            && [
                highs_sys::kHighsCallbackSimplexInterrupt,
                highs_sys::kHighsCallbackIpmInterrupt,
                highs_sys::kHighsCallbackMipInterrupt,
            ]
            .iter()
            .all(|&kind| highs_sys::Highs_startCallback(ptr, kind) != highs_sys::kHighsStatusError)
    };
    if ok {
        Ok(())
    } else {
        Err(SolveError::Solver(
            "HiGHS did not accept the interrupt callback".into(),
        ))
    }
}
/// Gives `model`'s next run `seconds`. HiGHS 1.16 compares its time_limit with the run time
/// of every run of the instance so far (ERGO-Code/HiGHS#1477): without zeroing its clocks a
/// model solved again after the cutting-plane rounds stopped as soon as the rounds' time and its
/// own together reached what was left, long before the limit.
pub(super) fn set_time_limit(model: &mut highs::Model, seconds: f64) -> Result<(), SolveError> {
    // SAFETY: the pointer is the live HiGHS instance owned by `model`.
    unsafe { highs_sys::Highs_zeroAllClocks(model.as_mut_ptr()) };
    model
        .try_set_option("time_limit", seconds)
        .map_err(|_| SolveError::Option("time_limit".into()))
}

/// Sets `options`' output, gap, threads and HiGHS options on `model`.
pub(super) fn configure(
    model: &mut highs::Model,
    options: &SolveOptions,
) -> Result<(), SolveError> {
    let set = |name: &str, r: Result<(), highs::TrySetOptionError>| {
        r.map_err(|_| SolveError::Option(name.to_string()))
    };
    match &options.log_file {
        Some(path) => {
            set("output_flag", model.try_set_option("output_flag", true))?;
            set(
                "log_to_console",
                model.try_set_option("log_to_console", false),
            )?;
            let p = path.to_string_lossy().into_owned();
            set("log_file", model.try_set_option("log_file", p.as_str()))?;
        }
        None => set("output_flag", model.try_set_option("output_flag", false))?,
    }
    set(
        "mip_rel_gap",
        model.try_set_option("mip_rel_gap", options.gap),
    )?;
    set("mip_abs_gap", model.try_set_option("mip_abs_gap", 1e-9))?;
    if let Some(n) = options.threads {
        set("threads", model.try_set_option("threads", n as i32))?;
    }
    for (name, value) in &options.highs_options {
        option::set(model, name, value)?;
    }
    Ok(())
}

/// Writes the HiGHS model to `path` (format by extension: .mps or .lp).
pub(super) fn write_model(
    model: &mut highs::Model,
    path: &std::path::Path,
) -> Result<(), SolveError> {
    let fail = |why: &str| {
        SolveError::Solver(format!(
            "cannot write the model to {}: {why}",
            path.display()
        ))
    };
    let name = std::ffi::CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| fail("the path contains a NUL byte"))?;
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; `name` outlives the call.
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), name.as_ptr()) };
    if status == highs_sys::kHighsStatusError {
        return Err(fail("HiGHS reported an error"));
    }
    Ok(())
}

/// Adds rows to the HiGHS model in one call.
pub(super) fn add_rows(model: &mut highs::Model, rows: &[&LazyRow]) -> Result<(), SolveError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut starts = Vec::with_capacity(rows.len());
    let mut index = Vec::new();
    let mut value = Vec::new();
    for r in rows {
        starts.push(index.len() as HighsInt);
        for &(col, coef) in &r.terms {
            index.push(col as HighsInt);
            value.push(coef);
        }
    }
    let lower = vec![f64::NEG_INFINITY; rows.len()];
    let upper: Vec<f64> = rows.iter().map(|r| r.upper).collect();
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; the arrays have the
    // lengths the call is given and outlive it.
    let status = unsafe {
        highs_sys::Highs_addRows(
            model.as_mut_ptr(),
            rows.len() as HighsInt,
            lower.as_ptr(),
            upper.as_ptr(),
            index.len() as HighsInt,
            starts.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    if status == highs_sys::kHighsStatusError {
        return Err(SolveError::Solver(
            "HiGHS rejected the strengthening rows".into(),
        ));
    }
    Ok(())
}

/// Sets the bounds of column `col` in HiGHS.
pub(super) fn set_bounds(model: &mut highs::Model, col: usize, lower: f64, upper: f64) {
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; `col` is one of its
    // columns (the structure was built from the same model).
    unsafe { highs_sys::Highs_changeColBounds(model.as_mut_ptr(), col as HighsInt, lower, upper) };
}

/// A HiGHS model's data: columns, rows, matrix (by column) and integrality.
pub(super) struct LpData {
    sense: HighsInt,
    offset: f64,
    pub(super) cost: Vec<f64>,
    col_lower: Vec<f64>,
    col_upper: Vec<f64>,
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    start: Vec<HighsInt>,
    index: Vec<HighsInt>,
    value: Vec<f64>,
    integrality: Vec<HighsInt>,
}

impl LpData {
    pub(super) fn read(model: &mut highs::Model) -> Result<LpData, SolveError> {
        let ptr = model.as_mut_ptr();
        // SAFETY: `ptr` is the live HiGHS instance owned by `model`.
        let (nc, nr, nz) = unsafe {
            (
                highs_sys::Highs_getNumCol(ptr),
                highs_sys::Highs_getNumRow(ptr),
                highs_sys::Highs_getNumNz(ptr),
            )
        };
        let (c, r, z) = (nc as usize, nr as usize, nz as usize);
        let mut d = LpData {
            sense: 0,
            offset: 0.0,
            cost: vec![0.0; c],
            col_lower: vec![0.0; c],
            col_upper: vec![0.0; c],
            row_lower: vec![0.0; r],
            row_upper: vec![0.0; r],
            start: vec![0; c + 1],
            index: vec![0; z],
            value: vec![0.0; z],
            integrality: vec![0; c],
        };
        let (mut num_col, mut num_row, mut num_nz) = (0, 0, 0);
        // SAFETY: every array has the length HiGHS writes for this model (columns, rows,
        // nonzeros; a start per column), and all outlive the call.
        let status = unsafe {
            highs_sys::Highs_getLp(
                ptr,
                highs_sys::kHighsMatrixFormatColwise,
                &mut num_col,
                &mut num_row,
                &mut num_nz,
                &mut d.sense,
                &mut d.offset,
                d.cost.as_mut_ptr(),
                d.col_lower.as_mut_ptr(),
                d.col_upper.as_mut_ptr(),
                d.row_lower.as_mut_ptr(),
                d.row_upper.as_mut_ptr(),
                d.start.as_mut_ptr(),
                d.index.as_mut_ptr(),
                d.value.as_mut_ptr(),
                d.integrality.as_mut_ptr(),
            )
        };
        if status == highs_sys::kHighsStatusError || (num_col, num_row, num_nz) != (nc, nr, nz) {
            return Err(SolveError::Solver("HiGHS could not copy the model".into()));
        }
        Ok(d)
    }

    /// A new HiGHS instance holding this model, configured as `options` say.
    pub(super) fn to_model(&self, options: &SolveOptions) -> Result<highs::Model, SolveError> {
        let mut copy = highs::ColProblem::new().optimise(highs::Sense::Minimise);
        // SAFETY: the new instance is live and owned by `copy`; the arrays have the lengths
        // HiGHS gave them.
        let status = unsafe {
            highs_sys::Highs_passMip(
                copy.as_mut_ptr(),
                self.cost.len() as HighsInt,
                self.row_lower.len() as HighsInt,
                self.value.len() as HighsInt,
                highs_sys::kHighsMatrixFormatColwise,
                self.sense,
                self.offset,
                self.cost.as_ptr(),
                self.col_lower.as_ptr(),
                self.col_upper.as_ptr(),
                self.row_lower.as_ptr(),
                self.row_upper.as_ptr(),
                self.start.as_ptr(),
                self.index.as_ptr(),
                self.value.as_ptr(),
                self.integrality.as_ptr(),
            )
        };
        if status == highs_sys::kHighsStatusError {
            return Err(SolveError::Solver("HiGHS could not copy the model".into()));
        }
        configure(&mut copy, options)?;
        Ok(copy)
    }

    /// A new HiGHS instance holding this model, configured as `options` say but without a log,
    /// stopped by `stop` (which must outlive its runs) and limited to `stop`'s deadline.
    pub(super) fn quiet_copy(
        &self,
        options: &SolveOptions,
        stop: &Stop,
    ) -> Result<highs::Model, SolveError> {
        let mut m = self.to_model(&SolveOptions {
            log_file: None,
            ..options.clone()
        })?;
        watch(&mut m, stop)?;
        if let Some(end) = stop.deadline {
            set_time_limit(&mut m, seconds_until(end))?;
        }
        Ok(m)
    }

    /// The integer columns.
    pub(super) fn integer_cols(&self) -> impl Iterator<Item = usize> + '_ {
        self.integrality
            .iter()
            .enumerate()
            .filter(|(_, k)| **k != 0)
            .map(|(col, _)| col)
    }

    /// The objective of the column values `x`.
    pub(super) fn objective(&self, x: &[f64]) -> f64 {
        self.offset + self.cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }

    /// Whether `reported`, HiGHS's objective for the column values `x`, is their own cost (to
    /// 1e-6 relative): HiGHS 1.16 can misjudge a start after presolve (see `solve`).
    pub(super) fn agrees(&self, x: &[f64], reported: f64) -> bool {
        let z = self.objective(x);
        (z - reported).abs() <= 1e-6 * z.abs().max(1.0)
    }
}

/// Adds the covering row sum_{s,k} (1 - f_s) B_k n[s,k] >= every patient, valid under full
/// coverage (the platforms installed must make a batch for each patient); it lets HiGHS derive
/// the same covering-knapsack strength the relaxation has.
pub(super) fn add_cover_row(
    model: &mut highs::Model,
    structure: &Structure,
) -> Result<(), SolveError> {
    let mut index = Vec::new();
    let mut value = Vec::new();
    for site in &structure.sites {
        for o in &site.options {
            index.push(o.platforms_col as HighsInt);
            value.push(site.keep * o.batches_per_platform);
        }
    }
    let need: f64 = structure.groups.iter().map(|g| g.patients).sum();
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; the arrays have the
    // length the call is given and outlive it.
    let status = unsafe {
        highs_sys::Highs_addRow(
            model.as_mut_ptr(),
            need,
            f64::INFINITY,
            index.len() as HighsInt,
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    if status == highs_sys::kHighsStatusError {
        return Err(SolveError::Solver("HiGHS rejected the covering row".into()));
    }
    Ok(())
}

/// Makes every column of `model` continuous (its LP relaxation).
pub(super) fn relax_integrality(model: &mut highs::Model) {
    let n = model.num_cols();
    set_integrality(model, &vec![0 as HighsInt; n]);
}

/// Each column's integrality (0: continuous).
pub(super) fn integrality(model: &mut highs::Model) -> Vec<HighsInt> {
    let ptr = model.as_mut_ptr();
    // SAFETY: `ptr` is the live HiGHS instance owned by `model` for the whole block.
    let n = unsafe { highs_sys::Highs_getNumCol(ptr) };
    let mut integrality = vec![0 as HighsInt; n as usize];
    for (col, v) in integrality.iter_mut().enumerate() {
        // SAFETY: as above; `v` is a valid out-pointer.
        unsafe { highs_sys::Highs_getColIntegrality(ptr, col as HighsInt, v) };
    }
    integrality
}

/// Sets every column's integrality (`kinds` has one entry per column).
pub(super) fn set_integrality(model: &mut highs::Model, kinds: &[HighsInt]) {
    let n = kinds.len() as HighsInt;
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; the array has an entry
    // for each of its columns.
    unsafe {
        highs_sys::Highs_changeColsIntegralityByRange(model.as_mut_ptr(), 0, n - 1, kinds.as_ptr())
    };
}

/// A simplex basis: each column's and row's status, as HiGHS numbers them. An LP solved from
/// the optimal basis of a neighbouring LP (same columns and rows, other bounds or costs) skips
/// presolve and usually needs few iterations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    cols: Vec<HighsInt>,
    rows: Vec<HighsInt>,
}

impl Basis {
    /// The basis of a solved LP, when HiGHS has a valid one.
    pub(super) fn read(solved: &highs::SolvedModel) -> Option<Basis> {
        let ptr = solved.as_ptr();
        // SAFETY: `ptr` is the live HiGHS instance owned by `solved` for the whole block.
        let (n, m, valid) = unsafe {
            let mut valid: HighsInt = 0;
            let ok = highs_sys::Highs_getIntInfoValue(ptr, c"basis_validity".as_ptr(), &mut valid);
            (
                highs_sys::Highs_getNumCol(ptr),
                highs_sys::Highs_getNumRow(ptr),
                ok == highs_sys::kHighsStatusOk && valid == 1,
            )
        };
        if !valid {
            return None;
        }
        let mut basis = Basis {
            cols: vec![0; n as usize],
            rows: vec![0; m as usize],
        };
        // SAFETY: as above; the arrays have an entry per column and per row.
        let ok = unsafe {
            highs_sys::Highs_getBasis(ptr, basis.cols.as_mut_ptr(), basis.rows.as_mut_ptr())
        };
        (ok == highs_sys::kHighsStatusOk).then_some(basis)
    }

    /// Starts `model` from this basis, when it has as many columns and rows; a basis HiGHS
    /// refuses is only ignored (the LP is then solved from scratch).
    pub(super) fn apply(&self, model: &mut highs::Model) {
        if model.num_cols() != self.cols.len() || model.num_rows() != self.rows.len() {
            return;
        }
        // SAFETY: the pointer is the live HiGHS instance owned by `model`; the arrays have an
        // entry per column and per row.
        unsafe {
            highs_sys::Highs_setBasis(model.as_mut_ptr(), self.cols.as_ptr(), self.rows.as_ptr())
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use highs::HighsModelStatus;

    /// The spare copy used when a start is misjudged: same model, same optimum, and the cost of
    /// a plan recomputed from the model's own costs. min 3x + 2y, x + y >= 5, y <= 2.5, x
    /// integer: x = 3, y = 2 costs 13 (x = 2 would need y = 3; x = 4 costs 14).
    #[test]
    fn a_copied_model_has_the_same_optimum_and_recomputes_a_plans_cost() {
        let mut p = highs::RowProblem::default();
        let x = p.add_integer_column(3.0, 0.0..=4.0);
        let y = p.add_column(2.0, 0.0..);
        p.add_row(5.0.., [(x, 1.0), (y, 1.0)]);
        p.add_row(..=2.5, [(y, 1.0)]);
        let mut model = p.optimise(highs::Sense::Minimise);
        let options = SolveOptions::default();
        configure(&mut model, &options).unwrap();
        let data = LpData::read(&mut model).unwrap();
        let copy = data.to_model(&options).unwrap();
        for m in [model, copy] {
            let solved = m.try_solve().unwrap();
            assert_eq!(solved.status(), HighsModelStatus::Optimal);
            assert!((solved.objective_value() - 13.0).abs() < 1e-9);
            let values = solved.get_solution().columns().to_vec();
            assert!((data.objective(&values) - 13.0).abs() < 1e-9, "{values:?}");
        }
    }
}
