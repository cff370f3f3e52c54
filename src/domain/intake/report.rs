//! What a reporter (or the centre on a caller's behalf) files: [`ReportInput`] as the form, the
//! API or Open311 gives it, parsed once into a [`NewMatter`].
//!
//! Locations are WGS-84 (the datum GPS and Open311 use; the national map service 天地图 draws in
//! CGCS2000, which differs from WGS-84 by centimetres, so a point is shown where it was taken).
//! Points of the GCJ-02 maps of commercial apps are shifted by hundreds of metres and must be
//! converted by the client before they are sent.

use serde::{Deserialize, Serialize};

use crate::domain::fields::FieldErrors;
use crate::domain::intake::{Category, Source, Urgency};

/// A point in WGS-84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub long: f64,
}

/// The district's bounding box: a point outside it is not the bureau's to handle (and is most
/// often a GCJ-02 point sent by mistake or a typo).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistrictArea {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_long: f64,
    pub max_long: f64,
}

impl DistrictArea {
    /// 常州市钟楼区, the seed's district, with a margin of about a kilometre ([M]: the
    /// district's boundary polygon would be exact; a box is what the bureau can check by eye).
    pub const ZHONGLOU: DistrictArea =
        DistrictArea { min_lat: 31.70, max_lat: 31.86, min_long: 119.82, max_long: 119.99 };

    pub fn contains(&self, point: GeoPoint) -> bool {
        (self.min_lat..=self.max_lat).contains(&point.lat)
            && (self.min_long..=self.max_long).contains(&point.long)
    }
}

/// The longest description Open311 allows (GeoReport v2: 4,000 characters); the form keeps to it.
pub const MAX_DESCRIPTION: usize = 4000;

/// A report as given. Every field is text, as forms and Open311 send it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReportInput {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: String,
    #[serde(default)]
    pub long: String,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_phone: String,
    /// A link to a photo or page about the problem (Open311 `media_url`): kept as a link for
    /// staff to open, never fetched by the server.
    #[serde(default)]
    pub media_url: String,
}

/// A report that passed every check, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMatter {
    pub source: Source,
    pub category: String,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    pub address: String,
    pub point: Option<GeoPoint>,
    /// Personal data: kept apart from the matter, sealed, shown masked.
    pub reporter_name: String,
    pub reporter_phone: String,
    pub media_url: Option<String>,
}

/// A phone as the centre writes it: a mobile number (11 digits from 1) or a fixed line with its
/// area code (from 0, 10–12 digits, one dash at most); spaces are dropped.
pub fn parse_phone(raw: &str) -> Option<String> {
    let phone: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let mobile = phone.len() == 11 && phone.starts_with('1') && digits == 11;
    let fixed = (10..=12).contains(&digits)
        && phone.starts_with('0')
        && phone.chars().all(|c| c.is_ascii_digit() || c == '-')
        && phone.matches('-').count() <= 1
        && !phone.starts_with('-')
        && !phone.ends_with('-');
    (mobile || fixed).then_some(phone)
}

/// A media link as a reporter sends it: `http` or `https`, a host name with a dot (never an IP
/// literal, `localhost` or a local suffix), no credentials, at most 500 characters. The server
/// never fetches it, so a link to an internal address cannot make it call inside the network;
/// refusing such links keeps staff from opening them from inside as well.
pub fn parse_media_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.len() > 500 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || authority.starts_with('[') {
        return None;
    }
    let host = authority.split(':').next().unwrap_or_default().to_ascii_lowercase();
    let local = ["localhost", ".localhost", ".local", ".internal", ".lan", ".intranet", ".corp", ".home"];
    let ip_literal =
        host.parse::<core::net::IpAddr>().is_ok() || host.chars().all(|c| c.is_ascii_digit() || c == '.');
    let named = host.contains('.')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !host.starts_with('.')
        && !host.ends_with('.');
    (named && !ip_literal && !local.iter().any(|l| host == l.trim_start_matches('.') || host.ends_with(l)))
        .then(|| url.to_owned())
}

