//! Local ZIS services for ZIS Studio.
//!
//! | module | what it holds |
//! |---|---|
//! | [`catalog`] | the event catalog: every native Zendesk event a job spec can subscribe to, with a realistic sample payload |
//!
//! The SQLite stores, HTTP actions, the embedded server (inbound webhooks and the ZIS REST
//! API) and the event dispatcher come with the services issue.

pub mod catalog;
