//! The output shapes of ZIS's built-in actions (as [`crate::actions::Builtins`] answers,
//! zis-facts.md section 3). A config's content and a Jq program's output are unknown.

use super::{Field, Obj, Shape};

/// The shape of a link, as LoadLinks, CreateLink and PatchLink answer it.
pub fn link() -> Shape {
    let side = || {
        let mut o = Obj::default();
        o.fields.insert("name".into(), Field::required(string()));
        o.fields.insert("metadata".into(), optional(Shape::Unknown));
        Shape::Object(o)
    };
    let mut o = Obj::default();
    for k in ["id", "link_type"] {
        o.fields.insert(k.into(), Field::required(string()));
    }
    o.fields
        .insert("left_object".into(), Field::required(side()));
    o.fields
        .insert("right_object".into(), Field::required(side()));
    o.fields
        .insert("account_id".into(), optional(Shape::Number));
    for k in ["integration", "uuid", "created_at", "updated_at"] {
        o.fields.insert(k.into(), optional(string()));
    }
    Shape::Object(o)
}

fn string() -> Shape {
    Shape::String(None)
}

fn optional(shape: Shape) -> Field {
    Field {
        shape,
        required: false,
        nullable: false,
    }
}

/// The result shape of a built-in action; `None` for a name that is not built in.
pub fn result(action: &str) -> Option<Shape> {
    let name = action.strip_prefix("zis:common:")?;
    Some(match name {
        "action:LoadConfig" => Shape::object([("config", Shape::Unknown)]),
        "action:PatchConfig" | "action:DeleteLink" => Shape::object([]),
        "action:LoadLinks" => {
            let mut meta = Obj::default();
            meta.fields
                .insert("has_more".into(), Field::required(Shape::Bool(None)));
            for k in ["after", "before"] {
                meta.fields.insert(
                    k.into(),
                    Field {
                        shape: string(),
                        required: true,
                        nullable: true,
                    },
                );
            }
            Shape::object([
                ("links", Shape::Array(Box::new(link()))),
                ("meta", Shape::Object(meta)),
            ])
        }
        "action:CreateLink" | "action:PatchLink" => Shape::object([("link", link())]),
        "transform:Jq" => Shape::Unknown,
        _ => return None,
    })
}
