//! Industry categories of units.

/// Industries from the town plan; a unit picks one.
pub const INDUSTRIES: [&str; 14] = [
    "学校",
    "养老院",
    "宾馆饭店",
    "旅游景区",
    "文物保护单位",
    "医疗机构",
    "商业综合体",
    "矿山企业",
    "危化企业",
    "家庭作坊",
    "经营性自建房",
    "人员密集场所",
    "工业企业",
    "其他",
];
