//! `xuetang seed --synthetic`: a reproducible province for benchmarks —
//! regions down to villages, units, people, posts with joiners and leavers,
//! operator credentials, platform certificates, training sessions and drills
//! over 2024 to `until` — written with large multi-row INSERTs.
//!
//! [`plan`] is pure: the same [`Config`] (seed, sizes, last day) gives the
//! same rows. Everything is marked `is_demo`, and the command refuses a
//! database that already holds units or people, so it never mixes with real
//! data.

use anyhow::Context;
use app::db::{Backend, Db};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};
use std::collections::HashSet;
use std::fmt;
use time::macros::date;
use time::{Date, Duration};

/// The province admin the command creates (printed; 示例数据).
pub const ADMIN_PHONE: &str = "13800000001";
pub const ADMIN_PASSWORD: &str = "xuetang2026";
const ADMIN_NAME: &str = "省级管理员";

/// Sizes and seed on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct SyntheticArgs {
    /// Units in the province.
    #[arg(long, default_value_t = 100_000, requires = "synthetic")]
    pub units: usize,
    /// People on the units' rosters.
    #[arg(long, default_value_t = 2_000_000, requires = "synthetic")]
    pub people: usize,
    /// Random seed: the same seed, sizes and --until give the same data.
    #[arg(long, default_value_t = 1, requires = "synthetic")]
    pub seed: u64,
    /// Last day of the history (YYYY-MM-DD); default today, at most 2026-12-31.
    #[arg(long, requires = "synthetic")]
    pub until: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub units: usize,
    pub people: usize,
    pub seed: u64,
    pub until: Date,
}

const FIRST_DAY: Date = date!(2024 - 01 - 01);
const LAST_DAY: Date = date!(2026 - 12 - 31);
const PLATFORM_LIVE: Date = date!(2024 - 01 - 15);

impl SyntheticArgs {
    pub fn config(&self) -> anyhow::Result<Config> {
        let until = match &self.until {
            Some(text) => Date::parse(
                text,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .with_context(|| format!("--until {text:?}: expected YYYY-MM-DD"))?,
            None => app::domain::date::today_in_shanghai().min(LAST_DAY),
        };
        anyhow::ensure!(
            (FIRST_DAY..=LAST_DAY).contains(&until),
            "--until must lie in 2024–2026"
        );
        anyhow::ensure!(self.units >= 1, "--units must be at least 1");
        anyhow::ensure!(
            self.people <= 50_000_000,
            "--people: at most 50 000 000 (unique mobile numbers)"
        );
        Ok(Config {
            units: self.units,
            people: self.people,
            seed: self.seed,
            until,
        })
    }
}

// ---------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------

/// splitmix64: tiny, fast and the same everywhere.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with `per_mille` / 1000.
    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index by weight.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }

    /// A day in `from..=to` (`from` when empty).
    fn day(&mut self, from: Date, to: Date) -> Date {
        let span = (to - from).whole_days();
        if span <= 0 {
            return from;
        }
        from + Duration::days(self.below(span as usize + 1) as i64)
    }
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const PLACE: [&str; 48] = [
    "安", "宝", "北", "昌", "城", "丰", "福", "阜", "高", "古", "广", "和", "河", "华", "怀", "黄",
    "吉", "嘉", "建", "金", "晋", "靖", "康", "乐", "临", "龙", "隆", "平", "清", "庆", "泉", "瑞",
    "山", "寿", "太", "泰", "天", "通", "文", "武", "西", "兴", "阳", "永", "榆", "原", "长", "中",
];
const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
];
const GIVEN: [&str; 48] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "红", "文", "玉", "兰", "春", "海",
    "亮", "鹏", "辉", "宇", "欣", "婷", "雪", "梅", "林", "峰", "志", "斌", "晨", "浩", "凯", "琳",
];
const TRADE: [&str; 24] = [
    "兴旺", "华丰", "福源", "金鑫", "宏达", "永安", "顺发", "鸿运", "聚福", "恒通", "瑞祥", "祥和",
    "新华", "盛泰", "万家", "康乐", "东方", "长城", "友谊", "红星", "光明", "富民", "利民", "同心",
];

/// Mobile prefixes people get; 138 is kept for the admin account.
const PHONE_PREFIXES: [u32; 24] = [
    130, 131, 132, 133, 135, 136, 137, 139, 150, 151, 152, 155, 156, 157, 158, 159, 177, 180, 182,
    183, 186, 187, 189, 199,
];

