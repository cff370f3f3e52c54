//! Identity numbers of parties (当事人): the 居民身份证 number of GB 11643-1999 and the
//! 统一社会信用代码 of GB 32100-2015, each checked by its check character. A value that parses
//! is well formed; whether it was ever issued is for the issuing authority to say.

use chrono::{Datelike, NaiveDate};

/// GB 11643-1999 §8.2: weights of the 17 body digits (2^(18-i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643-1999 §8.2: the check character for each weighted sum mod 11.
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// GB 32100-2015 §4: the 31 characters a credit code may use (no I, O, Z, S, V).
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 32100-2015 §5: weights of the 17 body characters (3^(i-1) mod 31).
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be 18 characters, found {0}")]
    Length(usize),
    #[error("the first 17 characters must be digits")]
    NotDigits,
    #[error("the region code {0} is not a province-level code")]
    Region(String),
    #[error("the birth date {0} is not a real date")]
    BirthDate(String),
    #[error("the check character should be {expected}, found {found}")]
    CheckDigit { expected: char, found: char },
}

impl IdError {
    pub fn message_zh(&self) -> String {
        match self {
            IdError::Length(n) => format!("公民身份号码应为 18 位，实为 {n} 位"),
            IdError::NotDigits => "公民身份号码前 17 位应为数字".to_owned(),
            IdError::Region(code) => format!("行政区划代码 {code} 不正确"),
            IdError::BirthDate(date) => format!("出生日期 {date} 不存在"),
            IdError::CheckDigit { .. } => "公民身份号码校验位错误".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A well-formed 18-digit 居民身份证 number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    value: String,
    birth_date: NaiveDate,
    sex: Sex,
}

impl IdNumber {
    pub fn parse(raw: &str) -> Result<IdNumber, IdError> {
        let value: String = raw.trim().to_uppercase();
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 18 {
            return Err(IdError::Length(chars.len()));
        }
        if !chars[..17].iter().all(char::is_ascii_digit) {
            return Err(IdError::NotDigits);
        }
        let province: u32 = value[..2].parse().map_err(|_| IdError::NotDigits)?;
        // GB/T 2260 province-level codes run from 11 (北京) to 82 (澳门); 83 is used for
        // residence permits of Taiwan residents.
        if !(11..=83).contains(&province) {
            return Err(IdError::Region(value[..6].to_owned()));
        }
        let birth = &value[6..14];
        let birth_date =
            NaiveDate::parse_from_str(birth, "%Y%m%d").map_err(|_| IdError::BirthDate(birth.to_owned()))?;
        // GB 11643 numbers were first issued in 1999 to people alive then; no holder was born
        // before 1900.
        if birth_date.year() < 1900 {
            return Err(IdError::BirthDate(birth.to_owned()));
        }
        let expected = id_check_char(&chars[..17]);
        if chars[17] != expected {
            return Err(IdError::CheckDigit { expected, found: chars[17] });
        }
        let order = chars[16].to_digit(10).unwrap_or(0);
        let sex = if order % 2 == 1 { Sex::Male } else { Sex::Female };
        Ok(IdNumber { value, birth_date, sex })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
    pub fn sex(&self) -> Sex {
        self.sex
    }
    /// Masked for lists: the region and the last four stay (`320404********1234`,
    /// ux-and-documents §2.6), hiding the birth date.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.value[..6], &self.value[14..])
    }
}

/// The check character for 17 body digits (GB 11643-1999 §8.2).
pub fn id_check_char(body: &[char]) -> char {
    let sum: u32 = body.iter().zip(ID_WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    ID_CHECK[(sum % 11) as usize]
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("must be 18 characters, found {0}")]
    Length(usize),
    #[error("character {0:?} is not allowed (GB 32100 uses digits and capitals except I, O, Z, S, V)")]
    Character(char),
    #[error("the check character should be {expected}, found {found}")]
    CheckCharacter { expected: char, found: char },
}

impl CreditCodeError {
    pub fn message_zh(&self) -> String {
        match self {
            CreditCodeError::Length(n) => format!("统一社会信用代码应为 18 位，实为 {n} 位"),
            CreditCodeError::Character(c) => format!("统一社会信用代码不能包含字符“{c}”"),
            CreditCodeError::CheckCharacter { .. } => "统一社会信用代码校验位错误".to_owned(),
        }
    }
}

/// A well-formed 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(raw: &str) -> Result<CreditCode, CreditCodeError> {
        let value = raw.trim().to_uppercase();
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::Length(chars.len()));
        }
        if let Some(bad) = chars.iter().find(|c| !CREDIT_ALPHABET.contains(**c)) {
            return Err(CreditCodeError::Character(*bad));
        }
        let expected = credit_check_char(&chars[..17]);
        if chars[17] != expected {
            return Err(CreditCodeError::CheckCharacter { expected, found: chars[17] });
        }
        Ok(CreditCode(value))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check character for 17 body characters (GB 32100-2015 §5): 31 − (Σ value × weight mod
/// 31), with 31 written as 0.
pub fn credit_check_char(body: &[char]) -> char {
    let value = |c: &char| CREDIT_ALPHABET.find(*c).unwrap_or(0) as u32;
    let sum: u32 = body.iter().zip(CREDIT_WEIGHTS).map(|(c, w)| value(c) * w).sum();
    let check = (31 - sum % 31) % 31;
    CREDIT_ALPHABET.chars().nth(check as usize).unwrap_or('0')
}

/// What `party check-id` reports: the kind of number and what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Person(IdNumber),
    Organisation(CreditCode),
}

