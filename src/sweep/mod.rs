//! What-if sweeps (DESIGN §6): a grid of scenarios, each the base scenario with some keys set to
//! one of several values, solved in parallel and compared.
//!
//! - [`Axis`]: one varied key and its values, from `--vary KEY=FROM..TO/STEPS`, `--vary KEY=A,B,C`
//!   ([`Axis::parse`]) or a sweep file ([`SweepFile::load`]). The pseudo-key `model` varies the
//!   scenario file itself (`model=models/baseline.toml,models/centralized.toml`).
//! - [`prepare`]: every grid point's [`Scenario`](crate::input::Scenario), parsed by the scenario parser itself with the
//!   varied values as overrides, so a varied key or value gets exactly the error `--set` would
//!   give (E303 with did-you-mean and the valid keys, E304, E305), all before anything is solved.
//! - [`run`]: solves the points on a pool of `jobs` worker threads. Each HiGHS model is built and
//!   solved inside its worker (the model is not `Send`). Points whose arcs would be the same (same
//!   transport and time parameters) share one [`Network`](crate::network::Network), built once; a point whose cost terms
//!   differ gets a copy with its own per-site terms, so no arc is recomputed.
//! - [`crate::export::sweep`]: sweep.csv, sweep.svg and the table, in grid order whatever the
//!   finishing order.
//!
//! - [`shard`]: a sweep split into shards run apart (`--shard K/N`) and merged (DESIGN §9).
//!
//! Grid order is row-major: the first axis is the outermost loop, the last varies fastest.

mod axes;
pub mod design;
mod file;
mod grid;
pub mod refine;
mod run;
pub mod shard;
mod shard_rows;

pub use axes::{Axis, Level, Source, range_levels};
pub use design::{Change, Design};
pub use file::{SWEEP_FIELDS, SweepFile};
pub use grid::{Point, folder_name, grid, prepare};
pub use run::{Row, RowStatus, RunOptions, RunStats, SOLVER_THREADS, run, warm_starts};
pub use shard_rows::{ShardRow, axes_json, parse_axes, parse_rows, render_rows};

/// The pseudo-key that varies the scenario file.
pub const MODEL_KEY: &str = "model";
/// The largest grid accepted (a typo such as `/1000` for `/10` on three axes is caught).
pub const MAX_POINTS: usize = 100_000;
