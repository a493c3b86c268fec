//! The `xuetang` server: configuration, the axum router, start-up and the
//! command-line subcommands. `main.rs` only parses arguments and dispatches.

pub mod backup;
pub mod certificate_files;
pub mod cli;
pub mod config;
pub mod demo_history;
pub mod downloads;
pub mod graphics;
pub mod landing;
pub mod pages;
pub mod poster_files;
pub mod reading;
pub mod reload;
pub mod reports;
pub mod security;
pub mod seed;
pub mod startup;
pub mod synthetic;
pub mod telemetry;
