//! Previous / next links for a paged list, keeping the search.

use super::errors::encode;
use leptos::prelude::*;

pub const PER_PAGE: i64 = 20;

#[component]
pub fn Pager(base: String, search: String, page: i64, total: i64) -> impl IntoView {
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = move |p: i64| {
        let mut url = format!("{base}?page={p}");
        if !search.is_empty() {
            url.push_str("&q=");
            url.push_str(&encode(&search));
        }
        url
    };
    page_links(page, pages, format!("共 {total} 条"), link)
}

/// "上一页 / 第 N / M 页，<summary> / 下一页", nothing when there is one page.
/// `link` makes the URL of a page.
pub fn page_links(
    page: i64,
    pages: i64,
    summary: String,
    link: impl Fn(i64) -> String,
) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="分页">
                {(page > 1).then(|| view! { <a class="button secondary" href=link(page - 1)>"上一页"</a> })}
                <span>{format!("第 {page} / {pages} 页，{summary}")}</span>
                {(page < pages).then(|| view! { <a class="button secondary" href=link(page + 1)>"下一页"</a> })}
            </nav>
        }
    })
}

/// A page number from the query string: 1 when missing or nonsense.
pub fn page_number(raw: Option<String>) -> i64 {
    raw.and_then(|p| p.parse().ok())
        .filter(|p: &i64| *p >= 1)
        .unwrap_or(1)
}
