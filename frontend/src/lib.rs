//! The browser entry point: wakes the islands of the server-rendered page, nothing else.

// The islands are compiled into the app crate; naming it links them into this bundle.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
