//! Evidence (证据): the legal kinds, what a file's first bytes say it is, the device clock check,
//! retention and the custody events. No I/O: the store keeps items and custody records, the
//! blob store keeps the bytes.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

/// The eight kinds of evidence of 行政处罚法 Art. 46 ¶1 (书证；物证；视听资料；电子数据；证人证言；
/// 当事人的陈述；鉴定意见；勘验笔录、现场笔录), in the statute's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// 书证
    Documentary,
    /// 物证 (a photograph of the thing, the thing itself being kept elsewhere)
    Physical,
    /// 视听资料
    AudioVisual,
    /// 电子数据
    Electronic,
    /// 证人证言
    WitnessTestimony,
    /// 当事人的陈述
    PartyStatement,
    /// 鉴定意见
    ExpertOpinion,
    /// 勘验笔录、现场笔录
    InspectionRecord,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 8] = [
        EvidenceKind::Documentary,
        EvidenceKind::Physical,
        EvidenceKind::AudioVisual,
        EvidenceKind::Electronic,
        EvidenceKind::WitnessTestimony,
        EvidenceKind::PartyStatement,
        EvidenceKind::ExpertOpinion,
        EvidenceKind::InspectionRecord,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EvidenceKind::Documentary => "documentary",
            EvidenceKind::Physical => "physical",
            EvidenceKind::AudioVisual => "audio_visual",
            EvidenceKind::Electronic => "electronic",
            EvidenceKind::WitnessTestimony => "witness_testimony",
            EvidenceKind::PartyStatement => "party_statement",
            EvidenceKind::ExpertOpinion => "expert_opinion",
            EvidenceKind::InspectionRecord => "inspection_record",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            EvidenceKind::Documentary => "书证",
            EvidenceKind::Physical => "物证",
            EvidenceKind::AudioVisual => "视听资料",
            EvidenceKind::Electronic => "电子数据",
            EvidenceKind::WitnessTestimony => "证人证言",
            EvidenceKind::PartyStatement => "当事人的陈述",
            EvidenceKind::ExpertOpinion => "鉴定意见",
            EvidenceKind::InspectionRecord => "勘验笔录、现场笔录",
        }
    }

    pub fn parse(code: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The file types evidence may have, recognised from their first bytes, never from the name or
/// the type the client declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Heic,
    Tiff,
    Mp4,
    QuickTime,
    Avi,
    Wav,
    Mp3,
    Aac,
    M4a,
    Amr,
    Pdf,
}

/// How many leading bytes [`sniff`] needs at most.
pub const SNIFF_BYTES: usize = 16;

/// Why a file is refused before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unaccepted {
    /// A program or script (`MZ`, ELF, Mach-O, `#!`): never stored as evidence.
    Executable(&'static str),
    /// Anything else that is not a photo, recording or scanned document.
    Unknown,
}

impl Unaccepted {
    pub fn code(&self) -> &'static str {
        match self {
            Unaccepted::Executable(_) => "executable_refused",
            Unaccepted::Unknown => "unsupported_type",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Unaccepted::Executable(what) => format!("文件是可执行程序（{what}），不能作为证据上传"),
            Unaccepted::Unknown => {
                "不支持的文件类型：请上传照片（JPEG/PNG/WebP/HEIC/TIFF）、视频（MP4/MOV/AVI）、\
                 音频（WAV/MP3/AAC/M4A/AMR）或扫描件（PDF）"
                    .to_owned()
            }
        }
    }
}

