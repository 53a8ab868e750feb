//! Where a chart's point labels go so that none overprints another: each
//! tries a few places around its point, the first free one wins, and a
//! label with no free place is pushed down until it is free.

/// A label's box at 10 px: its width from its characters (no wide glyphs
/// in configuration names), its height one line.
const CHAR_PX: f64 = 6.2;
const LINE_PX: f64 = 12.0;

/// A label's text baseline start `(x, y)` for a point at `(px, py)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
}

#[derive(Clone, Copy)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn of(x: f64, y: f64, chars: usize) -> Rect {
        Rect {
            x0: x,
            y0: y - LINE_PX + 2.0,
            x1: x + chars as f64 * CHAR_PX,
            y1: y + 2.0,
        }
    }
    fn meets(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// Places for labels of `chars` characters at points `(px, py)`, in the
/// order given (earlier ones keep the best places).
pub fn place(points: &[(f64, f64, usize)]) -> Vec<Placed> {
    let mut taken: Vec<Rect> = Vec::new();
    let mut out = Vec::with_capacity(points.len());
    for &(px, py, chars) in points {
        let width = chars as f64 * CHAR_PX;
        let candidates = [
            (px + 7.0, py - 6.0),
            (px + 7.0, py + 14.0),
            (px - 7.0 - width, py - 6.0),
            (px - 7.0 - width, py + 14.0),
        ];
        let free = |(x, y): (f64, f64)| !taken.iter().any(|t| t.meets(&Rect::of(x, y, chars)));
        let (mut x, mut y) = candidates
            .iter()
            .copied()
            .find(|c| free(*c))
            .unwrap_or(candidates[0]);
        while !free((x, y)) {
            y += LINE_PX;
            x = candidates[0].0;
        }
        taken.push(Rect::of(x, y, chars));
        out.push(Placed { x, y });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_points_at_one_place_never_overlap() {
        let pts: Vec<(f64, f64, usize)> = (0..12)
            .map(|i| (100.0 + (i % 3) as f64, 50.0, 10 + i))
            .collect();
        let placed = place(&pts);
        let rects: Vec<Rect> = placed
            .iter()
            .zip(&pts)
            .map(|(p, (_, _, n))| Rect::of(p.x, p.y, *n))
            .collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.meets(b));
            }
        }
        // A lone point keeps its first place.
        assert_eq!(place(&[(10.0, 20.0, 4)]), [Placed { x: 17.0, y: 14.0 }]);
    }
}
