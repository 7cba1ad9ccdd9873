//! [`Command`]: anything the user asks for, as one of the groups of commands; and
//! [`Commands`], the list the UI fills while drawing a frame. A group's enum converts into
//! [`Command`], so the UI writes `out.push(FileCommand::Save)`.

use super::{
    BreakpointCommand, DebugCommand, EditCommand, ExecutionsCommand, FileCommand, RemoteCommand,
    StoresCommand, ViewCommand,
};

/// Something the user asked for, by area.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open, new, save, close, exports.
    File(FileCommand),
    /// A change to the bundle, undo, redo.
    Edit(EditCommand),
    /// Selection, Map levels, Find, Fit, theme.
    View(ViewCommand),
    /// Debugging sessions.
    Debug(DebugCommand),
    /// Breakpoints and mocks.
    Breakpoints(BreakpointCommand),
    /// The local stores and server.
    Stores(StoresCommand),
    /// Stored executions.
    Executions(ExecutionsCommand),
    /// ZIS accounts.
    Remote(RemoteCommand),
}

macro_rules! group {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for Command {
            fn from(c: $ty) -> Self {
                Command::$variant(c)
            }
        }
    )*};
}

group!(
    File(FileCommand),
    Edit(EditCommand),
    View(ViewCommand),
    Debug(DebugCommand),
    Breakpoints(BreakpointCommand),
    Stores(StoresCommand),
    Executions(ExecutionsCommand),
    Remote(RemoteCommand),
);

impl Command {
    /// Typing into one field is one undo step: the key of the field this command edits, if
    /// it is such a command.
    pub fn coalesce_key(&self) -> Option<String> {
        match self {
            Command::Edit(EditCommand::SetField { pointer, .. }) => {
                Some(format!("field:{pointer}"))
            }
            Command::Edit(EditCommand::SetJson { pointer, .. }) => Some(format!("json:{pointer}")),
            _ => None,
        }
    }
}

/// The commands the UI emitted during a frame, applied in order after drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Commands(Vec<Command>);

impl Commands {
    /// Adds a command of any group.
    pub fn push(&mut self, command: impl Into<Command>) {
        self.0.push(command.into());
    }

    /// How many commands were asked for.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing was asked for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The commands so far, leaving the list empty.
    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.0)
    }

    /// The commands so far.
    pub fn as_slice(&self) -> &[Command] {
        &self.0
    }
}

impl IntoIterator for Commands {
    type Item = Command;
    type IntoIter = std::vec::IntoIter<Command>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
