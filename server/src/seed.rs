//! The demo town (示例数据) in `seeds/`: three CSV files, validated row by
//! row, then written in one transaction. Rows that exist already are left
//! alone, so seeding twice changes nothing.

use anyhow::Context;
use app::db::{self, Db};
use app::domain::{CreditCode, Phone, Post};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct RegionRow {
    pub code: String,
    pub parent: Option<String>,
    pub name: String,
    pub level: String,
}

#[derive(Debug)]
pub struct UnitRow {
    pub region: String,
    pub name: String,
    pub industry: String,
    pub credit_code: Option<CreditCode>,
    pub key_unit: bool,
    pub public_gathering: bool,
    pub control_room: bool,
    pub linkage: bool,
}

#[derive(Debug)]
pub struct PersonRow {
    pub name: String,
    pub phone: Phone,
    pub unit: String,
    pub post: Post,
    pub start_date: String,
}

/// A demo login: a person (created if new), an active account, a role.
#[derive(Debug)]
pub struct AccountRow {
    pub name: String,
    pub phone: Phone,
    pub password: String,
    /// `region_admin` (scope: region code), `unit_admin` (scope: unit name)
    /// or `learner`.
    pub role: String,
    pub scope: String,
}

#[derive(Debug)]
pub struct DemoSeed {
    pub regions: Vec<RegionRow>,
    pub units: Vec<UnitRow>,
    pub people: Vec<PersonRow>,
    pub accounts: Vec<AccountRow>,
    /// Course titles and validity for the demo history's certificates.
    pub courses: Vec<crate::demo_history::CourseInfo>,
}

/// Every problem found in the seed files, one `path:line: message` per line.
#[derive(Debug)]
pub struct SeedErrors(pub Vec<String>);

impl fmt::Display for SeedErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid seed data:\n{}", self.0.join("\n"))
    }
}

impl std::error::Error for SeedErrors {}

/// What a seeding run added, for the command's output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    pub regions: u64,
    pub units: u64,
    pub people: u64,
    pub memberships: u64,
    pub accounts: u64,
    pub history: crate::demo_history::HistoryAdded,
}

impl fmt::Display for Added {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo data: added {} regions, {} units, {} people, {} posts, {} accounts\n{}",
            self.regions, self.units, self.people, self.memberships, self.accounts, self.history
        )
    }
}

const LEVELS: [&str; 5] = ["province", "city", "county", "town", "village"];

impl DemoSeed {
    pub fn load(dir: &Path) -> anyhow::Result<DemoSeed> {
        let read = |name: &str| -> anyhow::Result<(PathBuf, String)> {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok((path, text))
        };
        let (regions_path, regions) = read("regions.csv")?;
        let (units_path, units) = read("units.csv")?;
        let (people_path, people) = read("people.csv")?;
        let (accounts_path, accounts) = read("accounts.csv")?;
        let mut seed = DemoSeed::parse(
            (&regions_path.display().to_string(), &regions),
            (&units_path.display().to_string(), &units),
            (&people_path.display().to_string(), &people),
        )?;
        seed.accounts = seed.parse_accounts((&accounts_path.display().to_string(), &accounts))?;
        seed.courses = crate::demo_history::courses(&crate::demo_history::content_dir(dir))?;
        Ok(seed)
    }

    /// Parses accounts.csv against the regions and units already parsed.
    pub fn parse_accounts(&self, accounts: (&str, &str)) -> Result<Vec<AccountRow>, SeedErrors> {
        let mut errors = Vec::new();
        let mut rows = Vec::new();
        for_each_row(
            accounts,
            &["name", "phone", "password", "role", "scope"],
            &mut errors,
            |line, r, errors| {
                let at = |msg: String| format!("{}:{line}: {msg}", accounts.0);
                let (role, scope) = (r[3].trim().to_string(), r[4].trim().to_string());
                let known = match role.as_str() {
                    "region_admin" => self.regions.iter().any(|x| x.code == scope),
                    "unit_admin" => self.units.iter().any(|x| x.name == scope),
                    "learner" => true,
                    _ => {
                        errors.push(at(format!(
                            "unknown role {role:?} (region_admin, unit_admin or learner)"
                        )));
                        true
                    }
                };
                if !known {
                    errors.push(at(format!("unknown scope {scope:?} for {role}")));
                }
                if r[2].chars().count() < app::auth::password::MIN_LEN {
                    errors.push(at("password is shorter than 8 characters".into()));
                }
                match Phone::parse(&r[1]) {
                    Ok(phone) => rows.push(AccountRow {
                        name: r[0].trim().into(),
                        phone,
                        password: r[2].to_string(),
                        role,
                        scope,
                    }),
                    Err(e) => errors.push(at(e.to_string())),
                }
            },
        );
        if errors.is_empty() {
            Ok(rows)
        } else {
            Err(SeedErrors(errors))
        }
    }

