//! Wires routed around the nodes, with right angles, as a diagram editor draws them: no
//! wire passes through a state's box, whether it goes down to the next layer, jumps over
//! several (a Catch to a Fail far below) or loops back up.
//!
//! A wire leaves its source at its output pin on the box's right edge, runs right a short
//! stub (longer for the pins higher up, so a node's wires fan out without crossing) and
//! enters its target from above, at a point of the top edge (a target's incoming wires are
//! spread along it in the order of their sources). Between the two it takes the cheapest
//! path on a sparse grid made of lines a margin away from every box (and half way across
//! every wide gap) in the area around its ends: cost is length plus a penalty per bend, so
//! wires run straight through the gaps the layout left ([`super::layout`] keeps a column
//! free where a long edge passes). A* with the direction in the state finds it.
//!
//! Pure and deterministic: boxes and pins in, polylines out, the same for the window (real
//! node frames) and the SVG export (estimated ones).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A point in graph units.
pub type Point = [f32; 2];

/// A node's box in graph units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// Top-left corner.
    pub min: Point,
    /// Bottom-right corner.
    pub max: Point,
}

impl Bounds {
    /// The box from its top-left corner and size.
    pub fn new(pos: Point, size: [f32; 2]) -> Self {
        Bounds {
            min: pos,
            max: [pos[0] + size[0], pos[1] + size[1]],
        }
    }

    fn expand(self, by: f32) -> Self {
        Bounds {
            min: [self.min[0] - by, self.min[1] - by],
            max: [self.max[0] + by, self.max[1] + by],
        }
    }

    fn union(self, o: Bounds) -> Self {
        Bounds {
            min: [self.min[0].min(o.min[0]), self.min[1].min(o.min[1])],
            max: [self.max[0].max(o.max[0]), self.max[1].max(o.max[1])],
        }
    }

    fn intersects(&self, o: &Bounds) -> bool {
        self.min[0] < o.max[0]
            && o.min[0] < self.max[0]
            && self.min[1] < o.max[1]
            && o.min[1] < self.max[1]
    }

    /// Whether a point lies strictly inside.
    pub fn contains(&self, p: Point) -> bool {
        p[0] > self.min[0] && p[0] < self.max[0] && p[1] > self.min[1] && p[1] < self.max[1]
    }
}

/// One wire to route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wire {
    /// Index of the source's box.
    pub from: usize,
    /// Index of the target's box.
    pub to: usize,
    /// The output pin: a point on the source box's right edge.
    pub pin: Point,
}

/// How far routes keep from a box.
pub const MARGIN: f32 = 14.0;
/// The shortest stub from a pin.
const STUB: f32 = 14.0;
/// How much longer each pin's stub is than the one below it.
const FAN: f32 = 8.0;
/// A bend costs as much as this length.
const BEND: f32 = 40.0;
/// Around a wire's ends, the area whose boxes it routes around.
const AREA: f32 = 160.0;
/// Boxes are this much larger as obstacles (a route never touches a frame).
const PAD: f32 = 3.0;
/// A grid with more points than this is not searched (the wire gets a simple path).
const MAX_GRID: usize = 300_000;

/// Routes every wire (see the module doc); the result is in the order of `wires`, each a
/// polyline from the pin to the target's top edge, corners only.
pub fn route(boxes: &[Bounds], wires: &[Wire]) -> Vec<Vec<Point>> {
    // Stubs: the pins higher on a node get longer ones.
    let stubs: Vec<f32> = wires
        .iter()
        .map(|w| {
            let below = wires
                .iter()
                .filter(|o| o.from == w.from && o.pin[1] > w.pin[1])
                .count();
            STUB + FAN * below as f32
        })
        .collect();
    // Entries: spread along the target's top in the order of the sources.
    let mut entries = vec![0.0_f32; wires.len()];
    for (t, b) in boxes.iter().enumerate() {
        let mut incoming: Vec<usize> = (0..wires.len()).filter(|&k| wires[k].to == t).collect();
        incoming.sort_by(|&a, &c| {
            let (pa, pc) = (wires[a].pin, wires[c].pin);
            pa[0]
                .total_cmp(&pc[0])
                .then(pa[1].total_cmp(&pc[1]))
                .then(a.cmp(&c))
        });
        let width = b.max[0] - b.min[0];
        let centre = (b.min[0] + b.max[0]) / 2.0;
        let k = incoming.len();
        let spacing = if k > 1 {
            ((width - 24.0) / (k - 1) as f32).clamp(0.0, 14.0)
        } else {
            0.0
        };
        for (n, &w) in incoming.iter().enumerate() {
            entries[w] = centre + (n as f32 - (k - 1) as f32 / 2.0) * spacing;
        }
    }
    let mut paths: Vec<Vec<Point>> = wires
        .iter()
        .enumerate()
        .map(|(k, w)| {
            let s = w.pin;
            let s1 = [s[0] + stubs[k], s[1]];
            let top = boxes.get(w.to).map_or(s[1], |b| b.min[1]);
            let t = [entries[k], top];
            let t1 = [t[0], top - MARGIN];
            let middle = search(boxes, s1, t1).unwrap_or_else(|| {
                let mid = [s1[0], t1[1]];
                vec![s1, mid, t1]
            });
            let mut path = vec![s];
            path.extend(middle);
            path.push(t);
            simplify(square(path))
        })
        .collect();
    nudge(&mut paths, boxes);
    paths
}

