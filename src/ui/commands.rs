//! The one table of the window's commands: what each is called, where it sits in the menus,
//! its shortcuts, when it can run and what it does. The menu bar ([`crate::ui::menus`]), the
//! keyboard map ([`shortcuts`]) and the command palette ([`crate::ui::command_palette`]) are
//! all drawn from [`TABLE`], so a shortcut is written once and shows next to its menu entry.
//! The keys follow docs/ux-brief.md.

use crate::app::remote::RemoteWindow;
use crate::app::{
    AppState, BreakpointCommand, Commands, DebugCommand, EditCommand, FileCommand, RemoteCommand,
    ViewCommand,
};
use crate::core::debug::Go;
use egui::{Key, KeyboardShortcut, Modifiers};

/// Something the window can do that is not an app command: ask for a file, focus a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowAction {
    /// Ask for a bundle to open.
    Open,
    /// Ask for a file name to save as.
    SaveAs,
    /// Ask where to write the graph as SVG.
    ExportSvg,
    /// Ask where to write the graph as PNG.
    ExportPng,
    /// Ask where to write the HTML report.
    ExportReport,
    /// Put the cursor in the Find box.
    FocusFind,
    /// Open the command palette.
    Palette,
    /// Hide or show the bottom dock.
    ToggleDock,
    /// Hide or show the explorer.
    ToggleExplorer,
    /// Hide or show the inspector.
    ToggleInspector,
    /// Hide or show the minimap.
    ToggleMinimap,
    /// The keyboard shortcuts window.
    Shortcuts,
    /// The settings window.
    Settings,
    /// The About window.
    About,
}

/// The menu an entry sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    /// File.
    File,
    /// File › Export.
    Export,
    /// Edit.
    Edit,
    /// View.
    View,
    /// Run (the debugger).
    Run,
    /// Help.
    Help,
}

/// How an entry is triggered from the keyboard besides its shortcuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clip {
    /// Not a clipboard command.
    No,
    /// egui's copy event (Ctrl+C).
    Copy,
    /// egui's cut event (Ctrl+X).
    Cut,
    /// egui's paste event (Ctrl+V).
    Paste,
}

/// When an entry can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// A bundle is open.
    Open,
    /// A flow's graph is shown.
    Graph,
    /// States are selected.
    Selection,
    /// There is an edit to undo.
    CanUndo,
    /// There is an undone edit to redo.
    CanRedo,
    /// States were copied and a graph is shown.
    CanPaste,
    /// A debugging session exists.
    Session,
}

impl When {
    /// True when the state allows it.
    pub fn holds(self, state: &AppState) -> bool {
        match self {
            When::Always => true,
            When::Open => state.document.is_some(),
            When::Graph => state.graph.is_some(),
            When::Selection => !state.selection.is_empty() || state.selected_state.is_some(),
            When::CanUndo => state.can_undo(),
            When::CanRedo => state.can_redo(),
            When::CanPaste => state.graph.is_some() && !state.clipboard.is_empty(),
            When::Session => state.debug.is_some(),
        }
    }
}

/// What an entry does.
#[derive(Clone, Copy, Debug)]
pub enum Does {
    /// Sends an app command (built when it runs).
    App(fn(&AppState) -> crate::app::Command),
    /// Does something in the window.
    Window(WindowAction),
}

/// One command of the table.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// Its name in menus and the palette (also its accessible label).
    pub label: &'static str,
    /// Where it sits in the menus.
    pub menu: Menu,
    /// Its shortcuts; the first shows in menus.
    pub keys: &'static [KeyboardShortcut],
    /// A clipboard event that triggers it.
    pub clip: Clip,
    /// True when its keys work while a text field has focus (the debugger's keys, Save).
    pub while_typing: bool,
    /// When it can run.
    pub when: When,
    /// What it does.
    pub does: Does,
}

const fn key(m: Modifiers, k: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(m, k)
}
const CTRL: Modifiers = Modifiers::COMMAND;
const CTRL_SHIFT: Modifiers = Modifiers {
    alt: false,
    ctrl: false,
    shift: true,
    mac_cmd: false,
    command: true,
};
const NONE: Modifiers = Modifiers::NONE;
const SHIFT: Modifiers = Modifiers::SHIFT;
const ALT: Modifiers = Modifiers::ALT;