/// Tells a 身份证 number from a credit code and checks it. A value of 18 characters whose first
/// 17 are digits is read as an ID number; anything else as a credit code.
pub fn check_identity(raw: &str) -> Result<Identity, String> {
    let value = raw.trim();
    let digits_first = value.chars().take(17).all(|c| c.is_ascii_digit()) && value.chars().count() == 18;
    if digits_first {
        // Some credit codes are all digits too; try the ID rules first, then the code rules.
        match IdNumber::parse(value) {
            Ok(id) => Ok(Identity::Person(id)),
            Err(id_error) => match CreditCode::parse(value) {
                Ok(code) => Ok(Identity::Organisation(code)),
                Err(_) => Err(format!("not a valid 居民身份证 number: {id_error}")),
            },
        }
    } else {
        CreditCode::parse(value)
            .map(Identity::Organisation)
            .map_err(|e| format!("not a valid 统一社会信用代码: {e}"))
    }
}

/// The identity document a person shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居民身份证: checked by GB 11643.
    ResidentId,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 外国人永久居留身份证
    ForeignPermanentResident,
    /// 统一社会信用代码 (organisations): checked by GB 32100.
    CreditCode,
}

impl DocumentType {
    pub const PERSON: [DocumentType; 5] = [
        DocumentType::ResidentId,
        DocumentType::Passport,
        DocumentType::HkMacaoPermit,
        DocumentType::TaiwanPermit,
        DocumentType::ForeignPermanentResident,
    ];
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "resident_id",
            DocumentType::Passport => "passport",
            DocumentType::HkMacaoPermit => "hk_macao_permit",
            DocumentType::TaiwanPermit => "taiwan_permit",
            DocumentType::ForeignPermanentResident => "foreign_permanent_resident",
            DocumentType::CreditCode => "credit_code",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "居民身份证",
            DocumentType::Passport => "护照",
            DocumentType::HkMacaoPermit => "港澳居民来往内地通行证",
            DocumentType::TaiwanPermit => "台湾居民来往大陆通行证",
            DocumentType::ForeignPermanentResident => "外国人永久居留身份证",
            DocumentType::CreditCode => "统一社会信用代码",
        }
    }
    pub fn parse(s: &str) -> Option<DocumentType> {
        [DocumentType::CreditCode].into_iter().chain(DocumentType::PERSON).find(|d| d.code() == s)
    }
}

/// Masks a document number for lists and pages: a 居民身份证 number keeps its region and last
/// four (hiding the birth date); other personal documents keep two characters at each end.
/// A credit code identifies an organisation, not a person, and is shown whole.
pub fn mask_document(document_type: DocumentType, number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    match document_type {
        DocumentType::CreditCode => number.to_owned(),
        DocumentType::ResidentId if chars.len() == 18 => {
            format!(
                "{}********{}",
                chars[..6].iter().collect::<String>(),
                chars[14..].iter().collect::<String>()
            )
        }
        _ if chars.len() > 4 => format!(
            "{}{}{}",
            chars[..2].iter().collect::<String>(),
            "*".repeat(chars.len() - 4),
            chars[chars.len() - 2..].iter().collect::<String>()
        ),
        _ => "*".repeat(chars.len()),
    }
}

