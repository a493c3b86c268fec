//! `/about`: what the platform is, read aloud on request, with a QR code to
//! open the site on a phone.

use crate::components::IslandScripts;
use crate::error::AppError;
use crate::islands::read_aloud::ReadAloud;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AboutContent {
    pub html: String,
    pub qr_svg: String,
    pub base_url: String,
}

/// Public: authored content only.
#[server(prefix = "/api", endpoint = "about")]
pub async fn get_about() -> Result<AboutContent, AppError> {
    let state = crate::state::AppState::current()?;
    let qr = qrcode::QrCode::with_error_correction_level(&state.site.base_url, qrcode::EcLevel::M)
        .map_err(|err| AppError::internal(QrError(err)))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Ok(AboutContent {
        html: state.site.library().about_html.clone(),
        qr_svg,
        base_url: state.site.base_url.clone(),
    })
}

#[cfg(feature = "ssr")]
#[derive(Debug, thiserror::Error)]
#[error("cannot encode the QR code: {0:?}")]
struct QrError(qrcode::types::QrError);

#[component]
pub fn AboutPage() -> impl IntoView {
    let about = Resource::new_blocking(|| (), |_| get_about());
    view! {
        <Title text="关于" />
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match about.await {
                    Ok(about) => view! {
                        <div class="toolbar"><ReadAloud target="#reading".to_string() /></div>
                        <article id="reading" class="prose" inner_html=about.html></article>
                        <aside class="card qr">
                            <div class="qr-code" role="img" aria-label="本站二维码" inner_html=about.qr_svg></div>
                            <p>"用手机扫码打开" <br /> <span class="url">{about.base_url}</span></p>
                        </aside>
                    }.into_any(),
                    Err(err) => view! { <p class="card error" role="alert">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <IslandScripts />
    }
}
