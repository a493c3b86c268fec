//! The WebAssembly entry point. Naming `app` here keeps its islands in the
//! module; `hydrate` is called by Leptos's island loader.

pub use app;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
