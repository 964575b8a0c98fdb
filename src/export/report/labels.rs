//! Where the map's site labels go: a greedy, deterministic placement. Each label tries positions
//! around its symbol (right, left, above-right, ...), first beside it and then on rings farther
//! out (with a leader line back to the symbol); it takes the first one that stays on the map and
//! meets no label placed before it and no site symbol. Labels are placed largest site first, so
//! the sites that matter most keep their labels beside them; a label that finds no room anywhere
//! is left out and named in a list under the map.

/// Width of a label character in the map's font (11 px, semibold), for sizing a label's box:
/// a little wider than the widest capitals, so that the box estimated holds the text drawn.
const CHAR_W: f64 = 8.2;
/// A label box's height, and its baseline below the box's top (11 px text).
const BOX_H: f64 = 13.0;
const BASELINE: f64 = 10.0;
/// Room kept clear around each label box, so that neighbouring labels do not touch.
const MARGIN: f64 = 1.5;
/// A label's distance from its symbol on the first ring, and each further ring's step out.
const GAP: f64 = 3.0;
const RING_STEP: f64 = 14.0;
/// Rings tried: past the last a label has moved too far to read as its site's.
const RINGS: usize = 6;
/// Room kept between a label and the map's edge.
const EDGE: f64 = 2.0;
/// Unit directions around a symbol, in the order tried: right and left first (a label reads
/// best beside its symbol), then the diagonals, then above and below.
/// The diagonals' component, cos 45°.
const D: f64 = std::f64::consts::FRAC_1_SQRT_2;
const DIRECTIONS: [(f64, f64); 8] = [
    (1.0, 0.0),
    (-1.0, 0.0),
    (D, -D),
    (-D, -D),
    (D, D),
    (-D, D),
    (0.0, -1.0),
    (0.0, 1.0),
];

/// A point to label: its symbol's centre and radius, and the text.
pub(super) struct Wanted {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) r: f64,
    pub(super) text: String,
}

/// A label box: left, top, width, height, in the map's pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Box2 {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl Box2 {
    fn overlaps(&self, o: &Box2) -> bool {
        self.x < o.x + o.w + MARGIN
            && o.x < self.x + self.w + MARGIN
            && self.y < o.y + o.h + MARGIN
            && o.y < self.y + self.h + MARGIN
    }

    /// Whether the circle at (cx, cy) with radius r meets this box.
    fn meets_circle(&self, cx: f64, cy: f64, r: f64) -> bool {
        let nx = cx.clamp(self.x, self.x + self.w);
        let ny = cy.clamp(self.y, self.y + self.h);
        (nx - cx).powi(2) + (ny - cy).powi(2) < r * r
    }

    /// The point of the box nearest (px, py): where a leader line ends.
    fn nearest(&self, px: f64, py: f64) -> (f64, f64) {
        (
            px.clamp(self.x, self.x + self.w),
            py.clamp(self.y, self.y + self.h),
        )
    }
}

/// A placed label: its box, its text's baseline, and whether it needs a leader line.
pub(super) struct Placed {
    pub(super) index: usize,
    pub(super) at: Box2,
    pub(super) baseline: f64,
    pub(super) leader: Option<((f64, f64), (f64, f64))>,
}

/// The outcome: the labels placed, and the indices of those left out for want of room.
pub(super) struct Placement {
    pub(super) placed: Vec<Placed>,
    pub(super) dropped: Vec<usize>,
}

/// The box of `text` when put in direction `dir` at distance `d` from (x, y): the box's side
/// or corner facing the point sits on that circle.
fn box_at(x: f64, y: f64, d: f64, dir: (f64, f64), text: &str) -> Box2 {
    let w = CHAR_W * text.chars().count() as f64;
    let (ax, ay) = (x + dir.0 * d, y + dir.1 * d);
    // the anchor is the box's left edge right of the point, its right edge left of it, its
    // middle straight above or below; likewise its top below the point, its bottom above
    let share = |v: f64| {
        if v > 0.1 {
            0.0
        } else if v < -0.1 {
            1.0
        } else {
            0.5
        }
    };
    let left = ax - w * share(dir.0);
    let top = ay - BOX_H * share(dir.1);
    Box2 {
        x: left,
        y: top,
        w,
        h: BOX_H,
    }
}

