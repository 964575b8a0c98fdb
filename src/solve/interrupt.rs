//! The process-wide stop request (Ctrl-C): set once, read by every running solve.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by [`interrupt`] (the CLI calls it on Ctrl-C); read by every running solve.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Asks every solve in this process, running or yet to start, to stop as soon as it can and
/// return its best plan so far (status `feasible` with its proven gap), or no plan if it has
/// none yet. HiGHS is stopped through its interrupt callbacks; the cutting-plane rounds check
/// between rounds. Safe to call from any thread, e.g. a signal handler's.
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether [`interrupt`] was called (and not cleared since).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Withdraws an [`interrupt`] request, so that later solves run normally.
pub fn clear_interrupt() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}
