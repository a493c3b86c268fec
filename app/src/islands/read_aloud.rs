//! 朗读本页: reads the page's text aloud with the phone's own speech engine,
//! for readers who find small print hard.

use leptos::prelude::*;

/// `target` is a CSS selector for the element whose text is read.
#[island]
pub fn ReadAloud(target: String) -> impl IntoView {
    let (speaking, set_speaking) = signal(false);
    // Hidden until hydrated: without JavaScript the button could do nothing.
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(speech::available()));

    let toggle = move |_| {
        if speaking.get_untracked() {
            speech::stop();
            set_speaking.set(false);
        } else if speech::speak(&target, move || set_speaking.set(false)) {
            set_speaking.set(true);
        }
    };
    view! {
        <button
            type="button"
            class="read-aloud"
            hidden=move || !ready.get()
            aria-pressed=move || speaking.get().to_string()
            on:click=toggle
        >
            {move || if speaking.get() { "停止朗读" } else { "朗读本页" }}
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod speech {
    use wasm_bindgen::{JsCast, closure::Closure};

    pub fn available() -> bool {
        web_sys::window()
            .and_then(|w| w.speech_synthesis().ok())
            .is_some()
    }

    /// Starts reading; `on_end` runs when the engine finishes. Returns
    /// false when there is nothing to read or no engine.
    pub fn speak(selector: &str, on_end: impl FnOnce() + 'static) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let Ok(synth) = window.speech_synthesis() else {
            return false;
        };
        let text = window
            .document()
            .and_then(|d| d.query_selector(selector).ok().flatten())
            .and_then(|el| el.text_content())
            .unwrap_or_default();
        if text.trim().is_empty() {
            return false;
        }
        let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(&text) else {
            return false;
        };
        utterance.set_lang("zh-CN");
        utterance.set_rate(0.9);
        let on_end = Closure::once_into_js(on_end);
        utterance.set_onend(Some(on_end.unchecked_ref()));
        synth.cancel();
        synth.speak(&utterance);
        true
    }

    pub fn stop() {
        if let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) {
            synth.cancel();
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod speech {
    pub fn available() -> bool {
        false
    }
    pub fn speak(_selector: &str, _on_end: impl FnOnce() + 'static) -> bool {
        false
    }
    pub fn stop() {}
}