/// Spreads the inner segments of different wires that run on one line over the same
/// stretch a few units apart, so each can be followed (a Catch beside a Next, not on it).
/// A segment moves only where the move keeps it out of every box; ends never move.
fn nudge(paths: &mut [Vec<Point>], boxes: &[Bounds]) {
    const GAP: f32 = 5.0;
    for axis in 0..2 {
        // (fixed coordinate, low, high, wire, segment): vertical segments for axis 0 (x
        // fixed), horizontal ones for axis 1.
        let mut segs: Vec<(f32, f32, f32, usize, usize)> = Vec::new();
        for (w, p) in paths.iter().enumerate() {
            for k in 1..p.len().saturating_sub(2) {
                let (a, b) = (p[k], p[k + 1]);
                let other = 1 - axis;
                if (a[axis] - b[axis]).abs() < 0.01 {
                    segs.push((
                        a[axis],
                        a[other].min(b[other]),
                        a[other].max(b[other]),
                        w,
                        k,
                    ));
                }
            }
        }
        segs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut used = vec![false; segs.len()];
        for i in 0..segs.len() {
            if used[i] {
                continue;
            }
            // The wires sharing this line with overlapping stretches.
            let mut group = vec![i];
            for j in i + 1..segs.len() {
                if (segs[j].0 - segs[i].0).abs() > 0.5 {
                    break;
                }
                let overlaps = group
                    .iter()
                    .any(|&g| segs[j].1 < segs[g].2 - 1.0 && segs[g].1 < segs[j].2 - 1.0);
                if overlaps && !group.iter().any(|&g| segs[g].3 == segs[j].3) {
                    group.push(j);
                }
            }
            if group.len() < 2 {
                continue;
            }
            let n = group.len() as f32;
            for (rank, &g) in group.iter().enumerate() {
                used[g] = true;
                let shift = (rank as f32 - (n - 1.0) / 2.0) * GAP;
                let (c, lo, hi, w, k) = segs[g];
                let moved = c + shift;
                let seg = |v: f32| -> Bounds {
                    let (x0, x1, y0, y1) = if axis == 0 {
                        (moved, moved, lo, hi)
                    } else {
                        (lo, hi, moved, moved)
                    };
                    Bounds {
                        min: [x0.min(x1) - v, y0.min(y1) - v],
                        max: [x0.max(x1) + v, y0.max(y1) + v],
                    }
                };
                let clear = boxes.iter().all(|b| !b.intersects(&seg(1.0)));
                if clear {
                    paths[w][k][axis] = moved;
                    paths[w][k + 1][axis] = moved;
                }
            }
        }
    }
}

/// Makes segments that are a fraction off straight (two ends merged on the grid) exactly
/// straight, from the target back: a point moves to line up with the one after it, so
/// the target's entry stays exact (the pin too: the first point never moves).
fn square(mut points: Vec<Point>) -> Vec<Point> {
    for k in (1..points.len()).rev() {
        let (before, after) = points.split_at_mut(k);
        let (p, q) = (&mut before[k - 1], &mut after[0]);
        for (a, b) in p.iter_mut().zip(q.iter_mut()) {
            let d = (*b - *a).abs();
            if d > 0.0 && d < 1.0 {
                if k == 1 {
                    *b = *a;
                } else {
                    *a = *b;
                }
            }
        }
    }
    points
}