/// Places the labels of `wanted` in a map of `width` x `height` pixels: largest symbol first,
/// each at the first free position. Deterministic: the same points give the same placement.
pub(super) fn place(wanted: &[Wanted], width: f64, height: f64) -> Placement {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| {
        wanted[b]
            .r
            .total_cmp(&wanted[a].r)
            .then_with(|| wanted[a].text.cmp(&wanted[b].text))
    });
    let mut out = Placement {
        placed: Vec::new(),
        dropped: Vec::new(),
    };
    for i in order {
        match find_room(wanted, i, &out.placed, width, height) {
            Some(p) => out.placed.push(p),
            None => out.dropped.push(i),
        }
    }
    out.dropped.sort_unstable();
    out
}

/// The first position for label `i` that stays on the map and is clear of every label placed
/// and every symbol; `None` when there is none within the rings.
fn find_room(
    wanted: &[Wanted],
    i: usize,
    placed: &[Placed],
    width: f64,
    height: f64,
) -> Option<Placed> {
    let w = &wanted[i];
    let inside = |b: &Box2| {
        b.x >= EDGE && b.y >= EDGE && b.x + b.w <= width - EDGE && b.y + b.h <= height - EDGE
    };
    for ring in 0..RINGS {
        let d = w.r + GAP + RING_STEP * ring as f64;
        for dir in DIRECTIONS {
            let b = box_at(w.x, w.y, d, dir, &w.text);
            let clear = inside(&b)
                && placed.iter().all(|p| !p.at.overlaps(&b))
                && wanted.iter().all(|o| !b.meets_circle(o.x, o.y, o.r));
            if clear {
                let leader = (ring > 0).then(|| {
                    let end = b.nearest(w.x, w.y);
                    let len = ((end.0 - w.x).powi(2) + (end.1 - w.y).powi(2)).sqrt();
                    let edge = (
                        w.x + (end.0 - w.x) * w.r / len,
                        w.y + (end.1 - w.y) * w.r / len,
                    );
                    (edge, end)
                });
                return Some(Placed {
                    index: i,
                    at: b,
                    baseline: b.y + BASELINE,
                    leader,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(x: f64, y: f64, r: f64, text: &str) -> Wanted {
        Wanted {
            x,
            y,
            r,
            text: text.into(),
        }
    }

    #[test]
    fn crowded_labels_do_not_overlap_each_other_or_symbols() {
        // three sites a few pixels apart, as S-MSK, S-NYP and S-HUMC are in the demo
        let wanted = [
            site(400.0, 300.0, 14.0, "S-MSK"),
            site(404.0, 290.0, 12.0, "S-NYP"),
            site(396.0, 283.0, 12.0, "S-HUMC"),
            site(420.0, 300.0, 10.0, "S-MORRIS"),
        ];
        let p = place(&wanted, 760.0, 560.0);
        assert!(p.dropped.is_empty());
        for (k, a) in p.placed.iter().enumerate() {
            for b in &p.placed[k + 1..] {
                assert!(!a.at.overlaps(&b.at), "{:?} and {:?}", a.at, b.at);
            }
            for o in &wanted {
                assert!(!a.at.meets_circle(o.x, o.y, o.r));
            }
        }
        // the largest keeps its label beside it
        let first = p.placed.iter().find(|x| x.index == 0).unwrap();
        assert!(first.leader.is_none());
    }

    #[test]
    fn a_label_with_no_room_is_dropped_and_the_rest_stay() {
        // a map with room for one label, right of A; B's would overlap it or leave the map
        let wanted = [site(10.0, 8.5, 2.0, "A"), site(12.0, 8.5, 2.0, "B")];
        let p = place(&wanted, 30.0, 17.0);
        assert_eq!(p.placed.len(), 1);
        assert_eq!(p.placed[0].index, 0);
        assert_eq!(p.dropped, [1]);
    }

    #[test]
    fn near_the_right_edge_a_label_goes_left() {
        let p = place(&[site(750.0, 100.0, 6.0, "S-EDGE")], 760.0, 560.0);
        assert!(p.placed[0].at.x + p.placed[0].at.w < 750.0);
    }
}