/// Industry, weight in the province, and the unit names of that trade.
const INDUSTRIES: [(&str, u32, &[&str]); 14] = [
    ("学校", 5, &["小学", "中学", "幼儿园"]),
    ("养老院", 2, &["敬老院", "养老中心"]),
    ("宾馆饭店", 8, &["宾馆", "饭店", "酒店"]),
    ("旅游景区", 1, &["景区", "山庄"]),
    ("文物保护单位", 1, &["古寺", "祠堂", "古堡"]),
    ("医疗机构", 4, &["卫生院", "诊所", "医院"]),
    ("商业综合体", 2, &["商厦", "购物中心"]),
    ("矿山企业", 2, &["煤矿", "矿业公司"]),
    ("危化企业", 3, &["化工厂", "加油站", "燃气站"]),
    ("家庭作坊", 10, &["加工坊", "作坊"]),
    ("经营性自建房", 15, &["民宿", "出租屋", "农家乐"]),
    ("人员密集场所", 12, &["超市", "网吧", "歌厅", "农贸市场"]),
    ("工业企业", 15, &["机械厂", "纺织厂", "建材厂", "食品厂"]),
    ("其他", 20, &["商店", "公司", "仓库"]),
];

/// Per mille of units that are key units, by industry (same order).
const KEY_PER_MILLE: [u32; 14] = [
    300, 300, 150, 300, 500, 400, 800, 500, 700, 0, 10, 60, 60, 20,
];
/// Industries that are public gathering places (most of their units).
const GATHERING: [bool; 14] = [
    true, true, true, true, false, true, true, false, false, false, false, true, false, false,
];

struct Course {
    slug: &'static str,
    title: &'static str,
    months: i64,
}

const INDUCTION: Course = Course {
    slug: "employee-induction",
    title: "员工岗前消防安全培训",
    months: 12,
};
const OPERATOR: Course = Course {
    slug: "control-room-operator",
    title: "消防控制室值班员",
    months: 12,
};
const MANAGER: Course = Course {
    slug: "safety-manager",
    title: "消防安全管理人",
    months: 12,
};
const PUBLIC: [Course; 2] = [
    Course {
        slug: "sanqing-sanguan",
        title: "三清三关与家庭防火",
        months: 0,
    },
    Course {
        slug: "escape-and-119",
        title: "火场逃生与报警 119",
        months: 0,
    },
];
const TRAINING_TOPICS: [&str; 4] = [
    "消防安全知识培训",
    "灭火器和消火栓使用培训",
    "疏散逃生培训",
    "岗位消防职责培训",
];
const DRILL_TOPICS: [&str; 3] = ["灭火和应急疏散演练", "初起火灾扑救演练", "夜间疏散演练"];
const ISSUER: &str = "省人力资源和社会保障厅";

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub id: i64,
    pub parent: Option<i64>,
    pub code: String,
    pub name: String,
    pub level: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    pub region: i64,
    pub name: String,
    pub industry: &'static str,
    pub key_unit: bool,
    pub gathering: bool,
    pub control_room: bool,
    pub linkage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub person: i64,
    pub unit: i64,
    pub post: &'static str,
    pub start: Date,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub person: i64,
    pub unit: i64,
    pub level: i64,
    pub number: String,
    pub issued: Date,
    pub expires: Option<Date>,
    pub checked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: i64,
    pub serial: String,
    pub verify_code: String,
    pub person: i64,
    pub course: &'static str,
    pub title: &'static str,
    pub issued: Date,
    pub valid_until: Option<Date>,
    pub superseded_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub unit: i64,
    pub drill: bool,
    pub held_on: Date,
    pub topic: &'static str,
}

/// Every row, ids assigned from 1 (the database must be empty).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub regions: Vec<Region>,
    pub units: Vec<Unit>,
    /// Person `i` has id `i + 1`.
    pub people: Vec<Person>,
    pub memberships: Vec<Member>,
    pub credentials: Vec<Credential>,
    pub certificates: Vec<Certificate>,
    pub sessions: Vec<Session>,
    /// (session id, person id)
    pub attendees: Vec<(i64, i64)>,
    /// (serial prefix and year, last number) for `serial_counters`.
    pub serials: Vec<(String, i64)>,
}

impl Member {
    fn active_on(&self, d: Date) -> bool {
        self.start <= d && self.end.is_none_or(|e| d <= e)
    }
}

fn place(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&PLACE), rng.pick(&PLACE))
}

fn regions(config: &Config, rng: &mut Rng) -> Vec<Region> {
    let towns = config.units.div_ceil(75).max(1);
    let counties = towns.div_ceil(12);
    let cities = counties.div_ceil(10);
    let mut out = vec![Region {
        id: 1,
        parent: None,
        code: "SX".into(),
        name: format!("{}省", place(rng)),
        level: "province",
    }];
    let mut add = |parent: usize, code: String, name: String, level| {
        let id = out.len() as i64 + 1;
        out.push(Region {
            id,
            parent: Some(out[parent].id),
            code,
            name,
            level,
        });
        out.len() - 1
    };
    let (mut county_no, mut town_no) = (0, 0);
    for c in 0..cities {
        let city = add(
            0,
            format!("SX-{:02}", c + 1),
            format!("{}市", place(rng)),
            "city",
        );
        let city_code = format!("SX-{:02}", c + 1);
        for k in 0..10 {
            if county_no == counties {
                break;
            }
            county_no += 1;
            let suffix = if k == 0 { "区" } else { "县" };
            let county_code = format!("{city_code}-{:02}", k + 1);
            let county = add(
                city,
                county_code.clone(),
                format!("{}{suffix}", place(rng)),
                "county",
            );
            for t in 0..12 {
                if town_no == towns {
                    break;
                }
                town_no += 1;
                let suffix = if rng.chance(150) { "乡" } else { "镇" };
                let town_code = format!("{county_code}-{:02}", t + 1);
                let town = add(
                    county,
                    town_code.clone(),
                    format!("{}{suffix}", place(rng)),
                    "town",
                );
                for v in 0..8 + rng.below(13) {
                    let suffix = if rng.chance(100) { "社区" } else { "村" };
                    add(
                        town,
                        format!("{town_code}-{:03}", v + 1),
                        format!("{}{suffix}", place(rng)),
                        "village",
                    );
                }
            }
        }
    }
    out
}