macro_rules! entry {
    ($label:expr, $menu:ident, [$($k:expr),*], $clip:ident, $typing:expr, $when:ident, $does:expr) => {
        Entry {
            label: $label,
            menu: Menu::$menu,
            keys: &[$($k),*],
            clip: Clip::$clip,
            while_typing: $typing,
            when: When::$when,
            does: $does,
        }
    };
}

fn app(c: impl Into<crate::app::Command>) -> crate::app::Command {
    c.into()
}

/// Every command of the menus, the keyboard map and the palette, in menu order.
pub const TABLE: &[Entry] = &[
    entry!(
        "New",
        File,
        [key(CTRL, Key::N)],
        No,
        true,
        Always,
        Does::App(|_| app(FileCommand::New))
    ),
    entry!(
        "Open…",
        File,
        [key(CTRL, Key::O)],
        No,
        true,
        Always,
        Does::Window(WindowAction::Open)
    ),
    entry!(
        "Open from a ZIS account…",
        File,
        [],
        No,
        false,
        Always,
        Does::App(|_| app(RemoteCommand::ShowRemote(Some(RemoteWindow::Open))))
    ),
    entry!(
        "Save",
        File,
        [key(CTRL, Key::S)],
        No,
        true,
        Open,
        Does::App(|_| app(FileCommand::Save))
    ),
    entry!(
        "Save as…",
        File,
        [key(CTRL_SHIFT, Key::S)],
        No,
        true,
        Open,
        Does::Window(WindowAction::SaveAs)
    ),
    entry!(
        "Deploy to ZIS…",
        File,
        [],
        No,
        false,
        Open,
        Does::App(|_| app(RemoteCommand::ShowRemote(Some(RemoteWindow::Deploy))))
    ),
    entry!(
        "Graph as SVG…",
        Export,
        [],
        No,
        false,
        Graph,
        Does::Window(WindowAction::ExportSvg)
    ),
    entry!(
        "Graph as PNG…",
        Export,
        [],
        No,
        false,
        Graph,
        Does::Window(WindowAction::ExportPng)
    ),
    entry!(
        "Execution as HTML report…",
        Export,
        [],
        No,
        false,
        Session,
        Does::Window(WindowAction::ExportReport)
    ),
    entry!(
        "Quit",
        File,
        [],
        No,
        false,
        Always,
        Does::App(|_| app(FileCommand::RequestClose))
    ),
    entry!(
        "Undo",
        Edit,
        [key(CTRL, Key::Z)],
        No,
        false,
        CanUndo,
        Does::App(|_| app(EditCommand::Undo))
    ),
    entry!(
        "Redo",
        Edit,
        [key(CTRL_SHIFT, Key::Z), key(CTRL, Key::Y)],
        No,
        false,
        CanRedo,
        Does::App(|_| app(EditCommand::Redo))
    ),
    entry!(
        "Cut",
        Edit,
        [key(CTRL, Key::X)],
        Cut,
        false,
        Selection,
        Does::App(|_| app(EditCommand::Cut))
    ),
    entry!(
        "Copy",
        Edit,
        [key(CTRL, Key::C)],
        Copy,
        false,
        Selection,
        Does::App(|_| app(EditCommand::Copy))
    ),
    entry!(
        "Paste",
        Edit,
        [key(CTRL, Key::V)],
        Paste,
        false,
        CanPaste,
        Does::App(|_| app(EditCommand::Paste))
    ),
    entry!(
        "Duplicate",
        Edit,
        [key(CTRL, Key::D)],
        No,
        false,
        Selection,
        Does::App(|_| app(EditCommand::Duplicate))
    ),
    entry!(
        "Delete",
        Edit,
        [key(NONE, Key::Delete), key(NONE, Key::Backspace)],
        No,
        false,
        Selection,
        Does::App(|_| app(EditCommand::Delete))
    ),
    entry!(
        "Select all",
        Edit,
        [key(CTRL, Key::A)],
        No,
        false,
        Graph,
        Does::App(|_| app(ViewCommand::SelectAll))
    ),
    entry!(
        "Find",
        Edit,
        [key(CTRL, Key::F)],
        No,
        true,
        Open,
        Does::Window(WindowAction::FocusFind)
    ),
    entry!(
        "Fit",
        View,
        [key(NONE, Key::F), key(ALT, Key::C)],
        No,
        false,
        Graph,
        Does::App(|_| app(ViewCommand::Fit))
    ),
    entry!(
        "Auto layout",
        View,
        [key(CTRL, Key::L)],
        No,
        false,
        Graph,
        Does::App(|_| app(EditCommand::AutoLayout))
    ),
    entry!(
        "Show explorer",
        View,
        [key(CTRL, Key::B)],
        No,
        true,
        Always,
        Does::Window(WindowAction::ToggleExplorer)
    ),
    entry!(
        "Show inspector",
        View,
        [key(CTRL, Key::I)],
        No,
        true,
        Always,
        Does::Window(WindowAction::ToggleInspector)
    ),
    entry!(
        "Show minimap",
        View,
        [key(CTRL, Key::M)],
        No,
        true,
        Always,
        Does::Window(WindowAction::ToggleMinimap)
    ),
    entry!(
        "Show dock",
        View,
        [key(CTRL, Key::J)],
        No,
        true,
        Always,
        Does::Window(WindowAction::ToggleDock)
    ),
    entry!(
        "Start",
        Run,
        [],
        No,
        false,
        Graph,
        Does::App(|_| app(DebugCommand::DebugStart))
    ),
    entry!(
        "Run / Continue",
        Run,
        [key(NONE, Key::F5)],
        No,
        true,
        Graph,
        Does::App(|_| app(DebugCommand::Run))
    ),
    entry!(
        "Stop",
        Run,
        [key(SHIFT, Key::F5)],
        No,
        true,
        Session,
        Does::App(|_| app(DebugCommand::DebugStop))
    ),
    entry!(
        "Step over",
        Run,
        [key(NONE, Key::F10)],
        No,
        true,
        Graph,
        Does::App(|_| app(DebugCommand::DebugGo(Go::StepOver)))
    ),
    entry!(
        "Step into",
        Run,
        [key(NONE, Key::F11)],
        No,
        true,
        Graph,
        Does::App(|_| app(DebugCommand::DebugGo(Go::Step)))
    ),
    entry!(
        "Step out",
        Run,
        [key(SHIFT, Key::F11)],
        No,
        true,
        Graph,
        Does::App(|_| app(DebugCommand::DebugGo(Go::StepOut)))
    ),
    entry!(
        "Step back",
        Run,
        [key(CTRL, Key::F10)],
        No,
        true,
        Session,
        Does::App(|_| app(DebugCommand::DebugStepBack))
    ),
    entry!(
        "Toggle breakpoint",
        Run,
        [key(NONE, Key::F9)],
        No,
        true,
        Graph,
        Does::App(|_| app(BreakpointCommand::ToggleBreakpoint(None)))
    ),
    entry!(
        "Settings…",
        Run,
        [],
        No,
        false,
        Always,
        Does::Window(WindowAction::Settings)
    ),
    entry!(
        "Keyboard shortcuts",
        Help,
        [key(NONE, Key::F1)],
        No,
        true,
        Always,
        Does::Window(WindowAction::Shortcuts)
    ),
    entry!(
        "About ZIS Studio",
        Help,
        [],
        No,
        false,
        Always,
        Does::Window(WindowAction::About)
    ),
    entry!(
        "Command palette…",
        Help,
        [key(CTRL_SHIFT, Key::P)],
        No,
        true,
        Always,
        Does::Window(WindowAction::Palette)
    ),
];