    /// Parses and cross-checks the three files; `(path, text)` each.
    pub fn parse(
        regions: (&str, &str),
        units: (&str, &str),
        people: (&str, &str),
    ) -> Result<DemoSeed, SeedErrors> {
        let mut errors = Vec::new();

        let mut seed = DemoSeed {
            regions: Vec::new(),
            units: Vec::new(),
            people: Vec::new(),
            accounts: Vec::new(),
            courses: Vec::new(),
        };
        let mut codes = HashSet::new();
        for_each_row(
            regions,
            &["code", "parent", "name", "level"],
            &mut errors,
            |line, r, errors| {
                let code = r[0].trim().to_string();
                let parent = Some(r[1].trim().to_string()).filter(|p| !p.is_empty());
                let at = |msg: String| format!("{}:{line}: {msg}", regions.0);
                if code.is_empty() || r[2].trim().is_empty() {
                    errors.push(at("code and name are required".into()));
                }
                if !LEVELS.contains(&r[3].trim()) {
                    errors.push(at(format!(
                        "unknown level {:?} (expected one of {})",
                        r[3].trim(),
                        LEVELS.join(", ")
                    )));
                }
                if let Some(p) = &parent
                    && !codes.contains(p)
                {
                    errors.push(at(format!(
                        "parent {p:?} is not defined on an earlier line"
                    )));
                }
                if !codes.insert(code.clone()) {
                    errors.push(at(format!("duplicate region code {code:?}")));
                }
                seed.regions.push(RegionRow {
                    code,
                    parent,
                    name: r[2].trim().into(),
                    level: r[3].trim().into(),
                });
            },
        );

        let mut unit_names = HashSet::new();
        let header = [
            "region",
            "name",
            "industry",
            "credit_code",
            "key_unit",
            "public_gathering",
            "control_room",
            "linkage",
        ];
        for_each_row(units, &header, &mut errors, |line, r, errors| {
            let at = |msg: String| format!("{}:{line}: {msg}", units.0);
            if !codes.contains(r[0].trim()) {
                errors.push(at(format!("unknown region {:?}", r[0].trim())));
            }
            let name = r[1].trim().to_string();
            if name.is_empty() || r[2].trim().is_empty() {
                errors.push(at("name and industry are required".into()));
            }
            if !unit_names.insert(name.clone()) {
                errors.push(at(format!("duplicate unit name {name:?}")));
            }
            let credit_code = match r[3].trim() {
                "" => None,
                code => CreditCode::parse(code)
                    .map_err(|e| errors.push(at(e.to_string())))
                    .ok(),
            };
            let mut flag = |i: usize| match r[i].trim() {
                "是" => true,
                "否" | "" => false,
                other => {
                    errors.push(at(format!(
                        "{}: expected 是 or 否, got {other:?}",
                        header[i]
                    )));
                    false
                }
            };
            let (key_unit, public_gathering, control_room, linkage) =
                (flag(4), flag(5), flag(6), flag(7));
            if linkage && !control_room {
                errors.push(at("linkage requires control_room = 是".into()));
            }
            seed.units.push(UnitRow {
                region: r[0].trim().into(),
                name,
                industry: r[2].trim().into(),
                credit_code,
                key_unit,
                public_gathering,
                control_room,
                linkage,
            });
        });

        let mut phones = HashMap::new();
        for_each_row(
            people,
            &["name", "phone", "unit", "post", "start_date"],
            &mut errors,
            |line, r, errors| {
                let at = |msg: String| format!("{}:{line}: {msg}", people.0);
                let name = r[0].trim().to_string();
                if name.is_empty() {
                    errors.push(at("name is required".into()));
                }
                let phone = Phone::parse(&r[1])
                    .map_err(|e| errors.push(at(e.to_string())))
                    .ok();
                if let Some(p) = &phone
                    && let Some(first) = phones.insert(p.clone(), (line, name.clone()))
                    && first.1 != name
                {
                    errors.push(at(format!(
                        "phone {} already belongs to {} (line {})",
                        p.masked(),
                        first.1,
                        first.0
                    )));
                }
                if !unit_names.contains(r[2].trim()) {
                    errors.push(at(format!("unknown unit {:?}", r[2].trim())));
                }
                let post = Post::parse(&r[3])
                    .map_err(|e| errors.push(at(e.to_string())))
                    .ok();
                let start_date = r[4].trim().to_string();
                if time::Date::parse(
                    &start_date,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .is_err()
                {
                    errors.push(at(format!(
                        "start_date {start_date:?} is not a date like 2024-03-01"
                    )));
                }
                if let (Some(phone), Some(post)) = (phone, post) {
                    seed.people.push(PersonRow {
                        name,
                        phone,
                        unit: r[2].trim().into(),
                        post,
                        start_date,
                    });
                }
            },
        );

        if errors.is_empty() {
            Ok(seed)
        } else {
            Err(SeedErrors(errors))
        }
    }

    /// Writes everything in one transaction: all of it or none of it.
    pub async fn apply(&self, db: &Db) -> anyhow::Result<Added> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut hashes = Vec::with_capacity(self.accounts.len());
        for a in &self.accounts {
            hashes.push(
                app::auth::password::hash(a.password.clone())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
        }
        let before = counts(db).await?;
        let mut tx = app::db::begin(db).await?;
        let mut region_ids = HashMap::new();
        for r in &self.regions {
            let parent_id = r.parent.as_ref().map(|p| region_ids[p]);
            let region = db::regions::NewRegion {
                code: &r.code,
                parent_id,
                name: &r.name,
                level: &r.level,
                is_demo: true,
            };
            region_ids.insert(
                r.code.clone(),
                db::regions::upsert_by_code(&mut tx, &region).await?,
            );
        }
        let mut unit_ids = HashMap::new();
        for u in &self.units {
            let unit = db::units::NewUnit {
                region_id: region_ids[&u.region],
                name: &u.name,
                credit_code: u.credit_code.as_ref().map(|c| c.as_str()),
                industry: &u.industry,
                is_key_unit: u.key_unit,
                is_public_gathering: u.public_gathering,
                has_control_room: u.control_room,
                control_room_linkage: u.linkage,
                is_demo: true,
                created_at: now,
            };
            unit_ids.insert(
                u.name.clone(),
                db::units::upsert_by_region_and_name(&mut tx, &unit).await?,
            );
        }
        for p in &self.people {
            let person_id =
                db::people::upsert_by_phone(&mut tx, &p.name, &p.phone, true, now).await?;
            db::memberships::insert_if_absent(
                &mut tx,
                person_id,
                unit_ids[&p.unit],
                p.post,
                &p.start_date,
            )
            .await?;
        }
        for (a, hash) in self.accounts.iter().zip(&hashes) {
            let person_id =
                db::people::upsert_by_phone(&mut tx, &a.name, &a.phone, true, now).await?;
            if !db::accounts::exists(&mut tx, person_id).await? {
                db::accounts::insert(&mut tx, person_id, hash, true, false, now).await?;
            }
            let grant = match a.role.as_str() {
                "region_admin" => Some(app::auth::Grant::RegionAdmin {
                    region_id: region_ids[&a.scope],
                }),
                "unit_admin" => Some(app::auth::Grant::UnitAdmin {
                    unit_id: unit_ids[&a.scope],
                }),
                _ => None,
            };
            if let Some(grant) = grant {
                db::grants::grant(&mut tx, person_id, grant, now).await?;
            }
        }
        tx.commit().await?;
        let after = counts(db).await?;
        let history =
            crate::demo_history::apply(db, app::domain::date::today_in_shanghai(), &self.courses)
                .await
                .context("adding the demo history")?;
        app::actions::posters::add_demo(db, app::domain::date::today_in_shanghai())
            .await
            .context("adding the demo posters")?;
        Ok(Added {
            regions: after.regions - before.regions,
            units: after.units - before.units,
            people: after.people - before.people,
            memberships: after.memberships - before.memberships,
            accounts: after.accounts - before.accounts,
            history,
        })
    }
}

async fn counts(db: &Db) -> Result<Added, sqlx::Error> {
    let (regions, units, people, memberships, accounts): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM regions), (SELECT COUNT(*) FROM units), \
         (SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM memberships), (SELECT COUNT(*) FROM accounts)",
    )
    .fetch_one(db)
    .await?;
    Ok(Added {
        regions: regions as u64,
        units: units as u64,
        people: people as u64,
        memberships: memberships as u64,
        accounts: accounts as u64,
        history: Default::default(),
    })
}

