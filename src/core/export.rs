//! Exports, from the command line and the window: a flow's graph as SVG or PNG (rendered
//! with resvg and egui's own fonts; the layout and colours of the graph
//! view, node sizes estimated from their text), and an execution as a self-contained HTML
//! report (the graph with the path taken, then every step's data).

use crate::core::graph::{EdgeKind, FlowGraph, estimated_height, estimated_width};
use crate::core::palette;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn type_colour(t: &str) -> String {
    crate::core::palette::state(t).hex()
}

fn edge_colour(k: EdgeKind) -> String {
    crate::core::palette::edge(k).hex()
}

/// The graph as SVG; `visits` (state → count) tints visited nodes and `taken` (from, to)
/// draws the path taken thick.
pub fn svg(
    graph: &FlowGraph,
    visits: &HashMap<String, usize>,
    taken: &HashSet<(String, String)>,
) -> String {
    let rects: Vec<(f32, f32, f32, f32)> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.pos[0],
                n.pos[1],
                estimated_width(graph, i),
                estimated_height(n),
            )
        })
        .collect();
    let (mut w, mut h) = (0.0_f32, 0.0_f32);
    for (x, y, rw, rh) in &rects {
        w = w.max(x + rw);
        h = h.max(y + rh);
    }
    let pad = 30.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="{}" height="{}" font-family="sans-serif" font-size="13">"#,
        -pad,
        -pad,
        w + 2.0 * pad,
        h + 2.0 * pad,
        w + 2.0 * pad,
        h + 2.0 * pad
    );
    let _ = write!(
        out,
        r#"<rect x="-10000" y="-10000" width="20000" height="20000" fill="{}"/>"#,
        palette::CANVAS.hex()
    );
    // Edges first, under the nodes: routed around them as the window draws them, from the
    // source's output pin into the target's top, with an arrowhead.
    let boxes = crate::core::graph::estimated_boxes(graph);
    let wires = crate::core::graph::routes(graph, &boxes, |n, p| {
        crate::core::graph::estimated_pin_y(&graph.nodes[n], p)
    });
    for (e, path) in graph.edges.iter().zip(&wires) {
        let went = taken.contains(&(
            graph.nodes[e.from].name.clone(),
            graph.nodes[e.to].name.clone(),
        ));
        let (width, opacity) = if went {
            (3.5, 1.0)
        } else if taken.is_empty() {
            (1.5, 0.9)
        } else {
            (1.2, 0.35)
        };
        let dash = if e.kind == EdgeKind::Catch {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let mut d = String::new();
        for (k, p) in crate::core::route::rounded(path, 8.0).iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if k == 0 { "M" } else { "L" },
                p[0],
                p[1]
            );
        }
        let colour = edge_colour(e.kind);
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="{width}" opacity="{opacity}"{dash}/>"#,
            d.trim_end()
        );
        if let Some(end) = path.last() {
            let (x, y) = (end[0], end[1]);
            let _ = write!(
                out,
                r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}" opacity="{opacity}"/>"#,
                x - 5.0,
                y - 8.0,
                x + 5.0,
                y - 8.0,
                x,
                y
            );
        }
    }
    for (i, n) in graph.nodes.iter().enumerate() {
        let (x, y, rw, rh) = rects[i];
        let colour = type_colour(&n.type_name);
        let fill = if visits.contains_key(&n.name) {
            palette::NODE_VISITED.hex()
        } else {
            palette::NODE.hex()
        };
        let _ = write!(
            out,
            r#"<g><title>{}</title><rect x="{x}" y="{y}" width="{rw}" height="{rh}" rx="6" fill="{fill}" stroke="{colour}" stroke-width="2"/>"#,
            esc(&n.name)
        );
        let mut title = String::new();
        if n.start {
            title.push_str("▶ ");
        }
        title.push_str(&n.name);
        if let Some(c) = visits.get(&n.name) {
            let _ = write!(title, "  ×{c}");
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" fill="{colour}" font-weight="bold">{}</text>"#,
            x + 10.0,
            y + 20.0,
            esc(&title)
        );
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" fill="{colour}">{}</text>"#,
            x + 10.0,
            y + 39.0,
            esc(&n.type_name)
        );
        if !n.fact.is_empty() {
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" fill="{}" font-family="monospace">{}</text>"##,
                x + 10.0,
                y + 57.0,
                palette::TEXT.hex(),
                esc(&crate::core::graph::clip(&n.fact))
            );
        }
        // Outputs with what they lead to; the editor's "+ rule" and "+ catch" stay out.
        for (p, port) in n.ports.iter().enumerate() {
            if matches!(
                port.port,
                crate::core::edit::Port::NewRule | crate::core::edit::Port::NewCatch
            ) {
                continue;
            }
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" fill="{}" text-anchor="end">{}</text>"#,
                x + rw - 10.0,
                y + crate::core::graph::estimated_pin_y(n, p) + 4.5,
                edge_colour(port.kind),
                esc(&crate::core::graph::clip_label(&port.label))
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>\n");
    out
}