/// Text for the public (the reporter's lookup, Open311): runs of seven digits or more — phone,
/// identity and account numbers a reporter or officer may have typed — are masked.
pub fn public_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // A run of digits, with single spaces or dashes between them, and an ID number's
            // final X.
            let mut j = i;
            let mut digits = 0;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                } else if matches!(chars[j], ' ' | '-')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                {
                    j += 1;
                } else if matches!(chars[j], 'X' | 'x') && digits == 17 {
                    digits += 1;
                    j += 1;
                    break;
                } else {
                    break;
                }
            }
            if digits >= 7 {
                out.extend(std::iter::repeat_n('*', j - i));
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

impl ReportInput {
    /// Checks a report against the catalogue and the district: a class that is active (and
    /// public, for the public's own sources), a description, a location given as an address or
    /// a point inside the district, a phone that is one. Open311 answers its own error format
    /// from the same field errors.
    pub fn parse(
        &self,
        source: Source,
        categories: &[Category],
        area: &DistrictArea,
    ) -> Result<NewMatter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let public_source = matches!(source, Source::WebForm | Source::Open311);
        let category = categories.iter().find(|c| {
            c.code.eq_ignore_ascii_case(self.category.trim()) && c.active && (c.public || !public_source)
        });
        if category.is_none() {
            errors.add("category", "category_unknown", "请选择有效的问题类别");
        }
        let urgency = match self.urgency.trim() {
            "" => Some(Urgency::Normal),
            raw => Urgency::parse(raw),
        };
        if urgency.is_none() {
            errors.add("urgency", "urgency_invalid", "紧急程度为 normal（一般）或 urgent（紧急）");
        }
        let description = self.description.trim();
        if description.chars().count() < 5 || description.chars().count() > MAX_DESCRIPTION {
            errors.add("description", "description_required", "请描述问题（5–4000 字）");
        }
        let address = self.address.trim();
        if address.chars().count() > 200 {
            errors.add("address", "too_long", "地址不超过 200 字");
        }
        let point = match (self.lat.trim(), self.long.trim()) {
            ("", "") => None,
            (lat, long) => match (lat.parse::<f64>(), long.parse::<f64>()) {
                (Ok(lat), Ok(long)) if lat.is_finite() && long.is_finite() => {
                    let point = GeoPoint { lat, long };
                    if !area.contains(point) {
                        errors.add("lat", "outside_district", "坐标不在本区范围内（请使用 WGS-84 坐标）");
                    }
                    Some(point)
                }
                _ => {
                    errors.add("lat", "point_invalid", "经纬度须成对填写，为十进制度数");
                    None
                }
            },
        };
        if address.is_empty() && point.is_none() && errors.get("lat").is_none() {
            errors.add("address", "location_required", "请填写地址或在地图上选点");
        }
        let reporter_name = self.reporter_name.trim();
        if reporter_name.chars().count() > 30 {
            errors.add("reporter_name", "too_long", "姓名不超过 30 字");
        }
        let reporter_phone = match self.reporter_phone.trim() {
            "" => Some(String::new()),
            raw => parse_phone(raw),
        };
        if reporter_phone.is_none() {
            errors.add("reporter_phone", "phone_invalid", "请填写正确的手机号或带区号的固定电话");
        }
        let media_url = match self.media_url.trim() {
            "" => Some(None),
            raw => parse_media_url(raw).map(Some),
        };
        if media_url.is_none() {
            errors.add("media_url", "media_url_invalid", "图片链接须为 http(s) 网址，且不能指向内部地址");
        }
        errors.into_result()?;
        let (Some(category), Some(urgency), Some(reporter_phone), Some(media_url)) =
            (category, urgency, reporter_phone, media_url)
        else {
            unreachable!("every None above added a field error")
        };
        let place =
            if address.is_empty() { "地图选点".to_owned() } else { address.chars().take(30).collect() };
        Ok(NewMatter {
            source,
            category: category.code.clone(),
            urgency,
            title: format!("{}：{place}", category.name),
            description: description.to_owned(),
            address: address.to_owned(),
            point,
            reporter_name: reporter_name.to_owned(),
            reporter_phone,
            media_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intake::CategoryKind;
    use crate::domain::worktime::TimeLimit;

    pub(crate) fn classes() -> Vec<Category> {
        let class = |code: &str, name: &str, public| Category {
            code: code.into(),
            name: name.into(),
            kind: CategoryKind::Event,
            group: "街面秩序".into(),
            public,
            handle_normal: TimeLimit::WorkingHours(4),
            handle_urgent: TimeLimit::Hours(2),
            active: true,
            version: 1,
        };
        vec![class("SJ0401", "无照经营游商", true), class("SJ0499", "内部类别", false)]
    }

    fn report() -> ReportInput {
        ReportInput {
            category: "SJ0401".into(),
            description: "路口有流动摊贩占道经营".into(),
            address: "南大街与西直街交叉口".into(),
            reporter_phone: "138 0000 1234".into(),
            ..ReportInput::default()
        }
    }

    #[test]
    fn a_report_becomes_a_matter_with_a_title() {
        let matter = report().parse(Source::Hotline, &classes(), &DistrictArea::ZHONGLOU).unwrap();
        assert_eq!(matter.title, "无照经营游商：南大街与西直街交叉口");
        assert_eq!(matter.reporter_phone, "13800001234");
        assert_eq!(matter.urgency, Urgency::Normal);
    }

    #[test]
    fn the_public_reports_only_public_classes_inside_the_district() {
        let area = DistrictArea::ZHONGLOU;
        let internal = ReportInput { category: "SJ0499".into(), ..report() };
        assert!(internal.parse(Source::Hotline, &classes(), &area).is_ok());
        let errors = internal.parse(Source::Open311, &classes(), &area).unwrap_err();
        assert_eq!(errors.iter().next().unwrap().code, "category_unknown");
        // A GCJ-02 point of central Beijing is not in the district.
        let far = ReportInput { lat: "39.9".into(), long: "116.4".into(), ..report() };
        assert_eq!(
            far.parse(Source::WebForm, &classes(), &area).unwrap_err().iter().next().unwrap().code,
            "outside_district"
        );
        let nowhere = ReportInput { address: String::new(), ..report() };
        assert_eq!(
            nowhere.parse(Source::WebForm, &classes(), &area).unwrap_err().iter().next().unwrap().code,
            "location_required"
        );
        let point =
            ReportInput { address: String::new(), lat: "31.78".into(), long: "119.93".into(), ..report() };
        assert_eq!(
            point.parse(Source::WebForm, &classes(), &area).unwrap().point,
            Some(GeoPoint { lat: 31.78, long: 119.93 })
        );
    }

    #[test]
    fn media_links_never_point_inside() {
        assert!(parse_media_url("https://img.example.cn/a.jpg").is_some());
        assert!(parse_media_url("http://pic.weibo.com:8080/x?y=1").is_some());
        for bad in [
            "ftp://example.cn/a",
            "https://127.0.0.1/a",
            "http://10.0.0.5/",
            "http://[::1]/",
            "https://localhost/a",
            "https://metadata.internal/",
            "https://user:pw@example.cn/",
            "https://intranet/",
            "https://2130706433/",
            "https://exa mple.cn/",
        ] {
            assert_eq!(parse_media_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn public_text_masks_long_numbers() {
        assert_eq!(public_text("请回电13912345678，谢谢"), "请回电***********，谢谢");
        assert_eq!(public_text("身份证11010519491231002X"), "身份证******************");
        assert_eq!(public_text("电话 0519-8888 1234"), "电话 **************");
        assert_eq!(public_text("南大街12号，3辆车，2026年"), "南大街12号，3辆车，2026年");
    }

    #[test]
    fn phones_are_mobiles_or_fixed_lines() {
        assert_eq!(parse_phone("0519-8888 1234").as_deref(), Some("0519-88881234"));
        for bad in ["12345", "2380000123", "138000012345", "0519--888812", "-05198888", "abc"] {
            assert_eq!(parse_phone(bad), None, "{bad}");
        }
    }
}