/// A shortcut as menus show it: `Ctrl+Shift+Z`, `F5`, `Del`.
pub fn key_text(k: &KeyboardShortcut) -> String {
    let mut s = String::new();
    if k.modifiers.command || k.modifiers.ctrl {
        s.push_str("Ctrl+");
    }
    if k.modifiers.alt {
        s.push_str("Alt+");
    }
    if k.modifiers.shift {
        s.push_str("Shift+");
    }
    s.push_str(match k.logical_key {
        Key::Delete => "Del",
        other => other.name(),
    });
    s
}

/// The first shortcut of an entry as text (empty when it has none).
pub fn first_key_text(e: &Entry) -> String {
    e.keys.first().map(key_text).unwrap_or_default()
}

/// The first shortcut of the entry labelled `entry` (empty when there is none).
pub fn keys_of(entry: &str) -> String {
    TABLE
        .iter()
        .find(|e| e.label == entry)
        .map(first_key_text)
        .unwrap_or_default()
}

/// `text (keys)`: a button or hint with the shortcut of the table's entry `entry`, so a
/// key is spelled in one place.
pub fn with_keys(text: &str, entry: &str) -> String {
    match keys_of(entry) {
        k if k.is_empty() => text.to_string(),
        k => format!("{text} ({k})"),
    }
}

