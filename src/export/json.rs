//! plan.json: the plan as DESIGN §7 gives it, pretty-printed with a final newline.

use crate::plan::Plan;
use std::io;

pub fn render(plan: &Plan) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(plan).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}
