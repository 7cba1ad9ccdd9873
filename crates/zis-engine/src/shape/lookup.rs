//! A path resolved on a shape: the shape of what it finds, whether that may be `null`, and
//! what may go wrong on the way ([`Trouble`]).
//!
//! Only names and indexes are followed; a wildcard, slice, filter or `..` step, or a step
//! into [`Shape::Unknown`], ends the walk with an unknown result and no trouble: what is
//! not known is never reported.

use super::Shape;
use crate::path::{Root, Segment, Selector};

/// What may go wrong resolving a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Trouble {
    /// A closed object has no such field on any way: the path never resolves.
    Missing {
        /// The path up to the object, e.g. `$.input.ticket_event.ticket`.
        parent: String,
        /// The field asked for.
        name: String,
        /// The fields the object has.
        has: Vec<String>,
    },
    /// The step goes into a value that is not an object or array.
    NotContainer {
        /// The path up to the value.
        parent: String,
        /// What the value is ("a number").
        found: String,
    },
    /// The field is absent on some way to here.
    MaybeAbsent {
        /// The path to the field.
        at: String,
    },
    /// The path goes on through a value that may be `null`.
    MaybeNull {
        /// The path to the value.
        at: String,
    },
}

/// The result of resolving a path on a shape.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Resolved {
    /// The shape found (unknown when the walk stopped).
    pub shape: Shape,
    /// The value found may be `null`.
    pub nullable: bool,
    /// The value found may be absent (its last field is optional).
    pub optional: bool,
    /// What may go wrong, in path order; a [`Trouble::Missing`] or
    /// [`Trouble::NotContainer`] is last.
    pub troubles: Vec<Trouble>,
}

impl Resolved {
    /// True when the path certainly fails.
    pub fn fails(&self) -> bool {
        self.troubles
            .iter()
            .any(|t| matches!(t, Trouble::Missing { .. } | Trouble::NotContainer { .. }))
    }
}

/// Resolves `segments` on `root`. `root_text` is how the root is written (`$`, `$$`).
pub fn resolve(root: &Shape, root_text: &str, segments: &[Segment]) -> Resolved {
    let mut here = root;
    let mut text = root_text.to_string();
    let mut out = Resolved::default();
    let (mut nullable, mut optional) = (false, false);
    for seg in segments {
        if seg.descendant {
            return out;
        }
        if nullable {
            out.troubles.push(Trouble::MaybeNull { at: text.clone() });
        }
        let (next, required, may_be_null) = match (&seg.selector, here) {
            (_, Shape::Unknown) => return out,
            (Selector::Name(name), Shape::Object(obj)) => match obj.fields.get(name) {
                Some(f) => (&f.shape, f.required, f.nullable),
                None if obj.open => return out,
                None => {
                    out.troubles.push(Trouble::Missing {
                        parent: text,
                        name: name.clone(),
                        has: obj.fields.keys().cloned().collect(),
                    });
                    return out;
                }
            },
            // An index into an array of unknown length: the item's shape, not reported.
            (Selector::Index(_), Shape::Array(item)) => (item.as_ref(), true, false),
            (Selector::Name(_) | Selector::Index(_), Shape::Array(_) | Shape::Object(_)) => {
                return out;
            }
            (Selector::Name(_) | Selector::Index(_), other) => {
                out.troubles.push(Trouble::NotContainer {
                    parent: text,
                    found: other.describe(),
                });
                return out;
            }
            _ => return out,
        };
        text.push_str(&step_text(&seg.selector));
        if !required {
            out.troubles.push(Trouble::MaybeAbsent { at: text.clone() });
        }
        here = next;
        nullable = may_be_null;
        optional = !required;
    }
    out.shape = here.clone();
    out.nullable = nullable;
    out.optional = optional;
    out
}

/// How a step is written after the path so far.
pub fn step_text(sel: &Selector) -> String {
    match sel {
        Selector::Name(n)
            if n.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && !n.is_empty() =>
        {
            format!(".{n}")
        }
        Selector::Name(n) => format!("['{n}']"),
        Selector::Index(i) => format!("[{i}]"),
        _ => String::new(),
    }
}

/// How a path root is written.
pub fn root_text(root: &Root) -> String {
    match root {
        Root::Data => "$".into(),
        Root::Context => "$$".into(),
        Root::Variable(v) => format!("${v}"),
    }
}

/// The field of `has` most like `name` (a misspelling, or a field that holds it such as
/// `requester_id` for `requester`), if any is close.
pub fn closest<'h>(name: &str, has: &'h [String]) -> Option<&'h str> {
    let lower = name.to_lowercase();
    has.iter()
        .filter_map(|h| {
            let hl = h.to_lowercase();
            let shorter = lower.chars().count().min(hl.chars().count());
            // One holds the other (`requester` in `requester_id`), or a slip of a letter or
            // two for a long enough name.
            let d = if shorter >= 3 && (hl.starts_with(&lower) || lower.starts_with(&hl)) {
                1
            } else {
                distance(&lower, &hl)
            };
            (d <= (shorter / 3).max(1)).then_some((d, h.as_str()))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, h)| h)
}

/// Edit distance with adjacent transpositions (`nmae` is one slip from `name`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::parse;
    use serde_json::json;

    fn at(shape: &Shape, p: &str) -> Resolved {
        let path = parse(p).unwrap();
        resolve(shape, "$", &path.segments)
    }

    #[test]
    fn a_path_finds_its_shape_or_says_where_it_breaks() {
        let s = Shape::of(&json!({"ticket": {"requester_id": 1, "assignee_id": null,
                                              "tags": ["a"]}}));
        let r = at(&s, "$.ticket.requester_id");
        assert_eq!((r.shape, r.troubles.len()), (Shape::Number, 0));
        let r = at(&s, "$.ticket.requester.email");
        assert_eq!(
            r.troubles,
            vec![Trouble::Missing {
                parent: "$.ticket".into(),
                name: "requester".into(),
                has: vec!["assignee_id".into(), "requester_id".into(), "tags".into()]
            }]
        );
        assert_eq!(
            closest("requester", &["assignee_id".into(), "requester_id".into()]),
            Some("requester_id")
        );
        let r = at(&s, "$.ticket.assignee_id.name");
        assert!(
            matches!(&r.troubles[0], Trouble::MaybeNull { at } if at == "$.ticket.assignee_id")
        );
        let r = at(&s, "$.ticket.tags[0]");
        assert_eq!(r.shape, Shape::String(None));
        assert!(at(&s, "$.ticket.requester_id.x").fails());
        assert!(at(&s, "$.ticket.tags[*]").troubles.is_empty());
        assert!(at(&Shape::Unknown, "$.a.b.c").troubles.is_empty());
        let has: Vec<String> = ["r", "name", "input"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("nmae", &has), Some("name"));
        assert_eq!(closest("err", &has), None);
        assert_eq!(closest("inp", &has), Some("input"));
    }
}