/// Reads a CSV with exactly the expected header; calls `row` with the line
/// number and the fields of every record.
fn for_each_row(
    (path, text): (&str, &str),
    header: &[&str],
    errors: &mut Vec<String>,
    mut row: impl FnMut(u64, &csv::StringRecord, &mut Vec<String>),
) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    match reader.headers() {
        Ok(found) if found.iter().map(str::trim).eq(header.iter().copied()) => {}
        Ok(found) => {
            errors.push(format!(
                "{path}:1: expected header {:?}, found {:?}",
                header.join(","),
                found.iter().collect::<Vec<_>>().join(",")
            ));
            return;
        }
        Err(err) => {
            errors.push(format!("{path}:1: {err}"));
            return;
        }
    }
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                row(line, &record, errors);
            }
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                errors.push(format!("{path}:{line}: {err}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGIONS: &str = "code,parent,name,level\nT,,嘉峰镇,town\nV1,T,窦庄村,village\n";
    const UNITS: &str = "region,name,industry,credit_code,key_unit,public_gathering,control_room,linkage\n\
        V1,窦庄小学,学校,,是,是,否,否\nT,嘉峰宾馆,宾馆饭店,91350100M000100Y43,是,是,是,是\n";
    const PEOPLE: &str = "name,phone,unit,post,start_date\n张明,13812345678,窦庄小学,员工,2024-03-01\n\
        张明,13812345678,嘉峰宾馆,消防控制室值班员,2025-01-01\n";

    fn parse(regions: &str, units: &str, people: &str) -> Result<DemoSeed, SeedErrors> {
        DemoSeed::parse(
            ("regions.csv", regions),
            ("units.csv", units),
            ("people.csv", people),
        )
    }

    #[test]
    fn parses_a_valid_seed_with_a_person_in_two_units() {
        let seed = parse(REGIONS, UNITS, PEOPLE).unwrap();
        assert_eq!(seed.regions.len(), 2);
        assert_eq!(seed.regions[1].parent.as_deref(), Some("T"));
        assert!(seed.units[1].linkage);
        assert_eq!(seed.people[1].post, Post::ControlRoomOperator);
    }

    #[test]
    fn reports_every_bad_row_with_file_and_line() {
        let people = "name,phone,unit,post,start_date\n张明,1381234567,窦庄小学,员工,2024-03-01\n\
            李华,13912345678,不存在的单位,保安,2024-13-01\n";
        let units = UNITS.replace("91350100M000100Y43", "91350100M000100Y44");
        let errors = parse(REGIONS, &units, people).unwrap_err().0;
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("units.csv:3: ") && e.contains("校验位")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("people.csv:2: ") && e.contains("11 位")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("people.csv:3: ") && e.contains("不存在的单位")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("people.csv:3: ") && e.contains("保安")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("people.csv:3: ") && e.contains("2024-13-01")),
            "{errors:?}"
        );
    }

    #[test]
    fn rejects_a_parent_defined_later_and_a_wrong_header() {
        let regions = "code,parent,name,level\nV1,T,窦庄村,village\nT,,嘉峰镇,town\n";
        let errors = parse(regions, UNITS, PEOPLE).unwrap_err().0;
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("regions.csv:2: ") && e.contains("parent")),
            "{errors:?}"
        );
        let errors = parse("id,name\n1,x\n", UNITS, PEOPLE).unwrap_err().0;
        assert!(
            errors[0].starts_with("regions.csv:1: expected header"),
            "{errors:?}"
        );
    }

    #[test]
    fn the_shipped_demo_seed_is_valid_and_town_sized() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
        let seed = DemoSeed::load(&dir).unwrap();
        assert!(seed.units.len() >= 12, "{} units", seed.units.len());
        let phones: HashSet<_> = seed.people.iter().map(|p| &p.phone).collect();
        assert!(
            (180..=260).contains(&phones.len()),
            "{} people",
            phones.len()
        );
        let industries: HashSet<_> = seed.units.iter().map(|u| &u.industry).collect();
        assert!(industries.len() >= 8, "{industries:?}");
        assert!(
            seed.people
                .iter()
                .any(|p| p.post == Post::ControlRoomOperator)
        );
    }
}
