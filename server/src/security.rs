//! What every request passes through, registered once in
//! `startup::build_router`: state-changing requests must come from this
//! site (checked on `Origin`, else `Referer`), request bodies are capped,
//! and every response carries the security headers — and `Secure` on every
//! cookie when the public URL is https. `docs/SECURITY.md` names the test
//! that proves each one.

use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::uri::{Authority, Uri};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use futures::StreamExt;
use std::sync::Arc;

/// The largest request body: the largest upload (a credential photo; a
/// roster is smaller) plus the rest of its form.
pub const MAX_BODY_BYTES: usize = larger(
    app::actions::roster::MAX_BYTES,
    app::actions::credentials::MAX_PHOTO_BYTES,
) + 64 * 1024;

const fn larger(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// What the middleware needs, fixed at start-up.
#[derive(Clone)]
pub struct Policy(Arc<Settings>);

struct Settings {
    /// The origin of the public base URL (behind a proxy the `Host` header
    /// may name the upstream instead).
    site: Option<Origin>,
    csp: HeaderValue,
    https: bool,
}

impl Policy {
    pub fn new(state: &AppState) -> Policy {
        let site = Origin::parse(&state.site.base_url);
        if site.is_none() {
            tracing::warn!(
                base_url = %state.site.base_url,
                "the base URL is not an http(s) URL; POSTs are checked against the Host header only"
            );
        }
        let hashes = app::components::island_scripts_csp_sources(&state.leptos_options);
        let csp = content_security_policy(&hashes);
        Policy(Arc::new(Settings {
            site,
            csp: HeaderValue::try_from(csp).expect("a policy of ASCII sources is a valid header"),
            https: state.site.secure_cookies,
        }))
    }
}

/// The policy for every response. Scripts: this site's files, WebAssembly
/// compilation, and the island loader's inline script by its hash — never
/// `'unsafe-inline'`. Styles: this site's stylesheet plus inline `style=`
/// attributes (the progress bar's width, a poster's type size), which
/// cannot run code.
fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Why a request was turned away before reaching a handler.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("请求来自其他网站，已被拒绝。请回到消防学堂的页面重新操作。")]
    CrossSite,
    #[error("提交的内容太大（上限 {} MB），请缩小文件后重试。", MAX_BODY_BYTES / (1024 * 1024))]
    TooLarge,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::CrossSite => StatusCode::FORBIDDEN,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// A short page for browsers, the bare message for scripts.
    fn respond(&self, headers: &HeaderMap) -> Response {
        let wants_html = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        if !wants_html {
            return (self.status(), self.to_string()).into_response();
        }
        let body = format!(
            concat!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                "<title>无法处理 - 消防学堂</title><link rel=\"stylesheet\" href=\"/pkg/xuetang.css\"></head>",
                "<body><main id=\"main\"><section class=\"card\"><h1>无法处理此请求</h1>",
                "<p>{}</p><p><a class=\"button\" href=\"/\">返回首页</a></p></section></main></body></html>"
            ),
            self
        );
        (self.status(), Html(body)).into_response()
    }
}

/// A body that grew past the cap while streaming (no `Content-Length`).
#[derive(Debug, thiserror::Error)]
#[error("request body larger than {MAX_BODY_BYTES} bytes")]
struct BodyTooLarge;

/// The middleware: checks state-changing requests, then adds the headers
/// to whatever answer comes back (pages, files, 404s, errors, refusals).
pub async fn protect(State(policy): State<Policy>, request: Request, next: Next) -> Response {
    let writes = changes_state(request.method());
    let refusal = writes
        .then(|| {
            policy
                .check_origin(&request)
                .err()
                .or_else(|| declared_too_large(&request))
        })
        .flatten();
    let mut response = match refusal {
        Some(refusal) => {
            tracing::warn!(reason = ?refusal, "request refused");
            let response = refusal.respond(request.headers());
            if matches!(refusal, Refusal::TooLarge) {
                drain(request).await;
            }
            response
        }
        None if writes => next.run(capped(request)).await,
        None => next.run(request).await,
    };
    policy.add_headers(response.headers_mut());
    response
}

