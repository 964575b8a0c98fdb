//! Ids of the input's rows, looked up by position: one helper for every reader of a plan or an
//! instance (it knows nothing of the model or the plan, so `verify` can use it and stay
//! independent of them).

use std::collections::HashMap;

/// Id -> position in its file, from the ids in file order.
pub fn index_by_id<'a>(ids: impl IntoIterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_their_position() {
        let index = index_by_id(["D-1", "D-2", "D-3"]);
        assert_eq!(index["D-1"], 0);
        assert_eq!(index["D-3"], 2);
        assert_eq!(index.len(), 3);
    }
}