fn units(config: &Config, regions: &[Region], rng: &mut Rng) -> Vec<Unit> {
    let towns: Vec<usize> = (0..regions.len())
        .filter(|&i| regions[i].level == "town")
        .collect();
    // Villages of each town, by the town's position in `towns`.
    let mut villages: Vec<Vec<usize>> = vec![Vec::new(); regions.len()];
    for (i, r) in regions.iter().enumerate() {
        if r.level == "village" {
            villages[(r.parent.unwrap_or(1) - 1) as usize].push(i);
        }
    }
    let weights: Vec<u32> = INDUSTRIES.iter().map(|(_, w, _)| *w).collect();
    let mut names: HashSet<(i64, String)> = HashSet::with_capacity(config.units);
    (0..config.units)
        .map(|i| {
            let town = towns[i % towns.len()];
            let region = match villages[town].as_slice() {
                [] => town,
                _ if rng.chance(100) => town,
                vs => *rng.pick(vs),
            };
            let region_id = regions[region].id;
            let industry = rng.weighted(&weights);
            let (industry_name, _, kinds) = INDUSTRIES[industry];
            let stem: String = regions[region].name.chars().take(2).collect();
            let base = format!("{stem}{}{}", rng.pick(&TRADE), rng.pick(kinds));
            let mut name = base.clone();
            let mut n = 2;
            while !names.insert((region_id, name.clone())) {
                name = format!("{base}{n}号");
                n += 1;
            }
            let key_unit = rng.chance(KEY_PER_MILLE[industry]);
            let gathering = GATHERING[industry] && rng.chance(900);
            let control_room = if key_unit {
                rng.chance(700)
            } else if gathering {
                rng.chance(50)
            } else {
                rng.chance(10)
            };
            Unit {
                id: i as i64 + 1,
                region: region_id,
                name,
                industry: industry_name,
                key_unit,
                gathering,
                control_room,
                linkage: control_room && rng.chance(600),
            }
        })
        .collect()
}

/// Roster sizes summing to exactly `people`: larger for control rooms and
/// key units, smaller for workshops and self-built houses.
fn roster_sizes(units: &[Unit], people: usize, rng: &mut Rng) -> Vec<usize> {
    let weights: Vec<u64> = units
        .iter()
        .map(|u| {
            let base: u64 = if u.control_room {
                40
            } else if u.key_unit {
                20
            } else if matches!(u.industry, "家庭作坊" | "经营性自建房") {
                4
            } else {
                10
            };
            base * (50 + rng.below(101) as u64)
        })
        .collect();
    let total: u64 = weights.iter().sum::<u64>().max(1);
    let mut sizes = Vec::with_capacity(units.len());
    let (mut acc, mut given) = (0u64, 0usize);
    for w in weights {
        acc += w;
        let upto = ((acc as u128 * people as u128) / total as u128) as usize;
        sizes.push(upto - given);
        given = upto;
    }
    sizes
}

/// `i`-th person's number: a prefix and an affine permutation of 8 digits,
/// so numbers look scattered yet never repeat.
fn phone(i: usize, seed: u64) -> String {
    let prefix = PHONE_PREFIXES[i % PHONE_PREFIXES.len()];
    let n = (i / PHONE_PREFIXES.len()) as u64;
    // Odd and not a multiple of 5: invertible modulo 10^8.
    let a = 1 + 2 * (seed % 7) * 10 + 36_912_347;
    let b = seed.wrapping_mul(2_654_435_761) % 100_000_000;
    format!("{prefix}{:08}", (n * a + b) % 100_000_000)
}

fn person_name(rng: &mut Rng) -> String {
    let surname = rng.pick(&SURNAMES);
    if rng.chance(300) {
        format!("{surname}{}", rng.pick(&GIVEN))
    } else {
        format!("{surname}{}{}", rng.pick(&GIVEN), rng.pick(&GIVEN))
    }
}