impl MediaType {
    pub const ALL: [MediaType; 14] = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Webp,
        MediaType::Heic,
        MediaType::Tiff,
        MediaType::Mp4,
        MediaType::QuickTime,
        MediaType::Avi,
        MediaType::Wav,
        MediaType::Mp3,
        MediaType::Aac,
        MediaType::M4a,
        MediaType::Amr,
        MediaType::Pdf,
    ];

    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Heic => "image/heic",
            MediaType::Tiff => "image/tiff",
            MediaType::Mp4 => "video/mp4",
            MediaType::QuickTime => "video/quicktime",
            MediaType::Avi => "video/x-msvideo",
            MediaType::Wav => "audio/wav",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Aac => "audio/aac",
            MediaType::M4a => "audio/mp4",
            MediaType::Amr => "audio/amr",
            MediaType::Pdf => "application/pdf",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpeg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Heic => "heic",
            MediaType::Tiff => "tiff",
            MediaType::Mp4 => "mp4",
            MediaType::QuickTime => "quicktime",
            MediaType::Avi => "avi",
            MediaType::Wav => "wav",
            MediaType::Mp3 => "mp3",
            MediaType::Aac => "aac",
            MediaType::M4a => "m4a",
            MediaType::Amr => "amr",
            MediaType::Pdf => "pdf",
        }
    }

    pub fn parse(code: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The file name extension an export gives the original.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::QuickTime => "mov",
            MediaType::Heic => "heic",
            other => other.code(),
        }
    }

    /// Photos a browser shows as thumbnails. TIFF and HEIC are not shown by most browsers.
    pub fn is_viewable_image(self) -> bool {
        matches!(self, MediaType::Jpeg | MediaType::Png | MediaType::Webp)
    }

    pub fn is_video(self) -> bool {
        matches!(self, MediaType::Mp4 | MediaType::QuickTime | MediaType::Avi)
    }

    pub fn is_audio(self) -> bool {
        matches!(self, MediaType::Wav | MediaType::Mp3 | MediaType::Aac | MediaType::M4a | MediaType::Amr)
    }

    /// Whether the browser may get the bytes inline (a player or an `<img>`). Everything else,
    /// PDF included (it may carry script), is served only as an attachment.
    pub fn inline_allowed(self) -> bool {
        self.is_viewable_image() || self.is_video() || self.is_audio()
    }

    /// The evidence kind a file of this type usually is, offered as the default on upload.
    pub fn default_kind(self) -> EvidenceKind {
        if self.is_video() || self.is_audio() {
            EvidenceKind::AudioVisual
        } else if self == MediaType::Pdf || self == MediaType::Tiff {
            EvidenceKind::Documentary
        } else {
            EvidenceKind::Physical
        }
    }
}

/// Recognises a file from its first bytes (at least [`SNIFF_BYTES`] when the file is that
/// long).
/// The smallest `ftyp` box: size, type, major brand, minor version (ISO/IEC 14496-12 §4.3).
const FTYP_MIN_BYTES: u32 = 16;
/// A generous bound on an `ftyp` box: a few dozen compatible brands at most.
const FTYP_MAX_BYTES: u32 = 1024;

pub fn sniff(head: &[u8]) -> Result<MediaType, Unaccepted> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    // Programs first: a renamed executable is refused as such, whatever it is called.
    if starts(b"MZ") {
        return Err(Unaccepted::Executable("Windows PE"));
    }
    if starts(b"\x7fELF") {
        return Err(Unaccepted::Executable("ELF"));
    }
    for magic in [
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ] {
        if starts(magic) {
            return Err(Unaccepted::Executable("Mach-O"));
        }
    }
    if starts(b"#!AMR") {
        return Ok(MediaType::Amr);
    }
    if starts(b"#!") {
        return Err(Unaccepted::Executable("script"));
    }
    // A JPEG's start-of-image is followed by a marker (C0–FE: APPn, DQT, SOF, DHT, COM …);
    // the three bytes alone would let anything that starts with them through.
    if starts(b"\xff\xd8\xff") && head.get(3).is_some_and(|marker| (0xc0..=0xfe).contains(marker)) {
        return Ok(MediaType::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(MediaType::Png);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Ok(MediaType::Tiff);
    }
    if starts(b"%PDF-") {
        return Ok(MediaType::Pdf);
    }
    if starts(b"RIFF") {
        if at(8, b"WEBP") {
            return Ok(MediaType::Webp);
        }
        if at(8, b"AVI ") {
            return Ok(MediaType::Avi);
        }
        if at(8, b"WAVE") {
            return Ok(MediaType::Wav);
        }
        return Err(Unaccepted::Unknown);
    }
    if at(4, b"ftyp") {
        // An ISO media file opens with its `ftyp` box: a size that fits the box (header, major
        // brand, minor version, a few compatible brands) and a major brand this bureau's
        // devices write. Anything else with `ftyp` at byte 4 is not accepted as media.
        let size = head.get(..4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        if !(FTYP_MIN_BYTES..=FTYP_MAX_BYTES).contains(&size) {
            return Err(Unaccepted::Unknown);
        }
        let brand = head.get(8..12).unwrap_or_default();
        return match brand {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
                Ok(MediaType::Heic)
            }
            b"qt  " => Ok(MediaType::QuickTime),
            b"M4A " | b"M4B " => Ok(MediaType::M4a),
            b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso8" | b"iso9" | b"mp41"
            | b"mp42" | b"mp71" | b"avc1" | b"dash" | b"MSNV" | b"M4V " | b"M4VH" | b"M4VP" | b"3gp4"
            | b"3gp5" | b"3gp6" | b"3gp7" | b"3g2a" | b"3g2b" | b"3g2c" | b"XAVC" | b"NDAS" | b"f4v "
            | b"mmp4" => Ok(MediaType::Mp4),
            _ => Err(Unaccepted::Unknown),
        };
    }
    if starts(b"ID3") {
        return Ok(MediaType::Mp3);
    }
    if let [0xff, second, ..] = head {
        // MPEG audio frame sync: eleven set bits. Layer bits 00 with MPEG-2/4 is ADTS AAC;
        // any other layer is MPEG audio (MP3).
        if second & 0xe0 == 0xe0 {
            let layer = (second >> 1) & 0b11;
            return Ok(if layer == 0 { MediaType::Aac } else { MediaType::Mp3 });
        }
    }
    Err(Unaccepted::Unknown)
}

