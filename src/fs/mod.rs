//! The file system: files written atomically, alone or as a set ([`write_all_atomic`]), and
//! output folders checked and locked ([`folder`]). Exporters, importers and the benchmark write
//! through here, so a reader never sees a half-written file or a set half replaced.

mod atomic;
pub mod folder;

pub use atomic::{remove_temporaries, write_all_atomic, write_atomic};