/// Posts, joiners (a quarter, since 2024) and leavers (about one in ten).
fn memberships(config: &Config, units: &[Unit], sizes: &[usize], rng: &mut Rng) -> Vec<Member> {
    let mut out = Vec::with_capacity(config.people + config.people / 20);
    let mut person = 0i64;
    for (u, &size) in units.iter().zip(sizes) {
        let operators = if u.control_room {
            (4 + rng.below(3)).min(size)
        } else {
            0
        };
        for k in 0..size {
            person += 1;
            let post = if k < operators {
                "operator"
            } else if k == operators && size >= 3 {
                "manager"
            } else if k == operators + 1 && size >= 10 {
                "principal"
            } else if k >= operators + 2 && k < operators + 4 && size >= 15 {
                "station"
            } else {
                "employee"
            };
            let start = if rng.chance(750) {
                rng.day(date!(2012 - 01 - 01), date!(2023 - 12 - 31))
            } else {
                rng.day(FIRST_DAY, config.until)
            };
            let end = rng
                .chance(100)
                .then(|| rng.day(start.max(FIRST_DAY), config.until));
            out.push(Member {
                person,
                unit: u.id,
                post,
                start,
                end,
            });
        }
    }
    // A few people also work for a second unit, from 2024 on.
    let primary = out.len();
    for i in 0..primary {
        if rng.chance(30) {
            let m = out[i];
            let other = units[rng.below(units.len())].id;
            if other != m.unit {
                out.push(Member {
                    person: m.person,
                    unit: other,
                    post: "employee",
                    start: rng.day(FIRST_DAY, config.until),
                    end: None,
                });
            }
        }
    }
    out
}

fn credentials(config: &Config, members: &[Member], rng: &mut Rng) -> Vec<Credential> {
    let mut out = Vec::new();
    for m in members.iter().filter(|m| m.post == "operator") {
        let roll = rng.below(1000);
        if roll >= 880 {
            continue;
        }
        let level = 5 - rng.weighted(&[550, 330, 90, 20, 10]) as i64;
        // Most had it before starting; some only later.
        let issued = if rng.chance(800) {
            rng.day(date!(2016 - 01 - 01), m.start.max(date!(2016 - 01 - 02)))
        } else {
            rng.day(m.start, config.until)
        };
        let expires = rng.chance(400).then(|| {
            app::coverage::add_months(issued, 60)
                .previous_day()
                .unwrap_or(issued)
        });
        out.push(Credential {
            person: m.person,
            unit: m.unit,
            level,
            number: format!("{}{:010}", 1400 + level, out.len() + 1),
            issued: issued.min(config.until),
            expires,
            checked: roll < 820,
        });
    }
    out
}

fn certificates(config: &Config, members: &[Member], rng: &mut Rng) -> Vec<Certificate> {
    struct Issued {
        person: i64,
        course: &'static Course,
        day: Date,
    }
    let mut issued = Vec::new();
    for m in members {
        let course = match m.post {
            "operator" => &OPERATOR,
            "manager" | "principal" => &MANAGER,
            _ => &INDUCTION,
        };
        // Before starting (岗前培训), most joiners.
        if m.start >= PLATFORM_LIVE + Duration::days(21) && rng.chance(600) {
            issued.push(Issued {
                person: m.person,
                course,
                day: m.start - Duration::days(2 + rng.below(19) as i64),
            });
        }
        // Yearly renewals while in post.
        if course.slug != INDUCTION.slug && rng.chance(550) {
            let from = m.start.max(date!(2024 - 03 - 01));
            let mut day = rng.day(from, from + Duration::days(240));
            while day <= config.until && m.active_on(day) {
                issued.push(Issued {
                    person: m.person,
                    course,
                    day,
                });
                day += Duration::days(330 + rng.below(35) as i64);
            }
        }
        for public in &PUBLIC {
            if rng.chance(100) {
                issued.push(Issued {
                    person: m.person,
                    course: public,
                    day: rng.day(date!(2024 - 04 - 01), config.until),
                });
            }
        }
    }
    issued.retain(|c| PLATFORM_LIVE <= c.day && c.day <= config.until);
    issued.sort_by_key(|c| (c.day, c.person, c.course.slug));
    issued.dedup_by_key(|c| (c.day, c.person, c.course.slug));

    let mut numbers: Vec<(i32, i64)> = Vec::new();
    let mut out: Vec<Certificate> = issued
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let year = c.day.year();
            let number = match numbers.last_mut() {
                Some((y, n)) if *y == year => {
                    *n += 1;
                    *n
                }
                _ => {
                    numbers.push((year, 1));
                    1
                }
            };
            let mut bytes = [0u8; 13];
            bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
            bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..5]);
            Certificate {
                id: i as i64 + 1,
                serial: app::certificates::serial(&format!("SX-{year}"), number),
                verify_code: app::certificates::code_from_bytes(&bytes),
                person: c.person,
                course: c.course.slug,
                title: c.course.title,
                issued: c.day,
                valid_until: app::certificates::valid_until(c.day, c.course.months),
                superseded_by: None,
            }
        })
        .collect();
    // A later certificate of the same course supersedes the earlier one.
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| (out[i].person, out[i].course, out[i].id));
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if out[a].person == out[b].person && out[a].course == out[b].course {
            out[a].superseded_by = Some(out[b].id);
        }
    }
    out
}