/// Runs an entry: its app command goes to `out`, its window action is returned.
pub fn run(e: &Entry, state: &AppState, out: &mut Commands) -> Option<WindowAction> {
    if !e.when.holds(state) {
        return None;
    }
    match e.does {
        Does::App(f) => {
            out.push(f(state));
            None
        }
        Does::Window(w) => Some(w),
    }
}

/// The keyboard map: consumes the shortcuts pressed this frame and runs their entries.
/// Shortcuts with more modifiers are tried first (Ctrl+Shift+S before Ctrl+S); while a text
/// field has focus only entries marked `while_typing` react. Returns the window actions.
pub fn shortcuts(ctx: &egui::Context, state: &AppState, out: &mut Commands) -> Vec<WindowAction> {
    let typing = ctx.egui_wants_keyboard_input();
    let mut keyed: Vec<(&KeyboardShortcut, &Entry)> = TABLE
        .iter()
        .flat_map(|e| e.keys.iter().map(move |k| (k, e)))
        .collect();
    let weight =
        |m: &Modifiers| u8::from(m.command || m.ctrl) + u8::from(m.shift) + u8::from(m.alt);
    keyed.sort_by_key(|(k, _)| std::cmp::Reverse(weight(&k.modifiers)));
    let mut actions = Vec::new();
    for (k, e) in keyed {
        if e.clip != Clip::No || (typing && !e.while_typing) {
            continue;
        }
        if ctx.input_mut(|i| i.consume_shortcut(k))
            && let Some(w) = run(e, state, out)
        {
            actions.push(w);
        }
    }
    if !typing {
        // egui turns Ctrl+C, Ctrl+X and Ctrl+V into clipboard events.
        let events = ctx.input(|i| i.events.clone());
        for ev in events {
            let clip = match ev {
                egui::Event::Copy => Clip::Copy,
                egui::Event::Cut => Clip::Cut,
                egui::Event::Paste(_) => Clip::Paste,
                _ => continue,
            };
            if let Some(e) = TABLE.iter().find(|e| e.clip == clip) {
                run(e, state, out);
            }
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shortcut_is_bound_twice() {
        let mut seen = std::collections::HashSet::new();
        for e in TABLE {
            for k in e.keys {
                assert!(seen.insert(key_text(k)), "{} is bound twice", key_text(k));
            }
        }
    }

    #[test]
    fn the_keyboard_map_of_the_brief_is_in_the_table() {
        let texts: Vec<String> = TABLE
            .iter()
            .flat_map(|e| e.keys.iter().map(key_text))
            .collect();
        for k in [
            "Ctrl+O",
            "Ctrl+S",
            "Ctrl+Shift+S",
            "Ctrl+Z",
            "Ctrl+Shift+Z",
            "Ctrl+Y",
            "Ctrl+C",
            "Ctrl+X",
            "Ctrl+V",
            "Ctrl+D",
            "Del",
            "Backspace",
            "Ctrl+A",
            "Ctrl+F",
            "Alt+C",
            "F",
            "Ctrl+L",
            "F5",
            "Shift+F5",
            "F10",
            "F11",
            "Shift+F11",
            "Ctrl+F10",
            "F9",
        ] {
            assert!(texts.iter().any(|t| t == k), "{k} is missing");
        }
    }
}
