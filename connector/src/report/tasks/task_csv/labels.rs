//! The synchronous API's codes of breakdown values that a task file may write as labels
//! ("United States", "55+", "Android", "Pangle"). A value no table knows has no code: the
//! caller fails the file rather than guess.

use celes::Country;

/// The synchronous code of a breakdown dimension's value as a task file writes it: the code
/// itself, or a label. None when the value is neither.
pub fn code(dimension: &str, value: &str) -> Option<String> {
    let table = match dimension {
        "country_code" => return country(value).map(str::to_string),
        "language" => return language(value),
        "gender" => GENDERS,
        "age" => AGES,
        "platform" => PLATFORMS,
        "placement" => PLACEMENTS,
        "ac" => CONNECTIONS,
        _ => return None,
    };
    let found =
        table.iter().find(|(code, labels)| *code == value || labels.iter().any(|l| l.eq_ignore_ascii_case(value)));
    found.map(|(code, _)| code.to_string())
}

/// Each code with the labels that stand for it. `age` and `gender` from tiktok-api.md §4.2 and
/// the CSV example of DOC-TASK-CREATE (`13-17`, `female`); placements from TikTok's
/// Enumeration - Placement; connection types from its `network_types` enumeration.
type Table = &'static [(&'static str, &'static [&'static str])];

/// An unknown bucket, as task files have been seen to write it (tiktok-api.md §15 R10); the
/// synchronous rows say `NONE`.
const UNKNOWN_BUCKET: &[&str] = &["unknown", "none", ""];

const GENDERS: Table = &[("MALE", &["male"]), ("FEMALE", &["female"]), ("NONE", UNKNOWN_BUCKET)];

const AGES: Table = &[
    ("AGE_13_17", &["13-17"]),
    ("AGE_18_24", &["18-24"]),
    ("AGE_25_34", &["25-34"]),
    ("AGE_35_44", &["35-44"]),
    ("AGE_45_54", &["45-54"]),
    ("AGE_55_100", &["55+", "55-100"]),
    ("NONE", UNKNOWN_BUCKET),
];

const PLATFORMS: Table = &[("ANDROID", &["Android"]), ("IOS", &["iOS"]), ("PC", &["PC"]), ("NONE", UNKNOWN_BUCKET)];

// UNKNOWN: delivery the breakdown cannot place (what the simulator writes for these dimensions).
const PLACEMENTS: Table = &[
    ("PLACEMENT_TIKTOK", &["TikTok"]),
    ("PLACEMENT_PANGLE", &["Pangle"]),
    ("PLACEMENT_GLOBAL_APP_BUNDLE", &["Global App Bundle"]),
    ("PLACEMENT_TOPBUZZ", &["TopBuzz"]),
    ("PLACEMENT_HELO", &["Helo"]),
    ("UNKNOWN", &["Unknown"]),
];

const CONNECTIONS: Table =
    &[("WIFI", &["Wi-Fi", "WiFi"]), ("2G", &[]), ("3G", &[]), ("4G", &[]), ("5G", &[]), ("UNKNOWN", &["Unknown"])];

/// Languages pass as codes (`en`, `zh-Hant`; TikTok's list is an endpoint, not an enumeration):
/// a language name has no table here, so it fails the file instead of becoming a wrong key.
fn language(value: &str) -> Option<String> {
    if value == "UNKNOWN" || value.eq_ignore_ascii_case("unknown") {
        return Some("UNKNOWN".to_string());
    }
    let (base, region) = value.split_once('-').unwrap_or((value, ""));
    let base_ok = (2..=3).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = region.bytes().all(|b| b.is_ascii_alphanumeric());
    (base_ok && region_ok).then(|| value.to_string())
}