/// Trainings (most units once a year, about half the staff) and drills
/// (key units twice a year), from 2024 through `until`.
fn sessions(
    config: &Config,
    units: &[Unit],
    members: &[Member],
    rng: &mut Rng,
) -> (Vec<Session>, Vec<(i64, i64)>) {
    let mut by_unit: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    for (i, m) in members.iter().enumerate() {
        by_unit[(m.unit - 1) as usize].push(i);
    }
    let mut sessions = Vec::new();
    let mut attendees = Vec::new();
    for (u, roster) in units.iter().zip(&by_unit) {
        for year in 2024..=config.until.year() {
            let first =
                Date::from_calendar_date(year, time::Month::January, 1).unwrap_or(FIRST_DAY);
            let last = Date::from_calendar_date(year, time::Month::December, 31)
                .unwrap_or(LAST_DAY)
                .min(config.until);
            let halves = if u.key_unit { 2 } else { 1 };
            let mut planned = Vec::new();
            if rng.chance(750) {
                planned.push((false, rng.day(first, last)));
            }
            for h in 0..halves {
                if rng.chance(850) {
                    let span = (last - first).whole_days() / halves;
                    let from = first + Duration::days(span * h);
                    planned.push((true, rng.day(from, from + Duration::days(span))));
                }
            }
            for (drill, day) in planned {
                let id = sessions.len() as i64 + 1;
                sessions.push(Session {
                    id,
                    unit: u.id,
                    drill,
                    held_on: day,
                    topic: if drill {
                        *rng.pick(&DRILL_TOPICS)
                    } else {
                        *rng.pick(&TRAINING_TOPICS)
                    },
                });
                let mut seen = HashSet::new();
                for &i in roster {
                    let m = &members[i];
                    let attends = if drill {
                        seen.is_empty()
                    } else {
                        rng.chance(550)
                    };
                    if m.active_on(day) && attends && seen.insert(m.person) {
                        attendees.push((id, m.person));
                    }
                }
            }
        }
    }
    (sessions, attendees)
}

/// The whole data set for `config`; the same config gives the same plan.
pub fn plan(config: &Config) -> Plan {
    let rng = |stream| Rng::new(config.seed, stream);
    let regions = regions(config, &mut rng(1));
    let units = units(config, &regions, &mut rng(2));
    let sizes = roster_sizes(&units, config.people, &mut rng(3));
    let mut names = rng(4);
    let people = (0..config.people)
        .map(|i| Person {
            name: person_name(&mut names),
            phone: phone(i, config.seed),
        })
        .collect();
    let memberships = memberships(config, &units, &sizes, &mut rng(5));
    let credentials = credentials(config, &memberships, &mut rng(6));
    let certificates = certificates(config, &memberships, &mut rng(7));
    let (sessions, attendees) = sessions(config, &units, &memberships, &mut rng(8));
    let mut serials: Vec<(String, i64)> = Vec::new();
    for c in &certificates {
        let (prefix, number) = c.serial.rsplit_once('-').unwrap_or_default();
        let number = number.parse().unwrap_or(0);
        match serials.last_mut() {
            Some((p, n)) if p == prefix => *n = number,
            _ => serials.push((prefix.to_string(), number)),
        }
    }
    Plan {
        regions,
        units,
        people,
        memberships,
        credentials,
        certificates,
        sessions,
        attendees,
        serials,
    }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
pub struct Written {
    pub regions: usize,
    pub units: usize,
    pub people: usize,
    pub memberships: usize,
    pub credentials: usize,
    pub certificates: usize,
    pub sessions: usize,
    pub attendees: usize,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "synthetic province: {} regions, {} units, {} people, {} posts, {} credentials, \
             {} certificates, {} sessions, {} attendances",
            self.regions,
            self.units,
            self.people,
            self.memberships,
            self.credentials,
            self.certificates,
            self.sessions,
            self.attendees
        )
    }
}

/// Bind parameters per statement: SQLite allows 32 766, PostgreSQL 65 535.
fn max_binds(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 32_766,
        Backend::Postgres => 65_535,
    }
}

type Insert<'q> = Query<'q, Any, AnyArguments>;

