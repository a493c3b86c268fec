//! The frame around every page: header with navigation, main, footer.

use crate::routes::account::session_user;
use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let user = Resource::new_blocking(|| (), |_| session_user());
    view! {
        <a class="skip-link" href="#main">"跳到正文"</a>
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"消"</span>
                "消防学堂"
            </a>
            <nav aria-label="主导航">
                <ul>
                    <li><a href="/">"首页"</a></li>
                    <li><a href="/courses">"课程"</a></li>
                    <li><a href="/t">"小贴士"</a></li>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(Some(user)) => view! {
                                    {user.is_admin().then(|| view! { <li><a href="/admin">"管理"</a></li> })}
                                    <li><a href="/account">"我的"</a></li>
                                }.into_any(),
                                _ => view! { <li><a href="/login">"登录"</a></li> }.into_any(),
                            }
                        })}
                    </Suspense>
                </ul>
            </nav>
        </header>
        <main id="main">{children()}</main>
        <footer class="site-footer">
            <p>"火警电话 " <a href="tel:119">"119"</a> " · 举报投诉 " <a href="tel:96119">"96119"</a></p>
            <p>"消防安全 人人有责" " · " <a href="/about">"关于消防学堂"</a></p>
        </footer>
    }
}