/// The ISO 3166 alpha-2 code of a country: the code itself, or a name. celes knows the ISO
/// short names and the common ones ("Czech Republic", "Türkiye", "Russia"); ISO's inverted
/// forms ("Korea, Republic of", "Korea (the Republic of)") are also tried turned round.
pub fn country(value: &str) -> Option<&'static str> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        return Country::from_alpha2(value).ok().map(|c| c.alpha2);
    }
    let mut forms = vec![value.to_string()];
    if let Some((head, tail)) = value.split_once(", ") {
        forms.push(format!("{tail} {head}"));
    }
    if let Some((head, tail)) = value.strip_suffix(')').and_then(|v| v.split_once(" (")) {
        forms.push(format!("{tail} {head}"));
    }
    let key = squash(value);
    forms
        .iter()
        .map(|form| squash(form))
        .find_map(|k| by_name(&k).or_else(|| by_name(&format!("the{k}"))))
        .or_else(|| COUNTRY_ALIASES.iter().find(|(name, _)| squash(name) == key).map(|(_, code)| *code))
}

/// Names celes does not know, or knows only in another form.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("UK", "GB"),
    ("USA", "US"),
    ("UAE", "AE"),
    ("Korea", "KR"),
    ("Taiwan, Province of China", "TW"),
    ("Taiwan, Republic of China", "TW"),
    ("Bolivia (Plurinational State of)", "BO"),
    ("Bonaire, Sint Eustatius and Saba", "BQ"),
    ("Netherlands (Kingdom of the)", "NL"),
    ("Tanzania, the United Republic of", "TZ"),
    ("Tanzania, United Republic of", "TZ"),
    ("Macedonia (the former Yugoslav Republic of)", "MK"),
    ("Falkland Islands (Malvinas)", "FK"),
    ("Falkland Islands (the) [Malvinas]", "FK"),
    ("Cocos (Keeling) Islands", "CC"),
    ("Cocos (Keeling) Islands (the)", "CC"),
];

/// A country by celes' squashed name (lowercase letters and digits only).
fn by_name(key: &str) -> Option<&'static str> {
    Country::from_name(key).or_else(|_| Country::from_alias(key)).ok().map(|c| c.alpha2)
}

/// Lowercase ASCII letters and digits of a name, accents dropped ("Côte d'Ivoire" → cotedivoire).
fn squash(name: &str) -> String {
    let fold = |c: char| match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        c => c,
    };
    name.chars().flat_map(char::to_lowercase).map(fold).filter(char::is_ascii_alphanumeric).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_of_the_iso_list_and_its_common_names_have_their_code() {
        for c in Country::get_countries() {
            assert_eq!(country(c.alpha2), Some(c.alpha2));
            assert_eq!(country(c.long_name), Some(c.alpha2), "{}", c.long_name);
        }
        let names = [
            ("United States", "US"),
            ("United States of America (the)", "US"),
            ("United Kingdom", "GB"),
            ("Czech Republic", "CZ"),
            ("Czechia", "CZ"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("Viet Nam", "VN"),
            ("Vietnam", "VN"),
            ("South Korea", "KR"),
            ("Korea, Republic of", "KR"),
            ("Korea (the Republic of)", "KR"),
            ("Korea (the Democratic People's Republic of)", "KP"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Taiwan", "TW"),
            ("Taiwan, Province of China", "TW"),
            ("Hong Kong", "HK"),
            ("Macao", "MO"),
            ("Côte d'Ivoire", "CI"),
            ("Congo (the Democratic Republic of the)", "CD"),
            ("Congo", "CG"),
            ("Iran, Islamic Republic of", "IR"),
            ("Bolivia (Plurinational State of)", "BO"),
            ("Åland Islands", "AX"),
            ("Virgin Islands (British)", "VG"),
            ("Virgin Islands (U.S.)", "VI"),
            ("Netherlands (Kingdom of the)", "NL"),
            ("Palestine, State of", "PS"),
            ("Tanzania, United Republic of", "TZ"),
            ("Réunion", "RE"),
            ("Kosovo", "XK"),
        ];
        for (name, code) in names {
            assert_eq!(country(name), Some(code), "{name}");
        }
        for unknown in ["Atlantis", "ZZ", "us", "USA of the Moon", "", "Virgin Islands"] {
            assert_eq!(country(unknown), None, "{unknown}");
        }
    }
}