/// How far a device's clock may run ahead of the server before an item is flagged: a photo or
/// recording cannot have been taken after it arrived, so a device time later than the receipt
/// by more than this means the device clock is wrong and the recorded time needs explaining.
pub const MAX_DEVICE_CLOCK_LEAD: Duration = Duration::minutes(5);

/// Whether the device's time is implausible against the server's receipt time.
pub fn clock_skewed(device_time: Option<DateTime<Utc>>, received_at: DateTime<Utc>) -> bool {
    device_time.is_some_and(|t| t > received_at + MAX_DEVICE_CLOCK_LEAD)
}

/// Routine recordings are kept at least this many months from the recording date. No
/// 城管-specific national number exists; the closest national anchor is 《公安机关现场执法
/// 视音频记录工作规定》Art. 13 (≥ 6 months; permanent when the footage is evidence in a case).
pub const ROUTINE_RETENTION_MONTHS: u32 = 6;

/// Days a deleted item can still be restored before its bytes may be removed.
pub const DELETION_RECOVERY_DAYS: i64 = 7;

/// What decides how long an item is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionFacts {
    /// The day the recording or photo was made (device time, else receipt).
    pub recorded_on: NaiveDate,
    /// Attached to a case: kept with the case file, which for evidence is permanent.
    pub attached_to_case: bool,
    /// Under legal hold (a dispute, a complaint, a court request).
    pub legal_hold: bool,
}

/// How long an item is kept; every class that applies is considered and the longest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "class", content = "until", rename_all = "snake_case")]
pub enum Retention {
    /// Routine recording: may be deleted after this day.
    Until(NaiveDate),
    /// Part of a case file (证据 are kept permanently with the file).
    Permanent,
    /// Legal hold: kept whatever else applies, until the hold is lifted.
    Hold,
}

impl Retention {
    pub fn name_zh(self) -> String {
        match self {
            Retention::Until(day) => format!("常规记录，保存至 {day}"),
            Retention::Permanent => "随案卷永久保存".to_owned(),
            Retention::Hold => "法律保全（冻结）".to_owned(),
        }
    }
}

pub fn retention(facts: RetentionFacts) -> Retention {
    let routine =
        facts.recorded_on.checked_add_months(Months::new(ROUTINE_RETENTION_MONTHS)).unwrap_or(NaiveDate::MAX);
    let mut classes = vec![Retention::Until(routine)];
    if facts.attached_to_case {
        classes.push(Retention::Permanent);
    }
    if facts.legal_hold {
        classes.push(Retention::Hold);
    }
    classes.into_iter().max().expect("the routine class always applies")
}

/// A refused deletion, with its stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRefused {
    pub code: &'static str,
    pub message_zh: String,
}

