//! On the exam page: saves each answer the moment it is tapped and counts
//! the time down. Without JavaScript the page still works: answers are
//! saved when the learner moves to another question.

use leptos::prelude::*;

#[island]
pub fn ExamAutosave(
    attempt: i64,
    position: usize,
    seconds_left: i64,
    children: Children,
) -> impl IntoView {
    let (left, set_left) = signal(seconds_left);
    let (status, set_status) = signal(String::new());
    // The countdown shows only once the script runs (Effects run in the browser).
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| {
        set_ready.set(true);
        browser::tick(attempt, seconds_left, set_left);
    });
    let on_change = move |_| browser::save(attempt, position, set_status);
    view! {
        <div on:change=on_change>{children()}</div>
        <p class="save-status" aria-live="polite">
            {move || status.get()}
            <span class="countdown" hidden=move || !ready.get()>
                {move || { let s = left.get().max(0); format!(" 剩余 {:02}:{:02}", s / 60, s % 60) }}
            </span>
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::super::super::routes::exam::save_answer;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    fn checked(selector: &str) -> Vec<String> {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return Vec::new();
        };
        let Ok(nodes) = document.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| format!("{}={}", input.name(), input.value()))
            .collect()
    }

    pub fn save(attempt: i64, position: usize, set_status: WriteSignal<String>) {
        let picked = checked("form.question input:checked");
        let pick = picked
            .iter()
            .find_map(|p| p.strip_prefix("pick=").and_then(|v| v.parse().ok()));
        let boxes: Vec<Option<String>> = (0..6)
            .map(|i| {
                picked
                    .iter()
                    .any(|p| p.starts_with(&format!("c{i}=")))
                    .then(|| "1".to_string())
            })
            .collect();
        set_status.set("正在保存…".to_string());
        leptos::task::spawn_local(async move {
            let result = save_answer(
                attempt,
                position,
                pick,
                boxes[0].clone(),
                boxes[1].clone(),
                boxes[2].clone(),
                boxes[3].clone(),
                boxes[4].clone(),
                boxes[5].clone(),
                Some("stay".to_string()),
            )
            .await;
            set_status.set(match result {
                Ok(()) => "已保存".to_string(),
                Err(e) => e.to_string(),
            });
        });
    }

    /// Counts down once a second; at zero the server grades the saved
    /// answers, so go to the result.
    pub fn tick(attempt: i64, seconds_left: i64, set_left: WriteSignal<i64>) {
        let remaining = std::cell::Cell::new(seconds_left);
        let _ = set_interval_with_handle(
            move || {
                remaining.set(remaining.get() - 1);
                set_left.set(remaining.get());
                if remaining.get() == -1 {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&format!("/exam/{attempt}/result"));
                    }
                }
            },
            std::time::Duration::from_secs(1),
        );
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    use leptos::prelude::*;
    pub fn save(_attempt: i64, _position: usize, _set_status: WriteSignal<String>) {}
    pub fn tick(_attempt: i64, _seconds_left: i64, _set_left: WriteSignal<i64>) {}
}
