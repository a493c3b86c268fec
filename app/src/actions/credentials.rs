//! Operator credentials: a unit admin registers one (with an optional
//! photo, re-encoded here), a region admin marks it checked, a unit admin
//! withdraws one entered by mistake.

use crate::auth::scope::{RegionAccess, UnitAccess};
use crate::db::{self, Db, audit};
use crate::domain::credential::{CredentialNumber, Level};
use crate::error::AppError;
use std::io::Cursor;

/// Upload cap for a photo, before re-encoding.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;
/// Longest edge kept: enough to read a certificate, small enough to store.
const MAX_EDGE: u32 = 1600;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PhotoError {
    #[error("照片不能超过 8 MB")]
    TooLarge,
    #[error("照片只能是 JPEG 或 PNG 图片")]
    NotAnImage,
    #[error("照片无法读取，请重新拍摄后上传")]
    Unreadable,
}

/// Decodes a JPEG or PNG and writes it again as a JPEG no larger than
/// 1600 px: whatever else the upload carried (EXIF with GPS, scripts
/// disguised as images) does not survive.
pub fn reencode_photo(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    use image::{ImageFormat, ImageReader, Limits};
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        return Err(PhotoError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // A small file can declare a huge canvas; refuse before allocating it.
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| PhotoError::Unreadable)?;
    let image = if image.width().max(image.height()) > MAX_EDGE {
        image.resize(MAX_EDGE, MAX_EDGE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    image
        .to_rgb8()
        .write_with_encoder(encoder)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(out)
}

/// A registration as the form sends it, checked field by field.
pub struct CredentialForm {
    pub person_id: i64,
    pub level: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: String,
    pub expires_on: String,
    pub photo: Option<Vec<u8>>,
}

fn parse_date(field: &str, value: &str) -> Result<time::Date, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value.trim(), &format)
        .map_err(|_| AppError::bad_request(format!("{field}格式应为 年-月-日，例如 2024-06-30")))
}

pub async fn register(db: &Db, access: &UnitAccess, form: CredentialForm) -> Result<i64, AppError> {
    let level =
        Level::parse(&form.level).map_err(|e| AppError::bad_request(format!("等级：{e}")))?;
    let number = CredentialNumber::parse(&form.number)
        .map_err(|e| AppError::bad_request(format!("证书编号：{e}")))?;
    let issuer = form.issuer.trim();
    if issuer.is_empty() || issuer.chars().count() > 60 {
        return Err(AppError::bad_request("发证机关：请填写，不超过60字"));
    }
    let issued = parse_date("发证日期", &form.issued_on)?;
    if issued > crate::domain::date::today_in_shanghai() {
        return Err(AppError::bad_request("发证日期不能晚于今天"));
    }
    let expires = if form.expires_on.trim().is_empty() {
        None
    } else {
        Some(parse_date("有效期至", &form.expires_on)?)
    };
    if expires.is_some_and(|e| e <= issued) {
        return Err(AppError::bad_request("有效期至应晚于发证日期"));
    }
    let photo = form
        .photo
        .filter(|b| !b.is_empty())
        .map(|b| reencode_photo(&b))
        .transpose()
        .map_err(|e| AppError::bad_request(format!("照片：{e}")))?;

    let name: Option<String> = sqlx::query_scalar(
        "SELECT p.name FROM people p WHERE p.id = $1 AND EXISTS \
         (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.unit_id = $2)",
    )
    .bind(form.person_id)
    .bind(access.unit_id())
    .fetch_optional(db)
    .await?;
    let name = name.ok_or_else(|| AppError::bad_request("持证人：请从本单位名册中选择"))?;

    let mut tx = crate::db::begin(db).await?;
    if db::credentials::number_taken(&mut tx, form.person_id, number.as_str()).await? {
        return Err(AppError::bad_request(format!(
            "证书编号：{name} 已登记过编号 {} 的证书",
            number.as_str()
        )));
    }
    let now = super::now();
    let id = db::credentials::insert(
        &mut tx,
        &db::credentials::NewCredential {
            person_id: form.person_id,
            unit_id: access.unit_id(),
            level: i64::from(level.number()),
            number: number.as_str(),
            issuer,
            issued_on: &issued.to_string(),
            expires_on: expires.map(|e| e.to_string()).as_deref(),
            created_at: now,
            created_by: access.actor(),
        },
    )
    .await?;
    if let Some(photo) = &photo {
        db::credentials::put_photo(&mut tx, id, "image/jpeg", photo).await?;
    }
    let detail = format!(
        "登记 {name} 的消防设施操作员证书（{}，编号 {}）",
        level.label(),
        number.as_str()
    );
    audit::record(
        &mut tx,
        &audit::Entry::in_unit(
            access,
            "credential.register",
            &format!("credential:{id}"),
            &detail,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The credential, if the unit in `access` may act on it (its holder is or
/// was the unit's member).
pub async fn in_unit(
    db: &Db,
    access: &UnitAccess,
    id: i64,
) -> Result<crate::model::CredentialRow, AppError> {
    let c = db::credentials::get(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let member: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND unit_id = $2",
    )
    .bind(c.person_id)
    .bind(access.unit_id())
    .fetch_one(db)
    .await?;
    if member == 0 {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

/// Region admins only: a unit cannot vouch for its own registrations.
pub async fn check(
    db: &Db,
    access: &RegionAccess,
    unit: &UnitAccess,
    id: i64,
) -> Result<(), AppError> {
    let c = in_unit(db, unit, id).await?;
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    if !db::credentials::mark_checked(&mut tx, c.id, access.actor(), now).await? {
        return Err(AppError::bad_request("这份证书已经核验过了"));
    }
    let detail = format!(
        "核验 {} 的消防设施操作员证书（编号 {}）",
        c.person_name, c.number
    );
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: access.actor(),
            ..audit::Entry::in_unit(
                unit,
                "credential.check",
                &format!("credential:{}", c.id),
                &detail,
                now,
            )
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn withdraw(db: &Db, access: &UnitAccess, id: i64) -> Result<(), AppError> {
    let c = in_unit(db, access, id).await?;
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    if !db::credentials::withdraw(&mut tx, c.id, now).await? {
        return Err(AppError::NotFound);
    }
    let detail = format!("删除误登记的证书：{}（编号 {}）", c.person_name, c.number);
    audit::record(
        &mut tx,
        &audit::Entry::in_unit(
            access,
            "credential.withdraw",
            &format!("credential:{}", c.id),
            &detail,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn photos_come_back_as_jpeg_no_larger_than_1600px() {
        let out = reencode_photo(&png(3200, 1000)).unwrap();
        assert_eq!(image::guess_format(&out).unwrap(), image::ImageFormat::Jpeg);
        let decoded = image::load_from_memory(&out).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1600, 500));
    }

    #[test]
    fn other_files_are_refused_by_content_not_name() {
        assert_eq!(
            reencode_photo(b"<svg onload=alert(1)>"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(
            reencode_photo(b"GIF89a\x01\x00\x01\x00"),
            Err(PhotoError::NotAnImage)
        );
        let mut truncated = png(10, 10);
        truncated.truncate(40);
        assert_eq!(reencode_photo(&truncated), Err(PhotoError::Unreadable));
        assert_eq!(
            reencode_photo(&vec![0u8; MAX_PHOTO_BYTES + 1]),
            Err(PhotoError::TooLarge)
        );
    }
}