/// Inserts `rows` in statements of as many rows as the bind limit allows;
/// every full statement has the same text, so it is prepared once.
async fn insert_all<R>(
    conn: &mut AnyConnection,
    backend: Backend,
    head: &str,
    columns: usize,
    rows: &[R],
    bind: impl for<'q> Fn(Insert<'q>, &R) -> Insert<'q>,
) -> anyhow::Result<usize> {
    let per_statement = max_binds(backend) / columns;
    let sql_for = |n: usize| {
        let mut sql = String::with_capacity(head.len() + n * columns * 7);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut p = 0;
        for r in 0..n {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..columns {
                if c > 0 {
                    sql.push(',');
                }
                // SQLite looks `$n` names up one by one (quadratic in a
                // statement this long); plain `?` binds in order.
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => {
                        p += 1;
                        sql.push('$');
                        sql.push_str(&p.to_string());
                    }
                }
            }
            sql.push(')');
        }
        sql
    };
    let full = sql_for(per_statement);
    for chunk in rows.chunks(per_statement) {
        let sql = if chunk.len() == per_statement {
            full.clone()
        } else {
            sql_for(chunk.len())
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            query = bind(query, row);
        }
        query
            .execute(&mut *conn)
            .await
            .with_context(|| format!("{head} …"))?;
    }
    Ok(rows.len())
}

fn day(d: Date) -> String {
    d.to_string()
}

/// Unix seconds of `hour`:00 in Shanghai on `d`.
fn at(d: Date, hour: i64) -> i64 {
    (d - date!(1970 - 01 - 01)).whole_seconds() + (hour - 8) * 3600
}

