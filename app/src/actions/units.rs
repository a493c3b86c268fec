//! Creating and editing units.

use crate::auth::scope::{RegionAccess, UnitAccess};
use crate::db::{self, Db, audit};
use crate::domain::{CreditCode, INDUSTRIES};
use crate::error::AppError;

/// A unit form, validated.
pub struct UnitForm {
    pub name: String,
    pub credit_code: Option<CreditCode>,
    pub industry: String,
    pub is_key_unit: bool,
    pub is_public_gathering: bool,
    pub has_control_room: bool,
    pub control_room_linkage: bool,
}

impl UnitForm {
    /// Checkbox fields arrive as `Some(_)` when ticked.
    pub fn parse(
        name: &str,
        credit_code: &str,
        industry: &str,
        flags: [Option<String>; 4],
    ) -> Result<UnitForm, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::bad_request("请填写单位名称（不超过 60 个字）"));
        }
        let credit_code = match credit_code.trim() {
            "" => None,
            code => Some(CreditCode::parse(code).map_err(AppError::bad_request)?),
        };
        let industry = industry.trim();
        if !INDUSTRIES.contains(&industry) {
            return Err(AppError::bad_request(format!("未知行业“{industry}”")));
        }
        let [key, gathering, room, linkage] = flags.map(|f| f.is_some());
        if linkage && !room {
            return Err(AppError::bad_request(
                "勾选“消防控制室具有联动控制功能”时，须同时勾选“设有消防控制室”",
            ));
        }
        Ok(UnitForm {
            name: name.to_string(),
            credit_code,
            industry: industry.to_string(),
            is_key_unit: key,
            is_public_gathering: gathering,
            has_control_room: room,
            control_room_linkage: linkage,
        })
    }

    fn changes(&self) -> db::units::UnitChanges<'_> {
        db::units::UnitChanges {
            name: &self.name,
            credit_code: self.credit_code.as_ref().map(|c| c.as_str()),
            industry: &self.industry,
            is_key_unit: self.is_key_unit,
            is_public_gathering: self.is_public_gathering,
            has_control_room: self.has_control_room,
            control_room_linkage: self.control_room_linkage,
        }
    }
}

/// Unique-constraint failures as the form's own messages.
fn friendly(err: sqlx::Error) -> AppError {
    let text = err
        .as_database_error()
        .map(|e| e.message().to_string())
        .unwrap_or_default();
    if text.contains("credit_code") {
        AppError::bad_request("该统一社会信用代码已被其他单位使用")
    } else if text.contains("region_id") || text.contains("units_region_id_name") {
        AppError::bad_request("本辖区已有同名单位")
    } else {
        err.into()
    }
}

pub async fn create(db: &Db, access: &RegionAccess, form: &UnitForm) -> Result<i64, AppError> {
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    let unit_id = db::units::insert(&mut tx, access.region_id(), &form.changes(), now)
        .await
        .map_err(friendly)?;
    let target = format!("unit:{unit_id}");
    let detail = format!("新增单位{}", form.name);
    let entry = audit::Entry {
        actor_id: access.actor(),
        action: "create_unit",
        unit_id: Some(unit_id),
        region_id: access.region_id(),
        target: &target,
        detail: &detail,
        at: now,
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(unit_id)
}

pub async fn update(db: &Db, access: &UnitAccess, form: &UnitForm) -> Result<(), AppError> {
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    db::units::update(&mut tx, access.unit_id(), &form.changes())
        .await
        .map_err(friendly)?;
    let target = format!("unit:{}", access.unit_id());
    let detail = format!("修改单位信息：{}", form.name);
    let entry = audit::Entry {
        actor_id: access.actor(),
        action: "update_unit",
        unit_id: Some(access.unit_id()),
        region_id: access.region_id(),
        target: &target,
        detail: &detail,
        at: now,
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
