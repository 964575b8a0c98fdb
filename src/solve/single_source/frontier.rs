//! The open nodes of the branch and bound, shared by its worker threads: lowest bound first
//! (the latest made first among equal bounds), with a count of the nodes in process, so that
//! a worker finding none open waits for the others' children, and every worker ends once no
//! node is open or in process, or once one of them stops the search.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// What the queue orders a node by.
pub(super) trait Ranked {
    /// A lower bound on the node's plans.
    fn bound(&self) -> f64;
    /// When it was made: the later first among equal bounds (the deeper child).
    fn seq(&self) -> usize;
}

/// Where a node stands in the queue: lowest bound first, the latest made first among equal
/// bounds. The bound as an integer in the order of `f64::total_cmp`, so the key orders itself.
type Key = (i64, Reverse<usize>);

fn key<N: Ranked>(node: &N) -> Key {
    let bits = node.bound().to_bits() as i64;
    (
        bits ^ ((((bits >> 63) as u64) >> 1) as i64),
        Reverse(node.seq()),
    )
}

/// Open nodes in the order they are taken.
struct Queue<N>(BTreeMap<Key, N>);

impl<N: Ranked> Queue<N> {
    fn push(&mut self, node: N) {
        self.0.insert(key(&node), node);
    }
    fn pop(&mut self) -> Option<N> {
        self.0.pop_first().map(|(_, n)| n)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

struct State<N> {
    open: Queue<N>,
    /// Nodes taken and neither finished nor put back.
    busy: usize,
    stopped: bool,
}

/// Locks `m`: a worker that panicked ends the search anyway (the scope passes its panic on).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The open nodes, shared.
pub(super) struct Frontier<N> {
    state: Mutex<State<N>>,
    changed: Condvar,
}

impl<N: Ranked> Frontier<N> {
    /// A frontier holding `root` alone.
    pub fn new(root: N) -> Self {
        let mut open = Queue(BTreeMap::new());
        open.push(root);
        Frontier {
            state: Mutex::new(State {
                open,
                busy: 0,
                stopped: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<N>> {
        lock(&self.state)
    }

    /// The open node of lowest bound, now in process until [`Self::finish`] or [`Self::stop`];
    /// while none is open and others are in process, waits for their children. `None` once
    /// none is open or in process, or the search was stopped.
    pub fn take(&self) -> Option<N> {
        let mut state = self.lock();
        loop {
            if state.stopped {
                return None;
            }
            if let Some(node) = state.open.pop() {
                state.busy += 1;
                return Some(node);
            }
            if state.busy == 0 {
                return None;
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Opens `children` of a node in process, which is done unless `keep` (its worker goes on
    /// with another child of it, which stays in process).
    pub fn finish(&self, children: Vec<N>, keep: bool) {
        let mut state = self.lock();
        children.into_iter().for_each(|c| state.open.push(c));
        if !keep {
            state.busy -= 1;
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Ends the search: `node`, in process, is open again and every `take` from now on gives
    /// nothing (the nodes in process elsewhere are finished or put back by their workers).
    pub fn stop(&self, node: N) {
        let mut state = self.lock();
        state.open.push(node);
        state.busy -= 1;
        state.stopped = true;
        drop(state);
        self.changed.notify_all();
    }

    /// Whether the search was stopped, or at least `most` nodes are open.
    pub fn full(&self, most: usize) -> bool {
        let state = self.lock();
        state.stopped || state.open.len() >= most
    }

    /// Whether no node is open.
    pub fn is_empty(&self) -> bool {
        self.lock().open.0.is_empty()
    }

    /// The lowest bound of the open nodes (+inf for none).
    pub fn lowest(&self) -> f64 {
        let state = self.lock();
        state
            .open
            .0
            .first_key_value()
            .map_or(f64::INFINITY, |(_, n)| n.bound())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Item(f64, usize);

    impl Ranked for Item {
        fn bound(&self) -> f64 {
            self.0
        }
        fn seq(&self) -> usize {
            self.1
        }
    }

    /// Lowest bound first, negative ones included; the later made first among equals.
    #[test]
    fn nodes_come_lowest_bound_first_then_latest() {
        let f = Frontier::new(Item(3.0, 0));
        let first = f.take().unwrap();
        let children = vec![Item(-2.0, 1), Item(5.0, 2), Item(-2.0, 3), Item(0.5, 4)];
        f.finish(children, false);
        let order: Vec<usize> = std::iter::from_fn(|| {
            let n = f.take()?;
            f.finish(Vec::new(), false);
            Some(n.1)
        })
        .collect();
        assert_eq!((first.1, order), (0, vec![3, 1, 4, 2]));
        assert!(f.is_empty());
    }

    /// A tree of 2^DEPTH leaves searched by four threads: each node is taken once, no worker
    /// ends while another can still open nodes, and a stop leaves the node put back open.
    #[test]
    fn workers_share_the_nodes_until_none_is_left() {
        const DEPTH: usize = 10;
        let f = Frontier::new(Item(0.0, 0));
        let (taken, seq) = (AtomicUsize::new(0), AtomicUsize::new(1));
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    while let Some(n) = f.take() {
                        taken.fetch_add(1, Ordering::Relaxed);
                        let depth = n.0 as usize;
                        let children = (0..2 * usize::from(depth < DEPTH))
                            .map(|_| Item((depth + 1) as f64, seq.fetch_add(1, Ordering::Relaxed)))
                            .collect();
                        f.finish(children, false);
                    }
                });
            }
        });
        assert_eq!(taken.into_inner(), (1 << (DEPTH + 1)) - 1);
        assert!(f.is_empty());
        let f = Frontier::new(Item(1.0, 0));
        let n = f.take().unwrap();
        f.stop(n);
        assert!(f.full(usize::MAX) && f.take().is_none());
        assert_eq!(f.lowest(), 1.0);
    }
}