/// Whether an item may be deleted on `today`. Only routine items whose period has ended may go.
pub fn may_delete(facts: RetentionFacts, today: NaiveDate) -> Result<(), DeletionRefused> {
    match retention(facts) {
        Retention::Hold => Err(DeletionRefused {
            code: "evidence_on_hold",
            message_zh: "该证据处于法律保全状态，不能删除".to_owned(),
        }),
        Retention::Permanent => Err(DeletionRefused {
            code: "evidence_in_case_file",
            message_zh: "该证据已归入案卷，随案卷永久保存，不能删除".to_owned(),
        }),
        Retention::Until(day) if today <= day => Err(DeletionRefused {
            code: "retention_not_expired",
            message_zh: format!("保存期限未满（保存至 {day}），不能删除"),
        }),
        Retention::Until(_) => Ok(()),
    }
}

/// What happened to an item: each is one custody record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyEvent {
    Collected,
    Uploaded,
    Viewed,
    Streamed,
    Downloaded,
    Exported,
    Shared,
    ShareRevoked,
    CategoryChanged,
    RetentionChanged,
    DeletionRequested,
    DeletionApproved,
    Restored,
    VerifyFailed,
}

impl CustodyEvent {
    pub const ALL: [CustodyEvent; 14] = [
        CustodyEvent::Collected,
        CustodyEvent::Uploaded,
        CustodyEvent::Viewed,
        CustodyEvent::Streamed,
        CustodyEvent::Downloaded,
        CustodyEvent::Exported,
        CustodyEvent::Shared,
        CustodyEvent::ShareRevoked,
        CustodyEvent::CategoryChanged,
        CustodyEvent::RetentionChanged,
        CustodyEvent::DeletionRequested,
        CustodyEvent::DeletionApproved,
        CustodyEvent::Restored,
        CustodyEvent::VerifyFailed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CustodyEvent::Collected => "collected",
            CustodyEvent::Uploaded => "uploaded",
            CustodyEvent::Viewed => "viewed",
            CustodyEvent::Streamed => "streamed",
            CustodyEvent::Downloaded => "downloaded",
            CustodyEvent::Exported => "exported",
            CustodyEvent::Shared => "shared",
            CustodyEvent::ShareRevoked => "share_revoked",
            CustodyEvent::CategoryChanged => "category_changed",
            CustodyEvent::RetentionChanged => "retention_changed",
            CustodyEvent::DeletionRequested => "deletion_requested",
            CustodyEvent::DeletionApproved => "deletion_approved",
            CustodyEvent::Restored => "restored",
            CustodyEvent::VerifyFailed => "verify_failed",
        }
    }

    pub fn parse(code: &str) -> Option<CustodyEvent> {
        CustodyEvent::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CustodyEvent::Collected => "采集",
            CustodyEvent::Uploaded => "上传入库",
            CustodyEvent::Viewed => "查看",
            CustodyEvent::Streamed => "播放",
            CustodyEvent::Downloaded => "下载",
            CustodyEvent::Exported => "导出",
            CustodyEvent::Shared => "共享",
            CustodyEvent::ShareRevoked => "撤销共享",
            CustodyEvent::CategoryChanged => "变更证据种类",
            CustodyEvent::RetentionChanged => "变更保存期限",
            CustodyEvent::DeletionRequested => "申请删除",
            CustodyEvent::DeletionApproved => "批准删除",
            CustodyEvent::Restored => "恢复",
            CustodyEvent::VerifyFailed => "校验失败",
        }
    }
}

/// The object key of a file in the blob store: content-addressed by SHA-256, so equal bytes are
/// stored once and a changed object no longer matches its own name.
pub fn object_key(sha256_hex: &str) -> String {
    format!("sha256/{}/{}/{}", &sha256_hex[0..2], &sha256_hex[2..4], sha256_hex)
}