/// Age in completed years (周岁) on `today`: what staff need from a birth date (行政处罚法
/// Art. 30: no penalty under 14, a lighter one from 14 to 18) without the date itself. The
/// masked 居民身份证 number hides exactly the eight birth-date digits, so a page that showed the
/// date beside the mask would give the whole number away without an audited reveal; an age
/// leaves a year's worth of dates (some thirty numbers that pass the check) open.
pub fn age_on(birth_date: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth_date.year();
    if (today.month(), today.day()) < (birth_date.month(), birth_date.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// The age of full civil capacity for administrative penalties (行政处罚法 Art. 30: 已满十四周岁
/// 不满十八周岁的未成年人有违法行为的，应当从轻或者减轻行政处罚).
pub const ADULT_AGE: u32 = 18;

/// A validated party, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyDraft {
    pub organisation: bool,
    pub name: String,
    pub document_type: DocumentType,
    pub document_number: String,
    /// From the 居民身份证 number, for people who show one.
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    /// 法定代表人 or 负责人, for organisations.
    pub legal_representative: String,
    pub phone: Option<crate::domain::org::Phone>,
    pub address: String,
}

/// Untrusted party input, from a form or JSON.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PartyInput {
    /// `person` or `organisation`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub document_type: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

impl PartyInput {
    pub fn parse(&self) -> Result<PartyDraft, crate::domain::fields::FieldErrors> {
        let mut errors = crate::domain::fields::FieldErrors::default();
        let organisation = match self.kind.trim() {
            "organisation" => true,
            "person" => false,
            _ => {
                errors.add("kind", "invalid", "请选择当事人类别（自然人或单位）");
                false
            }
        };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.add(
                "name",
                "invalid",
                if organisation {
                    "单位名称不能为空，且不超过 100 字"
                } else {
                    "姓名不能为空，且不超过 100 字"
                },
            );
        }
        let document_type = if organisation {
            Some(DocumentType::CreditCode)
        } else {
            DocumentType::parse(self.document_type.trim()).filter(|d| *d != DocumentType::CreditCode)
        };
        let mut birth_date = None;
        let mut sex = None;
        let raw_number = self.document_number.trim();
        let document_number = match document_type {
            None => {
                errors.add("document_type", "invalid", "请选择证件类型");
                String::new()
            }
            Some(DocumentType::ResidentId) => match IdNumber::parse(raw_number) {
                Ok(id) => {
                    birth_date = Some(id.birth_date());
                    sex = Some(id.sex());
                    id.as_str().to_owned()
                }
                Err(error) => {
                    errors.add("document_number", "invalid_id_number", error.message_zh());
                    String::new()
                }
            },
            Some(DocumentType::CreditCode) => match CreditCode::parse(raw_number) {
                Ok(code) => code.as_str().to_owned(),
                Err(error) => {
                    errors.add("document_number", "invalid_credit_code", error.message_zh());
                    String::new()
                }
            },
            Some(_) => {
                let number = raw_number.to_uppercase();
                if !(5..=30).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
                    errors.add("document_number", "invalid", "证件号码应为 5–30 位字母或数字");
                }
                number
            }
        };
        let legal_representative = self.legal_representative.trim();
        if organisation && legal_representative.is_empty() {
            errors.add("legal_representative", "required", "请填写法定代表人（负责人）");
        } else if legal_representative.chars().count() > 100 {
            errors.add("legal_representative", "too_long", "法定代表人（负责人）不超过 100 字");
        }
        let phone = match self.phone.trim() {
            "" => None,
            raw => match crate::domain::org::Phone::parse(raw) {
                Some(phone) => Some(phone),
                None => {
                    errors.add("phone", "invalid", "请输入正确的手机号码");
                    None
                }
            },
        };
        let address = self.address.trim();
        if address.chars().count() > 200 {
            errors.add("address", "too_long", "地址不超过 200 字");
        }
        errors.into_result()?;
        let Some(document_type) = document_type else { unreachable!("a document error was added above") };
        Ok(PartyDraft {
            organisation,
            name: name.to_owned(),
            document_type,
            document_number,
            birth_date,
            sex,
            legal_representative: legal_representative.to_owned(),
            phone,
            address: address.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_legal_representative_is_a_name_not_a_paragraph() {
        let mut input = PartyInput {
            kind: "organisation".into(),
            name: "常州某某商贸有限公司".into(),
            document_number: "91320400MA1MXXXX0A".into(),
            legal_representative: "李".repeat(101),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(
            errors.iter().find(|e| e.field == "legal_representative").map(|e| e.code),
            Some("too_long")
        );
        input.legal_representative = "李".repeat(100);
        assert!(input.parse().err().is_none_or(|e| e.get("legal_representative").is_none()));
    }

    #[test]
    fn age_counts_completed_years_and_turns_on_the_birthday() {
        let born = NaiveDate::from_ymd_opt(2008, 3, 2).unwrap();
        assert_eq!(age_on(born, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), 17);
        assert_eq!(age_on(born, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()), ADULT_AGE);
        let leap = NaiveDate::from_ymd_opt(2008, 2, 29).unwrap();
        assert_eq!(age_on(leap, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()), 17);
        assert_eq!(age_on(leap, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), 18);
        assert_eq!(age_on(born, NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()), 0);
    }

    #[test]
    fn party_input_derives_birth_date_and_sex_and_refuses_bad_numbers() {
        let person = PartyInput {
            kind: "person".into(),
            name: "张三".into(),
            document_type: "resident_id".into(),
            document_number: "11010519491231002x".into(),
            ..Default::default()
        };
        let draft = person.parse().unwrap();
        assert_eq!(draft.document_number, "11010519491231002X");
        assert_eq!(draft.sex, Some(Sex::Female));
        let bad = PartyInput { document_number: "110105194912310021".into(), ..person.clone() };
        let errors = bad.parse().unwrap_err();
        assert_eq!(errors.iter().next().unwrap().message, "公民身份号码校验位错误");
        let organisation = PartyInput {
            kind: "organisation".into(),
            name: "某某餐饮店".into(),
            document_number: "91350100M000100Y43".into(),
            legal_representative: "李四".into(),
            ..Default::default()
        };
        assert_eq!(organisation.parse().unwrap().document_type, DocumentType::CreditCode);
        assert_eq!(mask_document(DocumentType::ResidentId, "11010519491231002X"), "110105********002X");
        assert_eq!(mask_document(DocumentType::Passport, "E12345678"), "E1*****78");
    }

    #[test]
    fn the_standards_own_example_id_number_is_valid() {
        // GB 11643-1999 Appendix A example.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date().to_string(), "1949-12-31");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(IdNumber::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn bad_id_numbers_say_what_is_wrong() {
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdError::CheckDigit { expected: 'X', found: '1' })
        );
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdError::Length(16)));
        assert_eq!(IdNumber::parse("11010519490231002X").unwrap_err(), IdError::BirthDate("19490231".into()));
        assert_eq!(IdNumber::parse("A1010519491231002X"), Err(IdError::NotDigits));
        assert!(matches!(IdNumber::parse("99010519491231002X"), Err(IdError::Region(_))));
    }

    #[test]
    fn published_credit_codes_are_valid_and_a_changed_one_is_not() {
        // Codes printed on public business licences.
        for code in ["91350100M000100Y43", "91110000600037341L", "91110108551385082Q"] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert!(matches!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckCharacter { .. })
        ));
        assert_eq!(CreditCode::parse("91350100M000100I43"), Err(CreditCodeError::Character('I')));
    }

    fn id_body() -> impl Strategy<Value = String> {
        (11u32..=65, 0u32..10_000, 0i64..40_000, 0u32..1000).prop_map(|(province, area, days, order)| {
            let birth = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
            format!("{province:02}{area:04}{}{order:03}", birth.format("%Y%m%d"))
        })
    }

    proptest! {
        #[test]
        fn a_generated_id_number_with_its_check_digit_parses(body in id_body()) {
            let chars: Vec<char> = body.chars().collect();
            let id = format!("{body}{}", id_check_char(&chars));
            prop_assert!(IdNumber::parse(&id).is_ok());
        }

        #[test]
        fn any_other_check_digit_is_refused(body in id_body(), wrong in 0usize..11) {
            let chars: Vec<char> = body.chars().collect();
            let right = id_check_char(&chars);
            let candidate = ID_CHECK[wrong];
            prop_assume!(candidate != right);
            let parsed = IdNumber::parse(&format!("{body}{candidate}"));
            let refused = matches!(parsed, Err(IdError::CheckDigit { .. }));
            prop_assert!(refused);
        }

        #[test]
        fn a_generated_credit_code_parses_and_one_changed_character_does_not(
            body in proptest::collection::vec(0usize..31, 17),
            position in 0usize..17,
            shift in 1usize..31,
        ) {
            let alphabet: Vec<char> = CREDIT_ALPHABET.chars().collect();
            let chars: Vec<char> = body.iter().map(|i| alphabet[*i]).collect();
            let code: String = chars.iter().chain(std::iter::once(&credit_check_char(&chars))).collect();
            prop_assert!(CreditCode::parse(&code).is_ok());
            let mut changed = chars.clone();
            changed[position] = alphabet[(body[position] + shift) % 31];
            let altered: String = changed.iter().chain(std::iter::once(&credit_check_char(&chars))).collect();
            prop_assert!(CreditCode::parse(&altered).is_err());
        }
    }
}