/// What a stored history entry records beyond the flow's own work, in words: the mocks
/// that answered its calls and the debugger's marks (a forced branch, an edited result or
/// data, a redrive, an older definition).
pub fn step_notes(step: &Value) -> Vec<String> {
    let mut notes = Vec::new();
    for c in step["mocked"].as_array().into_iter().flatten() {
        if let Ok(call) = serde_json::from_value::<crate::core::debug::Call>(c.clone())
            && let Some(label) = call.mock_label()
        {
            notes.push(format!("{}: {label}", call.action));
        }
    }
    for m in step["marks"].as_array().into_iter().flatten() {
        if let Ok(mark) = serde_json::from_value::<crate::core::debug::Mark>(m.clone()) {
            notes.push(mark.label());
        }
    }
    notes
}

/// A self-contained HTML report of an execution: its outcome, the graph with the path
/// taken, and every step's data.
pub fn html_report(title: &str, graph_svg: &str, status: &str, steps: &[Value]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!doctype html><html><head><meta charset="utf-8"><title>{t}</title><style>
body{{background:{page};color:{page_text};font-family:sans-serif;margin:24px}}
h1{{font-size:20px}} .graph{{overflow:auto;border:1px solid {border};margin:12px 0}}
details{{margin:6px 0;border-left:3px solid {blue};padding-left:8px}}
summary{{cursor:pointer}} pre{{background:{canvas};padding:8px;overflow:auto}}
.err{{color:{red}}} .note{{color:{amber}}}</style></head><body><h1>{t}</h1><p>{s}</p><div class="graph">{g}</div><h2>Steps</h2>"#,
        page = palette::PAGE.hex(),
        page_text = palette::PAGE_TEXT.hex(),
        border = palette::BORDER.hex(),
        blue = palette::BLUE.hex(),
        canvas = palette::CANVAS.hex(),
        red = palette::RED.hex(),
        amber = palette::AMBER.hex(),
        t = esc(title),
        s = esc(status),
        g = graph_svg
    );
    for (i, e) in steps.iter().enumerate() {
        let state = e["state"].as_str().unwrap_or("?");
        let next = e["next"].as_str().unwrap_or("end");
        let err = e
            .get("error")
            .filter(|v| !v.is_null())
            .map(|v| format!(" <span class=\"err\">{}</span>", esc(&v.to_string())))
            .unwrap_or_default();
        let notes = step_notes(e);
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"note\">({})</span>", esc(&notes.join(" · ")))
        };
        let _ = write!(
            out,
            "<details><summary>{}. {} → {}{err}{notes}</summary>",
            i + 1,
            esc(state),
            esc(next)
        );
        for (field, name) in [
            ("input", "Before"),
            ("after_parameters", "Parameters"),
            ("result", "Result"),
            ("output", "After"),
        ] {
            if let Some(v) = e.get(field).filter(|v| !v.is_null()) {
                let _ = write!(
                    out,
                    "<h4>{name}</h4><pre>{}</pre>",
                    esc(&serde_json::to_string_pretty(v).unwrap_or_default())
                );
            }
        }
        out.push_str("</details>");
    }
    out.push_str("</body></html>\n");
    out
}

/// Renders an SVG (as [`svg`] writes it) to PNG bytes, at `scale` pixels per unit, with the
/// fonts egui ships (no system fonts needed).
pub fn png(svg_text: &str, scale: f32) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context as _;
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    {
        let db = options.fontdb_mut();
        for font in [
            epaint_default_fonts::UBUNTU_LIGHT,
            epaint_default_fonts::HACK_REGULAR,
            epaint_default_fonts::NOTO_EMOJI_REGULAR,
            epaint_default_fonts::EMOJI_ICON,
        ] {
            db.load_font_data(font.to_vec());
        }
        db.set_sans_serif_family("Ubuntu");
        db.set_monospace_family("Hack");
    }
    options.font_family = "Ubuntu".into();
    let tree = usvg::Tree::from_str(svg_text, &options).context("the SVG does not parse")?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil().max(1.0) as u32,
        (size.height() * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).with_context(|| format!("cannot make a {w}×{h} image"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode the PNG")
}

/// The typed graph of a bundle's flow (`key`, or the first flow when `None`).
pub fn flow_graph(bundle: &Value, key: Option<&str>) -> anyhow::Result<(String, FlowGraph)> {
    use anyhow::Context as _;
    let key = match key {
        Some(k) => k.to_string(),
        None => bundle["resources"]
            .as_object()
            .and_then(|r| r.iter().find(|(_, v)| v["type"] == "ZIS::Flow"))
            .map(|(k, _)| k.clone())
            .context("the bundle has no flow")?,
    };
    let def = bundle
        .pointer(&format!(
            "/resources/{}/properties/definition",
            zis_engine::json::pointer::escape(&key)
        ))
        .with_context(|| format!("no flow {key}"))?;
    let (flow, _) = zis_engine::model::FlowDefinition::from_value(def, "");
    let graph = crate::core::graph::build(&key, &flow, &HashMap::new());
    Ok((key, graph))
}

/// The transitions (from, to) a session's steps took.
pub fn path_taken(s: &crate::core::debug::Session) -> HashSet<(String, String)> {
    s.steps
        .iter()
        .filter_map(|st| Some((st.event.state.clone(), st.event.next.clone()?)))
        .collect()
}

/// The HTML report of a debugger session's execution on `graph`.
pub fn session_report(graph: &FlowGraph, s: &crate::core::debug::Session) -> String {
    let visits = s.visits();
    let taken = path_taken(s);
    let steps: Vec<Value> = s
        .steps
        .iter()
        .map(|st| {
            let mut v = serde_json::to_value(&st.event).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.extend(crate::core::debug::notes_of(st));
            }
            v
        })
        .collect();
    let status = match s.status() {
        zis_engine::run::execution::Status::Succeeded { .. } => "succeeded".to_string(),
        zis_engine::run::execution::Status::Failed { error, cause } => {
            format!("failed: {error}: {cause}")
        }
        zis_engine::run::execution::Status::Running => "running (paused)".into(),
    };
    html_report(
        &format!("{} on a {} event", graph.flow, s.event),
        &svg(graph, &visits, &taken),
        &status,
        &steps,
    )
}