/// Whether `text` is a lower-case hex SHA-256.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn files_are_recognised_by_their_first_bytes() {
        let mut mp4 = vec![0, 0, 0, 0x20];
        mp4.extend_from_slice(b"ftypisom\0\0\0\0");
        assert_eq!(sniff(&mp4), Ok(MediaType::Mp4));
        let mut mov = vec![0, 0, 0, 0x14];
        mov.extend_from_slice(b"ftypqt  ");
        assert_eq!(sniff(&mov), Ok(MediaType::QuickTime));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Ok(MediaType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Ok(MediaType::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(MediaType::Webp));
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST"), Ok(MediaType::Avi));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Ok(MediaType::Wav));
        assert_eq!(sniff(b"ID3\x04\0"), Ok(MediaType::Mp3));
        assert_eq!(sniff(b"\xff\xfb\x90\x64"), Ok(MediaType::Mp3));
        assert_eq!(sniff(b"\xff\xf1\x50\x80"), Ok(MediaType::Aac));
        assert_eq!(sniff(b"#!AMR\n"), Ok(MediaType::Amr));
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(MediaType::Pdf));
        assert_eq!(sniff(b"II*\0\x08\0"), Ok(MediaType::Tiff));
    }

    #[test]
    fn programs_and_unknown_files_are_refused_whatever_their_name() {
        assert_eq!(sniff(b"MZ\x90\0\x03"), Err(Unaccepted::Executable("Windows PE")));
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Err(Unaccepted::Executable("ELF")));
        assert_eq!(sniff(b"\xcf\xfa\xed\xfe\x07"), Err(Unaccepted::Executable("Mach-O")));
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /"), Err(Unaccepted::Executable("script")));
        assert_eq!(sniff(b"<html><script>"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"<svg xmlns="), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"PK\x03\x04"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b""), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"RIFF\0\0\0\0XXXX"), Err(Unaccepted::Unknown));
        // Loose prefixes: the JPEG start with no marker after it, an `ftyp` of no size or of a
        // brand no camera writes.
        assert_eq!(sniff(b"\xff\xd8\xff<html><script>"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"\xff\xd8\xff"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"\0\0\0\0ftypisom\0\0\0\0"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"\xff\xff\xff\xffftypisom\0\0\0\0"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"\0\0\0\x18ftyp<scr\0\0\0\0"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"\0\0\0\x18ftyp3gp5\0\0\0\0"), Ok(MediaType::Mp4));
    }

    #[test]
    fn only_media_is_served_inline() {
        assert!(!MediaType::Pdf.inline_allowed());
        assert!(!MediaType::Tiff.inline_allowed());
        assert!(MediaType::Mp4.inline_allowed() && MediaType::Jpeg.inline_allowed());
        for media in MediaType::ALL {
            assert_eq!(MediaType::parse(media.code()), Some(media));
        }
        for kind in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::parse(kind.code()), Some(kind));
        }
        for event in CustodyEvent::ALL {
            assert_eq!(CustodyEvent::parse(event.code()), Some(event));
        }
    }

    #[test]
    fn a_device_clock_ahead_of_the_server_is_flagged() {
        let received = DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z").unwrap().to_utc();
        assert!(!clock_skewed(None, received));
        assert!(!clock_skewed(Some(received - Duration::hours(30)), received));
        assert!(!clock_skewed(Some(received + Duration::minutes(5)), received));
        assert!(clock_skewed(Some(received + Duration::minutes(6)), received));
    }

    #[test]
    fn routine_recordings_are_kept_six_months_to_the_day() {
        let facts =
            RetentionFacts { recorded_on: day(2026, 8, 31), attached_to_case: false, legal_hold: false };
        assert_eq!(retention(facts), Retention::Until(day(2027, 2, 28)));
        assert_eq!(may_delete(facts, day(2027, 2, 28)).unwrap_err().code, "retention_not_expired");
        assert!(may_delete(facts, day(2027, 3, 1)).is_ok());
    }

    proptest! {
        /// The longest class wins: a hold beats everything, a case file beats the routine
        /// period, and nothing under hold or in a case file can ever be deleted.
        #[test]
        fn the_longest_retention_class_wins(
            offset in 0i64..4000, attached: bool, hold: bool, later in 0i64..10_000,
        ) {
            let recorded_on = day(2017, 1, 1) + Duration::days(offset);
            let facts = RetentionFacts { recorded_on, attached_to_case: attached, legal_hold: hold };
            let today = recorded_on + Duration::days(later);
            let kept = retention(facts);
            if hold {
                prop_assert_eq!(kept, Retention::Hold);
            } else if attached {
                prop_assert_eq!(kept, Retention::Permanent);
            }
            let deletable = may_delete(facts, today).is_ok();
            prop_assert_eq!(
                deletable,
                !hold && !attached && today > recorded_on.checked_add_months(Months::new(6)).unwrap()
            );
            // At least 182 days always pass before a routine item may go.
            if deletable {
                prop_assert!((today - recorded_on).num_days() > 180);
            }
        }
    }
}