/// Safe methods read; anything else (the server functions' POSTs) may write.
fn changes_state(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

impl Policy {
    /// A browser names the page a request comes from in `Origin` (every
    /// current browser, on every cross-site POST) or at least `Referer`;
    /// either must be this site. A request with neither is not a browser's cross-site
    /// request (curl, scripts) and is let through: there is no ambient
    /// cookie to abuse that the caller does not already hold.
    fn check_origin(&self, request: &Request) -> Result<(), Refusal> {
        let headers = request.headers();
        let Some(claimed) = headers
            .get(header::ORIGIN)
            .or_else(|| headers.get(header::REFERER))
        else {
            return Ok(());
        };
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.uri().authority().map(Authority::as_str));
        match claimed.to_str().ok().and_then(Origin::parse) {
            Some(origin) if self.is_own(&origin, host) => Ok(()),
            _ => Err(Refusal::CrossSite),
        }
    }

    /// The public base URL's origin, or the host the request was sent to
    /// (any scheme: TLS may end at a proxy in front).
    fn is_own(&self, origin: &Origin, host: Option<&str>) -> bool {
        if self.0.site.as_ref() == Some(origin) {
            return true;
        }
        let Some(host) = host.and_then(|h| h.parse::<Authority>().ok()) else {
            return false;
        };
        host.host().eq_ignore_ascii_case(&origin.host)
            && host
                .port_u16()
                .unwrap_or_else(|| default_port(&origin.scheme))
                == origin.port
    }

    fn add_headers(&self, headers: &mut HeaderMap) {
        let fixed: [(HeaderName, HeaderValue); 4] = [
            (header::CONTENT_SECURITY_POLICY, self.0.csp.clone()),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
        ];
        // A handler's own stricter policy (an SVG on its own) stays.
        for (name, value) in fixed {
            headers.entry(name).or_insert(value);
        }
        if self.0.https {
            headers
                .entry(header::STRICT_TRANSPORT_SECURITY)
                .or_insert(HeaderValue::from_static("max-age=31536000"));
            secure_cookies(headers);
        }
    }
}

/// A body declared larger than the cap is refused before it is read.
fn declared_too_large(request: &Request) -> Option<Refusal> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|length| *length > MAX_BODY_BYTES as u64)
        .map(|_| Refusal::TooLarge)
}

/// Bodies refused as too large are still read, up to this size and for at
/// most [`DRAIN_TIME`], before the refusal is sent.
const DRAIN_BYTES: u64 = 4 * MAX_BODY_BYTES as u64;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads and drops the body of a refused upload. Answered before its body
/// is read, a browser or phone still sending the file gets a broken
/// connection instead of the message saying the file is too large;
/// beyond [`DRAIN_BYTES`] the connection is closed all the same.
async fn drain(request: Request) {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_none_or(|length| length > DRAIN_BYTES) {
        return;
    }
    let mut body = request.into_body().into_data_stream();
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
}

/// A body that streams without a declared length is counted and broken
/// off past the cap (the handler then reports a broken upload); hyper
/// already holds a declared one to its length.
fn capped(request: Request) -> Request {
    if request.headers().contains_key(header::CONTENT_LENGTH) {
        return request;
    }
    let (parts, body) = request.into_parts();
    let mut seen = 0usize;
    let counted = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(axum::BoxError::from)?;
        seen += chunk.len();
        if seen > MAX_BODY_BYTES {
            Err(axum::BoxError::from(BodyTooLarge))
        } else {
            Ok(chunk)
        }
    });
    Request::from_parts(parts, Body::from_stream(counted))
}

/// Adds `Secure` to every cookie set without it.
fn secure_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|cookie| match cookie.to_str() {
            Ok(text) if !has_secure(text) => {
                HeaderValue::try_from(format!("{text}; Secure")).unwrap_or_else(|_| cookie.clone())
            }
            _ => cookie.clone(),
        })
        .collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
}

fn has_secure(cookie: &str) -> bool {
    cookie
        .split(';')
        .skip(1)
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"))
}

/// Scheme, host and port of an http(s) URL: what `Origin` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// `None` for anything else, including the `null` origin.
    fn parse(url: &str) -> Option<Origin> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let authority = uri.authority()?;
        Some(Origin {
            port: authority
                .port_u16()
                .unwrap_or_else(|| default_port(&scheme)),
            host: authority.host().to_ascii_lowercase(),
            scheme,
        })
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" { 443 } else { 80 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let site = Origin::parse("https://Xuetang.example.cn").unwrap();
        assert_eq!(
            Origin::parse("https://xuetang.example.cn:443/login?next=/admin"),
            Some(site.clone())
        );
        assert_ne!(
            Origin::parse("http://xuetang.example.cn"),
            Some(site.clone())
        );
        assert_ne!(
            Origin::parse("https://xuetang.example.cn.evil.example"),
            Some(site)
        );
        assert_eq!(Origin::parse("null"), None);
        assert_eq!(Origin::parse("file:///etc/passwd"), None);
        assert_eq!(Origin::parse("/relative"), None);
    }

    #[test]
    fn adds_secure_once() {
        let mut headers = HeaderMap::new();
        headers.append(header::SET_COOKIE, HeaderValue::from_static("a=1; Path=/"));
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("b=2; Path=/; Secure"),
        );
        secure_cookies(&mut headers);
        let cookies: Vec<_> = headers.get_all(header::SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["a=1; Path=/; Secure", "b=2; Path=/; Secure"]);
    }

    #[test]
    fn the_policy_allows_no_inline_script_but_its_hashes() {
        let csp = content_security_policy(&["'sha256-abc='".to_string()]);
        let scripts = csp
            .split(';')
            .find(|d| d.trim_start().starts_with("script-src"))
            .unwrap();
        assert_eq!(
            scripts.trim(),
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='"
        );
        for directive in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{directive}");
        }
    }
}