/// Drops repeated points and the middle of straight runs.
fn simplify(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out
            .last()
            .is_some_and(|q| (q[0] - p[0]).abs() < 0.01 && (q[1] - p[1]).abs() < 0.01)
        {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight = ((a[0] - b[0]).abs() < 0.01 && (b[0] - p[0]).abs() < 0.01)
                || ((a[1] - b[1]).abs() < 0.01 && (b[1] - p[1]).abs() < 0.01);
            if straight {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Sorted coordinates with near-equal ones merged, and a line half way across every gap
/// wider than three margins.
fn lines(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(f32::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    let mut out = Vec::with_capacity(v.len() * 2);
    for (k, &x) in v.iter().enumerate() {
        if k > 0 && x - v[k - 1] > 3.0 * MARGIN {
            out.push((x + v[k - 1]) / 2.0);
        }
        out.push(x);
    }
    out
}

/// Index of the coordinate nearest to `x`.
fn nearest(v: &[f32], x: f32) -> usize {
    let k = v.partition_point(|&c| c < x);
    if k == 0 {
        0
    } else if k == v.len() || (x - v[k - 1]) <= (v[k] - x) {
        k - 1
    } else {
        k
    }
}

/// The cheapest path from `s1` (heading right) to `t1` (then down), around the boxes; `None`
/// when there is none in the area or the area is too large to search.
fn search(boxes: &[Bounds], s1: Point, t1: Point) -> Option<Vec<Point>> {
    let mut area = Bounds {
        min: [s1[0].min(t1[0]), s1[1].min(t1[1])],
        max: [s1[0].max(t1[0]), s1[1].max(t1[1])],
    }
    .expand(AREA);
    let mut obstacles: Vec<Bounds> = Vec::new();
    for _ in 0..2 {
        obstacles = boxes
            .iter()
            .filter(|b| b.intersects(&area))
            .map(|b| b.expand(PAD))
            .collect();
        area = obstacles
            .iter()
            .fold(area, |a, b| a.union(b.expand(2.0 * MARGIN)));
    }
    if obstacles.iter().any(|b| b.contains(s1) || b.contains(t1)) {
        return None;
    }
    let mut xs = vec![area.min[0], area.max[0], s1[0], t1[0]];
    let mut ys = vec![area.min[1], area.max[1], s1[1], t1[1]];
    let off = MARGIN - PAD;
    for b in &obstacles {
        xs.extend([b.min[0], b.max[0], b.min[0] - off, b.max[0] + off]);
        ys.extend([b.min[1], b.max[1], b.min[1] - off, b.max[1] + off]);
    }
    let (mut xs, mut ys) = (lines(xs), lines(ys));
    // The ends lie exactly on lines (merging may have moved a line a fraction).
    let snap = |v: &mut Vec<f32>, c: f32| {
        let k = nearest(v, c);
        v[k] = c;
    };
    snap(&mut xs, s1[0]);
    snap(&mut xs, t1[0]);
    snap(&mut ys, s1[1]);
    snap(&mut ys, t1[1]);
    let (nx, ny) = (xs.len(), ys.len());
    if nx * ny > MAX_GRID {
        return None;
    }
    // Cell (i, j) lies between lines i, i+1 and j, j+1; every box edge is a line, so a cell
    // is wholly inside a box or wholly outside.
    let mut blocked = vec![false; (nx - 1) * (ny - 1)];
    for b in &obstacles {
        let (i0, i1) = (nearest(&xs, b.min[0]), nearest(&xs, b.max[0]));
        let (j0, j1) = (nearest(&ys, b.min[1]), nearest(&ys, b.max[1]));
        for i in i0..i1 {
            for j in j0..j1 {
                blocked[i * (ny - 1) + j] = true;
            }
        }
    }
    let cell = |i: isize, j: isize| {
        i >= 0
            && j >= 0
            && (i as usize) < nx - 1
            && (j as usize) < ny - 1
            && blocked[i as usize * (ny - 1) + j as usize]
    };
    // A segment may run beside free cells only (not along a box's edge, not through it).
    let free = |i: usize, j: usize, d: usize| -> bool {
        let (i, j) = (i as isize, j as isize);
        match d {
            0 => !cell(i, j - 1) && !cell(i, j),
            2 => !cell(i - 1, j - 1) && !cell(i - 1, j),
            1 => !cell(i - 1, j) && !cell(i, j),
            _ => !cell(i - 1, j - 1) && !cell(i, j - 1),
        }
    };
    let start = (nearest(&xs, s1[0]), nearest(&ys, s1[1]));
    let goal = (nearest(&xs, t1[0]), nearest(&ys, t1[1]));
    let index = |i: usize, j: usize, d: usize| (i * ny + j) * 4 + d;
    let mut cost = vec![f32::INFINITY; nx * ny * 4];
    let mut parent = vec![u32::MAX; nx * ny * 4];
    let h = |i: usize, j: usize| (xs[i] - xs[goal.0]).abs() + (ys[j] - ys[goal.1]).abs();
    let mut heap = BinaryHeap::new();
    let first = index(start.0, start.1, 0);
    cost[first] = 0.0;
    heap.push(Reverse((h(start.0, start.1).to_bits(), first as u32)));
    let mut reached = None;
    while let Some(Reverse((_, at))) = heap.pop() {
        let at = at as usize;
        let (d, ij) = (at % 4, at / 4);
        let (i, j) = (ij / ny, ij % ny);
        let g = cost[at];
        if (i, j) == goal {
            reached = Some(at);
            break;
        }
        for nd in 0..4 {
            if nd == (d + 2) % 4 || !free(i, j, nd) {
                continue;
            }
            let (ni, nj) = match nd {
                0 if i + 1 < nx => (i + 1, j),
                1 if j + 1 < ny => (i, j + 1),
                2 if i > 0 => (i - 1, j),
                3 if j > 0 => (i, j - 1),
                _ => continue,
            };
            let mut step = (xs[ni] - xs[i]).abs() + (ys[nj] - ys[j]).abs();
            if nd != d {
                step += BEND;
            }
            if (ni, nj) == goal && nd != 1 {
                step += BEND;
            }
            let next = index(ni, nj, nd);
            if g + step < cost[next] {
                cost[next] = g + step;
                parent[next] = at as u32;
                heap.push(Reverse(((g + step + h(ni, nj)).to_bits(), next as u32)));
            }
        }
    }
    let mut at = reached?;
    let mut points = Vec::new();
    loop {
        let ij = at / 4;
        points.push([xs[ij / ny], ys[ij % ny]]);
        if parent[at] == u32::MAX {
            break;
        }
        at = parent[at] as usize;
    }
    points.reverse();
    // The exact ends (the grid may have merged them with a line a fraction away).
    if let Some(p) = points.first_mut() {
        *p = s1;
    }
    if let Some(p) = points.last_mut() {
        *p = t1;
    }
    Some(points)
}

/// The polyline with its corners rounded (radius at most `radius`, less where a segment is
/// short), as points to draw straight lines between.
pub fn rounded(points: &[Point], radius: f32) -> Vec<Point> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut out = vec![points[0]];
    for k in 1..points.len() - 1 {
        let (a, p, b) = (points[k - 1], points[k], points[k + 1]);
        let len = |u: Point, v: Point| ((u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2)).sqrt();
        let r = radius.min(len(a, p) / 2.0).min(len(p, b) / 2.0);
        let toward = |u: Point, l: f32| {
            if l <= 0.0 {
                p
            } else {
                [p[0] + (u[0] - p[0]) * r / l, p[1] + (u[1] - p[1]) * r / l]
            }
        };
        let (p1, p2) = (toward(a, len(a, p)), toward(b, len(p, b)));
        for s in 0..=4 {
            let t = s as f32 / 4.0;
            let u = 1.0 - t;
            out.push([
                u * u * p1[0] + 2.0 * u * t * p[0] + t * t * p2[0],
                u * u * p1[1] + 2.0 * u * t * p[1] + t * t * p2[1],
            ]);
        }
    }
    out.push(points[points.len() - 1]);
    out
}

/// The shortest distance from `q` to the polyline.
pub fn distance(points: &[Point], q: Point) -> f32 {
    points
        .windows(2)
        .map(|s| {
            let (a, b) = (s[0], s[1]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let l2 = dx * dx + dy * dy;
            let t = if l2 == 0.0 {
                0.0
            } else {
                (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
            };
            let (px, py) = (a[0] + t * dx, a[1] + t * dy);
            ((q[0] - px).powi(2) + (q[1] - py).powi(2)).sqrt()
        })
        .fold(f32::INFINITY, f32::min)
}

/// Whether a segment of the polyline passes through the box's inside.
pub fn crosses(points: &[Point], b: &Bounds) -> bool {
    points.windows(2).any(|s| {
        let (a, c) = (s[0], s[1]);
        // Orthogonal segments: clip against the box.
        let (x0, x1) = (a[0].min(c[0]), a[0].max(c[0]));
        let (y0, y1) = (a[1].min(c[1]), a[1].max(c[1]));
        x0 < b.max[0] && x1 > b.min[0] && y0 < b.max[1] && y1 > b.min[1]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(x: f32, y: f32) -> Bounds {
        Bounds::new([x, y], [120.0, 60.0])
    }

    #[test]
    fn a_wire_to_the_state_below_is_short_and_square() {
        let boxes = [boxed(0.0, 0.0), boxed(0.0, 124.0)];
        let r = route(
            &boxes,
            &[Wire {
                from: 0,
                to: 1,
                pin: [120.0, 50.0],
            }],
        );
        let path = &r[0];
        assert_eq!(path[0], [120.0, 50.0]);
        assert_eq!(*path.last().unwrap(), [60.0, 124.0]);
        // Right, down, left, down: three bends at most.
        assert!(path.len() <= 5, "{path:?}");
        for s in path.windows(2) {
            assert!(
                s[0][0] == s[1][0] || s[0][1] == s[1][1],
                "not square: {path:?}"
            );
        }
        assert!(!boxes.iter().any(|b| crosses(&path[1..path.len() - 1], b)));
    }

    #[test]
    fn a_wire_goes_around_the_states_in_its_way() {
        // A above, a wall of two states in the middle, C below: the wire from A to C
        // must not cut through the middle row.
        let boxes = [
            boxed(0.0, 0.0),
            boxed(-40.0, 130.0),
            boxed(100.0, 130.0),
            boxed(0.0, 260.0),
        ];
        let r = route(
            &boxes,
            &[Wire {
                from: 0,
                to: 3,
                pin: [120.0, 50.0],
            }],
        );
        let path = &r[0];
        for b in &boxes {
            assert!(
                !crosses(&path[1..path.len() - 1], b),
                "{path:?} crosses {b:?}"
            );
        }
        assert_eq!(*path.last().unwrap(), [60.0, 260.0]);
    }

    #[test]
    fn a_loop_back_goes_up_beside_the_states_and_comes_in_from_above() {
        // A → B → C and C back to A.
        let boxes = [boxed(0.0, 0.0), boxed(0.0, 124.0), boxed(0.0, 248.0)];
        let r = route(
            &boxes,
            &[Wire {
                from: 2,
                to: 0,
                pin: [120.0, 298.0],
            }],
        );
        let path = &r[0];
        for b in &boxes {
            assert!(
                !crosses(&path[1..path.len() - 1], b),
                "{path:?} crosses {b:?}"
            );
        }
        // It ends going down into A's top.
        let n = path.len();
        assert_eq!(path[n - 1][0], path[n - 2][0]);
        assert!(path[n - 2][1] < path[n - 1][1]);
    }

    #[test]
    fn wires_into_one_state_arrive_side_by_side() {
        let boxes = [boxed(0.0, 0.0), boxed(200.0, 0.0), boxed(100.0, 124.0)];
        let r = route(
            &boxes,
            &[
                Wire {
                    from: 1,
                    to: 2,
                    pin: [320.0, 50.0],
                },
                Wire {
                    from: 0,
                    to: 2,
                    pin: [120.0, 50.0],
                },
            ],
        );
        let (a, b) = (r[0].last().unwrap()[0], r[1].last().unwrap()[0]);
        assert!(b < a, "the wire from the left arrives left: {a} {b}");
    }

    #[test]
    fn rounded_corners_stay_near_the_polyline() {
        let path = [[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]];
        let round = rounded(&path, 10.0);
        assert!(round.len() > 3);
        for p in round {
            assert!(distance(&path, p) < 4.0, "{p:?}");
        }
    }
}
