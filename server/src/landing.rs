//! The QR landing pages (`/t/<topic>`, `/p/<code>`) kept rendered and
//! compressed in memory for visitors without a session: they are what a
//! whole village opens after a poster goes up, and the same bytes for all
//! of them. A poster's scan is still counted on every visit.
//!
//! An entry belongs to the courseware it was rendered from and is dropped
//! when the content is reloaded. Signed-in visitors (whose header differs),
//! requests with a query string, other cookies, clients that accept neither
//! gzip nor Brotli, and every answer but a plain 200 take the normal path.
//!
//! It is the outermost layer of the router: a kept page is answered before
//! routing and the other layers (request id, trace span, compression,
//! security headers), which took more than half the time of answering a
//! kept page (docs/DECISIONS.md). The page is kept as the whole stack
//! answered it, security headers included.

use app::content::Library;
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, Weak};

/// Entries kept at most (one per topic and poster code, times two text
/// sizes); about 15 KB each. When full, the cache starts over.
const MAX_PAGES: usize = 512;
/// A landing page is about 30 KB of HTML; anything larger is not cached.
const MAX_PAGE_BYTES: usize = 512 * 1024;

/// The middleware's state: the kept pages and what filling them needs.
pub struct Landings {
    state: AppState,
    cache: LandingCache,
}

impl Landings {
    pub fn new(state: AppState) -> Landings {
        Landings {
            state,
            cache: LandingCache::default(),
        }
    }
}

#[derive(Default)]
struct LandingCache {
    pages: Mutex<HashMap<Key, Arc<Slot>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path: String,
    large_text: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
}

/// Which landing page a path is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Landing {
    Tip,
    Poster(String),
}

/// One page for one version of the courseware. The first request fills it;
/// requests arriving meanwhile wait for that one rendering instead of each
/// rendering and compressing the page (64 at once after a start-up made the
/// first seconds' p99 over a second).
struct Slot {
    library: Weak<Library>,
    page: tokio::sync::OnceCell<Arc<Cached>>,
}

struct Cached {
    /// The poster whose scans a visit counts.
    poster: Option<i64>,
    headers: HeaderMap,
    gzip: Bytes,
    brotli: Bytes,
}

impl LandingCache {
    /// The slot for this page and courseware, made (empty) when missing or
    /// left from an older courseware.
    fn slot(&self, key: Key, library: &Arc<Library>) -> Arc<Slot> {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = pages.get(&key)
            && Weak::ptr_eq(&slot.library, &Arc::downgrade(library))
        {
            return Arc::clone(slot);
        }
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        let slot = Arc::new(Slot {
            library: Arc::downgrade(library),
            page: tokio::sync::OnceCell::new(),
        });
        pages.insert(key, Arc::clone(&slot));
        slot
    }

    /// Drops a slot that stayed empty (its page is not kept), so addresses
    /// that answer 404 take no room.
    fn forget(&self, key: &Key, slot: &Arc<Slot>) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages
            .get(key)
            .is_some_and(|kept| Arc::ptr_eq(kept, slot) && kept.page.get().is_none())
        {
            pages.remove(key);
        }
    }
}

/// The middleware: answers a landing page from the cache when the request
/// allows it; otherwise (and to fill the cache) the rest of the stack does.
pub async fn answer(
    State(landings): State<Arc<Landings>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let Some((key, landing, encoding)) = cacheable(&req) else {
        return next.run(req).await;
    };
    let (state, cache) = (&landings.state, &landings.cache);
    let slot = cache.slot(key.clone(), &state.site.library());
    let again = refers_to_itself(&req, &landing);
    let mut pending = Some((req, next));
    let filled = slot
        .page
        .get_or_try_init(|| {
            let (req, next) = pending.take().expect("initialised at most once");
            fill(state, &landing, req, next)
        })
        .await;
    let page = match filled {
        Ok(page) => page,
        // This request rendered a page that is not kept (an error, a 404).
        Err(response) => {
            cache.forget(&key, &slot);
            return response;
        }
    };
    // A request that rendered the page counted its scan there.
    if pending.is_some()
        && let Some(poster) = page.poster
        && !again
    {
        state.scans.add(poster, app::actions::today());
    }
    page.response(encoding)
}