/// Writes the plan into an empty database and creates the province admin.
pub async fn apply(db: &Db, config: &Config) -> anyhow::Result<Written> {
    let present: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM people)")
            .fetch_one(db)
            .await?;
    anyhow::ensure!(
        present == 0,
        "the database already holds units or people; the synthetic province only goes into an \
         empty database (it must never mix with real data)"
    );
    let started = std::time::Instant::now();
    let plan = tokio::task::spawn_blocking({
        let config = *config;
        move || plan(&config)
    })
    .await?;
    eprintln!("planned in {:.1} s", started.elapsed().as_secs_f64());
    let hash = app::auth::password::hash(ADMIN_PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let backend = app::db::backend(db);
    let mut conn = db.acquire().await?;
    match backend {
        Backend::Sqlite => sqlx::raw_sql(
            "PRAGMA synchronous = OFF; PRAGMA cache_size = -400000; PRAGMA temp_store = MEMORY;",
        )
        .execute(&mut *conn)
        .await?,
        Backend::Postgres => {
            sqlx::raw_sql("SET synchronous_commit = off")
                .execute(&mut *conn)
                .await?
        }
    };
    let now = at(config.until, 12);
    let mut w = Written::default();
    let b = backend;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    w.regions = insert_all(
        &mut tx,
        b,
        "INSERT INTO regions (id, parent_id, code, name, level, is_demo)",
        6,
        &plan.regions,
        |q, r| {
            q.bind(r.id)
                .bind(r.parent)
                .bind(r.code.clone())
                .bind(r.name.clone())
                .bind(r.level)
                .bind(1i64)
        },
    )
    .await?;
    w.units = insert_all(
        &mut tx,
        b,
        "INSERT INTO units (id, region_id, name, industry, is_key_unit, is_public_gathering, has_control_room, control_room_linkage, is_demo, created_at)",
        10,
        &plan.units,
        |q, u| {
            q.bind(u.id)
                .bind(u.region)
                .bind(u.name.clone())
                .bind(u.industry)
                .bind(i64::from(u.key_unit))
                .bind(i64::from(u.gathering))
                .bind(i64::from(u.control_room))
                .bind(i64::from(u.linkage))
                .bind(1i64)
                .bind(now)
        },
    )
    .await?;
    tx.commit().await?;
    eprintln!(
        "regions and units written at {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // People with the admin last, so the roster ids stay 1..=people.
    let admin_id = plan.people.len() as i64 + 1;
    let people: Vec<(i64, &Person)> = plan
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (i as i64 + 1, p))
        .collect();
    let admin = Person {
        name: ADMIN_NAME.into(),
        phone: ADMIN_PHONE.into(),
    };
    for chunk in people.chunks(500_000) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        w.people += insert_all(
            &mut tx,
            b,
            "INSERT INTO people (id, name, phone, is_demo, created_at)",
            5,
            chunk,
            |q, (id, p)| {
                q.bind(*id)
                    .bind(p.name.clone())
                    .bind(p.phone.clone())
                    .bind(1i64)
                    .bind(now)
            },
        )
        .await?;
        tx.commit().await?;
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    insert_all(
        &mut tx,
        b,
        "INSERT INTO people (id, name, phone, is_demo, created_at)",
        5,
        &[(admin_id, &admin)],
        |q, (id, p)| {
            q.bind(*id)
                .bind(p.name.clone())
                .bind(p.phone.clone())
                .bind(1i64)
                .bind(now)
        },
    )
    .await?;
    app::db::accounts::insert(&mut tx, admin_id, &hash, true, false, now).await?;
    app::db::grants::grant(
        &mut tx,
        admin_id,
        app::auth::Grant::RegionAdmin { region_id: 1 },
        now,
    )
    .await?;
    tx.commit().await?;
    eprintln!("people written at {:.1} s", started.elapsed().as_secs_f64());

    for chunk in plan.memberships.chunks(500_000) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        w.memberships += insert_all(
            &mut tx,
            b,
            "INSERT INTO memberships (person_id, unit_id, post, start_date, end_date)",
            5,
            chunk,
            |q, m| {
                q.bind(m.person)
                    .bind(m.unit)
                    .bind(m.post)
                    .bind(day(m.start))
                    .bind(m.end.map(day))
            },
        )
        .await?;
        tx.commit().await?;
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    w.credentials = insert_all(
        &mut tx,
        b,
        "INSERT INTO credentials (person_id, unit_id, level, number, issuer, issued_on, expires_on, created_at, checked_at, checked_by, is_demo)",
        11,
        &plan.credentials,
        |q, c| {
            q.bind(c.person)
                .bind(c.unit)
                .bind(c.level)
                .bind(c.number.clone())
                .bind(ISSUER)
                .bind(day(c.issued))
                .bind(c.expires.map(day))
                .bind(at(c.issued, 9))
                .bind(c.checked.then(|| at(c.issued, 15)))
                .bind(c.checked.then_some(admin_id))
                .bind(1i64)
        },
    )
    .await?;
    tx.commit().await?;
    eprintln!(
        "posts and credentials written at {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // A certificate points at the later one that superseded it, so they go
    // in newest first and every reference is already there.
    let newest_first: Vec<&Certificate> = plan.certificates.iter().rev().collect();
    for chunk in newest_first.chunks(500_000) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        w.certificates += insert_all(
            &mut tx,
            b,
            "INSERT INTO certificates (id, serial, verify_code, person_id, course_slug, course_title, issued_at, issued_on, valid_until, superseded_by, is_demo)",
            11,
            chunk,
            |q, c| {
                q.bind(c.id)
                    .bind(c.serial.clone())
                    .bind(c.verify_code.clone())
                    .bind(c.person)
                    .bind(c.course)
                    .bind(c.title)
                    .bind(at(c.issued, 10))
                    .bind(day(c.issued))
                    .bind(c.valid_until.map(day))
                    .bind(c.superseded_by)
                    .bind(1i64)
            },
        )
        .await?;
        tx.commit().await?;
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    for (prefix, last) in &plan.serials {
        sqlx::query("INSERT INTO serial_counters (prefix, last_value) VALUES ($1, $2)")
            .bind(prefix)
            .bind(*last)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    eprintln!(
        "certificates written at {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    w.sessions = insert_all(
        &mut tx,
        b,
        "INSERT INTO training_sessions (id, unit_id, kind, held_on, topic, created_at, is_demo)",
        7,
        &plan.sessions,
        |q, s| {
            q.bind(s.id)
                .bind(s.unit)
                .bind(if s.drill { "drill" } else { "training" })
                .bind(day(s.held_on))
                .bind(s.topic)
                .bind(at(s.held_on, 17))
                .bind(1i64)
        },
    )
    .await?;
    tx.commit().await?;
    for chunk in plan.attendees.chunks(1_000_000) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        w.attendees += insert_all(
            &mut tx,
            b,
            "INSERT INTO session_attendees (session_id, person_id)",
            2,
            chunk,
            |q, (s, p)| q.bind(*s).bind(*p),
        )
        .await?;
        tx.commit().await?;
    }
    eprintln!(
        "sessions written at {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if backend == Backend::Postgres {
        // Explicit ids leave the identity sequences behind; later inserts
        // (a new unit, an exam's certificate) must not collide.
        for table in [
            "regions",
            "units",
            "people",
            "certificates",
            "training_sessions",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )))
            .execute(&mut *conn)
            .await?;
        }
        sqlx::raw_sql("ANALYZE").execute(&mut *conn).await?;
    } else {
        sqlx::raw_sql("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
            .execute(&mut *conn)
            .await?;
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(seed: u64) -> Config {
        Config {
            units: 400,
            people: 8_000,
            seed,
            until: date!(2026 - 11 - 28),
        }
    }

    #[test]
    fn splitmix64_matches_the_reference() {
        // Reference outputs of splitmix64 seeded with 0.
        let mut rng = Rng(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn the_same_seed_gives_the_same_province_and_another_seed_another() {
        let a = plan(&config(7));
        assert_eq!(a, plan(&config(7)));
        let b = plan(&config(8));
        assert_ne!(a.people, b.people);
        assert_ne!(a.units, b.units);
    }

    #[test]
    fn sizes_are_exact_and_ids_and_keys_unique() {
        let p = plan(&config(1));
        assert_eq!(p.units.len(), 400);
        assert_eq!(p.people.len(), 8_000);
        let phones: HashSet<&str> = p.people.iter().map(|x| x.phone.as_str()).collect();
        assert_eq!(phones.len(), p.people.len());
        assert!(!phones.contains(ADMIN_PHONE));
        for x in &p.people {
            assert!(app::domain::Phone::parse(&x.phone).is_ok(), "{}", x.phone);
        }
        let names: HashSet<(i64, &str)> = p
            .units
            .iter()
            .map(|u| (u.region, u.name.as_str()))
            .collect();
        assert_eq!(names.len(), p.units.len());
        let codes: HashSet<&str> = p.regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), p.regions.len());
        let serials: HashSet<&str> = p.certificates.iter().map(|c| c.serial.as_str()).collect();
        assert_eq!(serials.len(), p.certificates.len());
        let verify: HashSet<&str> = p
            .certificates
            .iter()
            .map(|c| c.verify_code.as_str())
            .collect();
        assert_eq!(verify.len(), p.certificates.len());
        assert!(
            p.certificates
                .iter()
                .all(|c| app::certificates::looks_like_code(&c.verify_code))
        );
        let keys: HashSet<(i64, i64, &str, Date)> = p
            .memberships
            .iter()
            .map(|m| (m.person, m.unit, m.post, m.start))
            .collect();
        assert_eq!(keys.len(), p.memberships.len());
        let attended: HashSet<&(i64, i64)> = p.attendees.iter().collect();
        assert_eq!(attended.len(), p.attendees.len());
        // Every person is on a roster.
        let rostered: HashSet<i64> = p.memberships.iter().map(|m| m.person).collect();
        assert_eq!(rostered.len(), p.people.len());
    }

    #[test]
    fn proportions_are_plausible() {
        let c = config(3);
        let p = plan(&c);
        let share = |n: usize, of: usize| n as f64 / of as f64;
        let units = p.units.len();
        let key = share(p.units.iter().filter(|u| u.key_unit).count(), units);
        let gathering = share(p.units.iter().filter(|u| u.gathering).count(), units);
        let rooms = p.units.iter().filter(|u| u.control_room).count();
        let linkage = share(p.units.iter().filter(|u| u.linkage).count(), rooms);
        assert!((0.05..0.20).contains(&key), "key units {key}");
        assert!(
            (0.25..0.50).contains(&gathering),
            "public gathering {gathering}"
        );
        assert!(
            (0.02..0.15).contains(&share(rooms, units)),
            "control rooms {rooms}"
        );
        assert!((0.45..0.75).contains(&linkage), "linkage {linkage}");

        let operators: Vec<&Member> = p
            .memberships
            .iter()
            .filter(|m| m.post == "operator")
            .collect();
        assert!(
            operators
                .iter()
                .all(|m| p.units[(m.unit - 1) as usize].control_room)
        );
        let credentialed = share(p.credentials.len(), operators.len());
        assert!(
            (0.8..0.95).contains(&credentialed),
            "credentials {credentialed}"
        );
        let checked = share(
            p.credentials.iter().filter(|x| x.checked).count(),
            p.credentials.len(),
        );
        assert!((0.88..0.97).contains(&checked), "checked {checked}");
        assert!(
            p.credentials
                .iter()
                .any(|x| x.expires.is_some_and(|e| e < c.until))
        );

        let joiners = share(
            p.memberships
                .iter()
                .filter(|m| m.start >= FIRST_DAY)
                .count(),
            p.memberships.len(),
        );
        let leavers = share(
            p.memberships.iter().filter(|m| m.end.is_some()).count(),
            p.memberships.len(),
        );
        assert!((0.2..0.35).contains(&joiners), "joiners {joiners}");
        assert!((0.05..0.15).contains(&leavers), "leavers {leavers}");
        assert!(
            p.memberships
                .iter()
                .all(|m| m.end.is_none_or(|e| e >= m.start))
        );

        let per_person = share(p.certificates.len(), p.people.len());
        assert!(
            (0.2..1.0).contains(&per_person),
            "certificates per person {per_person}"
        );
        let trainings = p.sessions.iter().filter(|s| !s.drill).count();
        assert!(share(trainings, units) > 1.5, "trainings {trainings}");
        assert!(p.sessions.iter().any(|s| s.drill));
        // Nothing after the last day, nothing before the campaign.
        assert!(
            p.certificates
                .iter()
                .all(|x| FIRST_DAY <= x.issued && x.issued <= c.until)
        );
        assert!(
            p.sessions
                .iter()
                .all(|s| FIRST_DAY <= s.held_on && s.held_on <= c.until)
        );
        let levels: HashSet<&str> = p.regions.iter().map(|r| r.level).collect();
        assert_eq!(levels.len(), 5);
    }

    #[test]
    fn a_later_certificate_of_a_course_supersedes_the_earlier() {
        let p = plan(&config(5));
        let chained: Vec<&Certificate> = p
            .certificates
            .iter()
            .filter(|c| c.superseded_by.is_some())
            .collect();
        assert!(!chained.is_empty());
        for c in chained {
            let later = &p.certificates[(c.superseded_by.unwrap() - 1) as usize];
            assert_eq!((later.person, later.course), (c.person, c.course));
            assert!(later.issued >= c.issued && later.id > c.id);
        }
        // Serial counters continue after the last serial of each year.
        for (prefix, last) in &p.serials {
            let serial = app::certificates::serial(prefix, *last);
            assert!(p.certificates.iter().any(|c| c.serial == serial));
        }
    }
}
