//! Posters as Chromium prints them: one sheet a poster at A4 and at A3,
//! the QR code read back from the rendered page by an independent decoder,
//! and a batch of 10 villages × 5 topics as one 50-page document.

use browser_tests::{PASSWORD, Phone, SeededApp, TOWN_ADMIN, spawn_seeded_app};
use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use std::path::{Path, PathBuf};
use std::process::Command;

const A3: PrintSize = PrintSize {
    width: 29.7,
    height: 42.0,
};

/// The page as a PDF on `size` paper, without margins of the printer's own:
/// the page's CSS sets them (none for posters, whose sheets have their own).
async fn print(phone: &Phone, size: PrintSize) -> Vec<u8> {
    let config = PrintConfiguration::builder()
        .size(size)
        .margins(PrintMargins {
            top: 0.0,
            bottom: 0.0,
            left: 0.0,
            right: 0.0,
        })
        .shrink_to_fit(false)
        .build()
        .unwrap();
    phone
        .client
        .print(config)
        .await
        .expect("Chromium prints the page")
}

/// Page objects in a PDF (`/Type /Page`, not the `/Type /Pages` tree).
fn page_count(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

/// A folder of this test's own for the printed PDFs and their rasters;
/// removed when the test passes, kept for a look when it fails.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xuetang_posters_{}_{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `pdfinfo`'s page size line, e.g. "841.89 x 1190.55 pts (A3)".
fn page_size(pdf: &Path) -> String {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo not found: `make browser-tools` installs poppler-utils");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The first page rasterised at `dpi` (poppler, not Chromium) and the QR
/// codes rqrr finds on it.
fn qr_codes_on_page(pdf: &Path, dpi: u32) -> Vec<String> {
    let stem = pdf.with_extension("");
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
        ])
        .arg(pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm not found: `make browser-tools` installs poppler-utils");
    assert!(status.success());
    browser_tests::qr_codes(&image::open(stem.with_extension("png")).unwrap().to_luma8())
}

async fn scans(app: &SeededApp, poster: i64) -> i64 {
    app.flush_scans().await;
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM poster_scans WHERE poster_id = $1",
    )
    .bind(poster)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_poster_prints_on_one_page_at_a4_and_a3_and_its_qr_opens_the_tip() {
    let app = spawn_seeded_app().await;
    // A demo poster: 窦庄村, 村委会宣传栏, 三清三关.
    let (poster, code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM posters WHERE is_demo = 1 AND spot = '村委会宣传栏' ORDER BY id LIMIT 1")
            .fetch_one(&app.db)
            .await
            .expect("the demo town has posters");
    let short_url = format!("{}/p/{code}", app.base);
    let phone = Phone::open().await;
    phone.sign_in(&app.base, TOWN_ADMIN, PASSWORD).await;
    let dir = scratch("single");

    for (size, paper, qr_min_mm, expected) in [
        ("a4", PrintSize::A4, 35.0, "(A4)"),
        ("a3", A3, 55.0, "(A3)"),
    ] {
        phone
            .client
            .goto(&format!(
                "{}/admin/posters/print?ids={poster}&size={size}",
                app.base
            ))
            .await
            .unwrap();
        phone.wait_for_text("火警电话").await;
        // The sheet on screen has its printed size; nothing spills out of it.
        let fit = phone
            .eval(
                "const s = document.querySelector('.poster'), f = s.querySelector('.poster-frame'), \
                 foot = s.querySelector('.poster-foot').getBoundingClientRect(), \
                 list = s.querySelector('.poster-points'), last = list.lastElementChild.getBoundingClientRect(); \
                 return { overflow: s.scrollHeight - s.clientHeight, frame: f.scrollHeight - f.clientHeight, \
                          points_clear: foot.top - last.bottom, \
                          url: s.querySelector('.poster-url').textContent, \
                          qr_px: s.querySelector('.poster-qr-code svg').getBoundingClientRect().width, \
                          modules: s.querySelector('.poster-qr-code svg').viewBox.baseVal.width, \
                          mm_px: 96 / 25.4 }",
            )
            .await;
        assert_eq!(fit["overflow"], 0, "{size}: {fit}");
        assert_eq!(fit["frame"], 0, "{size}: {fit}");
        assert!(
            fit["points_clear"].as_f64().unwrap() >= 0.0,
            "{size}: points run into the QR block: {fit}"
        );
        assert_eq!(fit["url"], short_url);
        let qr_mm = fit["qr_px"].as_f64().unwrap() / fit["mm_px"].as_f64().unwrap();
        let modules = fit["modules"].as_f64().unwrap();
        println!(
            "{size}: QR {qr_mm:.1} mm wide, {modules} modules with quiet zone, {:.2} mm a module",
            qr_mm / modules
        );
        assert!(qr_mm >= qr_min_mm, "{size}: QR is {qr_mm:.1} mm");

        let pdf = print(&phone, paper).await;
        let path = dir.join(format!("poster-{size}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        assert_eq!(page_count(&pdf), 1, "{size}: {}", path.display());
        let page = page_size(&path);
        println!("{size}: 1 page, {page}, {} bytes of PDF", pdf.len());
        assert!(page.ends_with(expected), "{size}: {page}");
        assert_eq!(qr_codes_on_page(&path, 150), [short_url.as_str()], "{size}");
    }

    // The code read off the paper opens the tip and counts the scan.
    let before = scans(&app, poster).await;
    phone.client.goto(&short_url).await.unwrap();
    phone.wait_for_text("三清三关").await;
    assert_eq!(phone.eval("return document.scripts.length").await, 0);
    assert_eq!(scans(&app, poster).await, before + 1);
    phone.client.clone().close().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_batch_of_ten_villages_by_five_topics_prints_as_fifty_pages() {
    let app = spawn_seeded_app().await;
    let town: i64 = sqlx::query_scalar("SELECT id FROM regions WHERE code = 'JF'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let phone = Phone::open().await;
    phone.sign_in(&app.base, TOWN_ADMIN, PASSWORD).await;
    phone
        .client
        .goto(&format!("{}/admin/regions/{town}/posters", app.base))
        .await
        .unwrap();
    phone.wait_for_text("批量制作").await;
    let ticked = phone
        .eval(
            "const boxes = document.querySelectorAll(\"form[action='/api/create_posters'] input[type=checkbox]\"); \
             boxes.forEach(b => { b.checked = true; }); return boxes.length",
        )
        .await;
    assert_eq!(ticked, 15, "10 villages and 5 topics");
    phone
        .click("form[action='/api/create_posters'] button[type=submit]")
        .await;
    phone.wait_for_text("打印海报（50 张，A4 纵向）").await;
    // Every sheet holds its poster: nothing cut off, no point under the QR block.
    let misfits = phone
        .eval(
            "return [...document.querySelectorAll('.poster')].filter(s => { \
               const f = s.querySelector('.poster-frame'), foot = s.querySelector('.poster-foot').getBoundingClientRect(), \
                     last = s.querySelector('.poster-points').lastElementChild.getBoundingClientRect(), \
                     title = s.querySelector('.poster-title'); \
               return s.scrollHeight > s.clientHeight || f.scrollHeight > f.clientHeight || last.bottom > foot.top \
                 || title.scrollWidth > title.clientWidth; \
             }).map(s => s.dataset.code)",
        )
        .await;
    assert_eq!(
        misfits,
        serde_json::json!([]),
        "posters that do not fit their sheet"
    );
    let pdf = print(&phone, PrintSize::A4).await;
    let dir = scratch("batch");
    let path = dir.join("batch-a4.pdf");
    std::fs::write(&path, &pdf).unwrap();
    println!(
        "batch: {} pages, {} bytes of PDF",
        page_count(&pdf),
        pdf.len()
    );
    assert_eq!(page_count(&pdf), 50, "{}", path.display());
    assert!(page_size(&path).ends_with("(A4)"));
    phone.client.clone().close().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