/// Runs a bundle's flow on its job spec's sample event in a fresh data folder; the session
/// is finished.
pub fn sample_run(bundle: &Value, key: &str) -> anyhow::Result<crate::core::debug::Session> {
    let dir = tempfile::tempdir()?;
    let db = crate::core::data_dir::db_path(dir.path());
    let mut s = crate::core::debug::Session::start(&db, bundle, key, None, None)
        .map_err(anyhow::Error::msg)?;
    s.go(
        crate::core::debug::Go::Continue,
        crate::core::debug::Env {
            calls: Default::default(),
            responses: Default::default(),
            settings: Default::default(),
            db_path: db.clone(),
            bundle: bundle.clone(),
            integration: s.integration.clone(),
            flow: key.to_string(),
            mocks: Vec::new(),
            breakpoints: crate::core::debug::Breakpoints::default(),
            pause: std::sync::Arc::default(),
            jq: zis_services::runner::jq_limits(),
        },
    );
    s.wait();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use zis_engine::model::FlowDefinition;

    fn graph() -> FlowGraph {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Y"}], "Default": "N"},
            "Y": {"Type": "Succeed"}, "N": {"Type": "Fail", "Error": "E", "Cause": "<c>"}}});
        let (flow, _) = FlowDefinition::from_value(&def, "");
        crate::core::graph::build("f", &flow, &HashMap::new())
    }

    #[test]
    fn the_svg_has_every_node_and_edge_and_marks_the_path() {
        let g = graph();
        let visits = HashMap::from([
            ("A".to_string(), 1),
            ("C".to_string(), 1),
            ("Y".to_string(), 1),
        ]);
        let taken = HashSet::from([
            ("A".to_string(), "C".to_string()),
            ("C".to_string(), "Y".to_string()),
        ]);
        let svg = svg(&g, &visits, &taken);
        assert!(svg.starts_with("<svg"));
        for n in ["A", "C", "Y", "N"] {
            assert!(svg.contains(&format!("<title>{n}</title>")), "{n}");
        }
        assert_eq!(svg.matches("<path").count(), g.edges.len());
        assert_eq!(
            svg.matches(r#"stroke-width="3.5""#).count(),
            2,
            "two edges taken"
        );
        assert!(svg.contains("x is present"));
        // No editor hints in an export.
        assert!(!svg.contains("+ rule") && !svg.contains("+ catch"), "{svg}");
        let html = html_report(
            "run <1>",
            &svg,
            "succeeded",
            &[json!({"state": "A", "next": "C", "input": {"a": "<b>"}})],
        );
        assert!(html.contains("run &lt;1&gt;"));
        assert!(html.contains("&quot;&lt;b&gt;&quot;"), "data is escaped");
        assert!(html.contains("<svg"));
    }

    #[test]
    fn the_png_draws_nodes_and_their_text() {
        let text = svg(&graph(), &HashMap::new(), &HashSet::new());
        let with_text = resvg::tiny_skia::Pixmap::decode_png(&png(&text, 1.0).unwrap()).unwrap();
        // The same picture without its words: the fonts must have drawn something.
        let mut bare = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("<text") {
            bare.push_str(&rest[..i]);
            let end = rest[i..].find("</text>").unwrap() + i + "</text>".len();
            rest = &rest[end..];
        }
        bare.push_str(rest);
        let without = resvg::tiny_skia::Pixmap::decode_png(&png(&bare, 1.0).unwrap()).unwrap();
        assert_eq!(with_text.width(), without.width());
        let differing = with_text
            .pixels()
            .iter()
            .zip(without.pixels())
            .filter(|(a, b)| a != b)
            .count();
        assert!(differing > 500, "text changed only {differing} pixels");
        // The Choice node's border colour is there.
        let choice = type_colour("Choice");
        let rgb = u32::from_str_radix(&choice[1..], 16).unwrap();
        let [r, g, b] = [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8];
        assert!(
            with_text
                .pixels()
                .iter()
                .any(|p| p.red() == r && p.green() == g && p.blue() == b),
            "no pixel of {choice}"
        );
        assert!(png("<svg", 1.0).is_err());
    }
}
