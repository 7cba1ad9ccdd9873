//! The bottom docks beside the debugger: the store's executions and the local services.

pub mod executions;
pub mod services;