/// Renders the page (counting a poster's scan) and compresses it to keep;
/// `Err` carries an answer that is not kept.
async fn fill(
    state: &AppState,
    landing: &Landing,
    mut req: Request<Body>,
    next: Next,
) -> Result<Arc<Cached>, Response> {
    // The page comes back as is; it is compressed here, once.
    req.headers_mut().remove(header::ACCEPT_ENCODING);
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return Err(response);
    }
    let (mut parts, body) = response.into_parts();
    // Each visitor's own, not the first one's.
    parts.headers.remove(crate::startup::REQUEST_ID);
    let html = axum::body::to_bytes(body, MAX_PAGE_BYTES)
        .await
        .map_err(|error| {
            tracing::warn!(error = %error, "landing page not kept");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })?;
    let poster = match landing {
        Landing::Tip => None,
        Landing::Poster(code) => match app::db::posters::by_code(&state.db, code).await {
            Ok(Some(poster)) => Some(poster.id),
            // Gone or unreachable since it rendered: answer, keep nothing.
            _ => return Err(Response::from_parts(parts, Body::from(html))),
        },
    };
    // Brotli at its best takes tens of milliseconds: off the async threads.
    let (gzip, brotli) = tokio::task::spawn_blocking(move || (gzip(&html), brotli(&html)))
        .await
        .map_err(|error| {
            tracing::error!(error = %error, "compressing a landing page failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })?;
    Ok(Arc::new(Cached {
        poster,
        headers: parts.headers,
        gzip,
        brotli,
    }))
}

impl Cached {
    fn response(&self, encoding: Encoding) -> Response {
        let (body, name) = match encoding {
            Encoding::Brotli => (self.brotli.clone(), "br"),
            Encoding::Gzip => (self.gzip.clone(), "gzip"),
        };
        let mut response = Response::new(Body::from(body));
        let headers = response.headers_mut();
        headers.clone_from(&self.headers);
        headers.remove(header::CONTENT_LENGTH);
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

/// The cache key, which landing page it is, and the encoding to answer
/// with; `None` when this request must be rendered.
fn cacheable(req: &Request<Body>) -> Option<(Key, Landing, Encoding)> {
    if req.method() != Method::GET || req.uri().query().is_some() {
        return None;
    }
    let path = req.uri().path();
    let landing = landing(path)?;
    let mut large_text = false;
    for (name, value) in cookies(req.headers()) {
        if name != app::components::reading::TEXT_COOKIE {
            return None;
        }
        large_text = value == "large";
    }
    let encoding = accepted_encoding(req.headers())?;
    Some((
        Key {
            path: path.to_owned(),
            large_text,
        },
        landing,
        encoding,
    ))
}

fn landing(path: &str) -> Option<Landing> {
    let one_segment = |rest: &str| (!rest.is_empty() && !rest.contains('/')).then_some(());
    if let Some(rest) = path.strip_prefix("/t/") {
        one_segment(rest)?;
        return Some(Landing::Tip);
    }
    let rest = path.strip_prefix("/p/")?;
    one_segment(rest)?;
    // Codes that cannot exist are rendered (as the 404 page), not cached.
    app::actions::posters::normalise_code(rest).map(Landing::Poster)
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| pair.trim().split_once('=').unwrap_or((pair.trim(), "")))
}

/// Brotli when the client takes it, else gzip; an encoding listed with
/// `q=0` is refused.
fn accepted_encoding(headers: &HeaderMap) -> Option<Encoding> {
    let mut gzip = false;
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        match name.as_str() {
            "br" if !refused => return Some(Encoding::Brotli),
            "gzip" if !refused => gzip = true,
            _ => {}
        }
    }
    gzip.then_some(Encoding::Gzip)
}

fn refers_to_itself(req: &Request<Body>, landing: &Landing) -> bool {
    let Landing::Poster(code) = landing else {
        return false;
    };
    req.headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|referer| app::actions::posters::refers_to(referer, code))
}

fn gzip(html: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(html)
        .and_then(|()| encoder.finish())
        .map(Bytes::from)
        .expect("compressing into memory cannot fail")
}

fn brotli(html: &[u8]) -> Bytes {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &html[..], &mut out, &params)
        .expect("compressing into memory cannot fail");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::get(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn only_anonymous_plain_landing_requests_are_cached() {
        let gzip = [("accept-encoding", "gzip, deflate")];
        let (key, landing, encoding) = cacheable(&request("/t/escape", &gzip)).unwrap();
        assert_eq!((key.path.as_str(), key.large_text), ("/t/escape", false));
        assert_eq!((landing, encoding), (Landing::Tip, Encoding::Gzip));
        let (_, landing, _) = cacheable(&request("/p/abc234", &gzip)).unwrap();
        assert_eq!(landing, Landing::Poster("ABC234".into()));

        for path in [
            "/t",
            "/t/",
            "/t/a/b",
            "/courses/escape",
            "/t/escape?x=1",
            "/p/ABC1OO",
        ] {
            assert!(cacheable(&request(path, &gzip)).is_none(), "{path}");
        }
        // A session (or any other cookie) and no compression take the normal path.
        for cookie in ["xt_session=abc", "xt_text=large; xt_flash=x", "other"] {
            let r = request("/t/escape", &[gzip[0], ("cookie", cookie)]);
            assert!(cacheable(&r).is_none(), "{cookie}");
        }
        assert!(cacheable(&request("/t/escape", &[])).is_none());
        let head = Request::head("/t/escape")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap();
        assert!(cacheable(&head).is_none());
    }

    #[test]
    fn the_text_size_cookie_is_part_of_the_key() {
        let r = request(
            "/t/escape",
            &[("accept-encoding", "gzip"), ("cookie", "xt_text=large")],
        );
        assert!(cacheable(&r).unwrap().0.large_text);
    }

    #[test]
    fn brotli_is_preferred_and_q_zero_refuses() {
        let enc = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepted_encoding(&h)
        };
        assert_eq!(enc("gzip, deflate, br"), Some(Encoding::Brotli));
        assert_eq!(enc("gzip, br;q=0"), Some(Encoding::Gzip));
        assert_eq!(enc("GZIP;q=0.5"), Some(Encoding::Gzip));
        assert_eq!(enc("gzip;q=0, deflate"), None);
        assert_eq!(enc("identity"), None);
    }

    #[test]
    fn compressed_bodies_decode_to_the_page() {
        use std::io::Read;
        let html = "<!DOCTYPE html><p>发现火情，立即拨打119</p>".repeat(50);
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gzip(html.as_bytes())[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, html);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(html.as_bytes())[..], &mut out).unwrap();
        assert_eq!(out, html.as_bytes());
    }
}
