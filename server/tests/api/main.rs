//! Integration tests: the real app on port 0 with a fresh database, over
//! HTTP. The backend is SQLite unless XUETANG_TEST_BACKEND=postgres (then
//! TEST_POSTGRES_URL must point at a server where we may create databases).

mod accounts;
mod certificates;
mod courses;
mod coverage;
mod demo_history;
mod exam;
mod health;
mod helpers;
mod join;
mod landing;
mod pages;
mod posters;
mod resilience;
mod roster;
mod scope;
mod security;
mod seed;
