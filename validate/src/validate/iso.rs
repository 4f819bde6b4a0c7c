//! ISO 3166-1 alpha-2 country codes and ISO 4217 currency codes as sorted static tables,
//! looked up by binary search (no allocation, no hashing, small in the wasm bundle).
//!
//! The tables are deliberately generous rather than strict: a code SpotDraft might still
//! accept (a recently withdrawn currency, Kosovo's widely used `XK`) is accepted here, since a
//! false rejection blocks a valid contract while a false acceptance only defers the decision
//! to SpotDraft. SpotDraft does not publish its own lists (UNKNOWN).

/// ISO 3166-1 alpha-2, the 249 officially assigned codes plus `XK` (Kosovo, user-assigned
/// but used by the EU and CLDR). Sorted.
pub const COUNTRY_CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
];

/// ISO 4217 alphabetic codes: current ones (including funds and precious-metal codes) plus
/// a few withdrawn recently enough to appear in old CRM records (`ANG`, `CUC`, `HRK`,
/// `SLL`, `ZWL`). `XTS` (testing) and `XXX` (no currency) are left out. Sorted.
pub const CURRENCY_CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// Whether `code` is an ISO 3166-1 alpha-2 code (exact, upper case).
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && COUNTRY_CODES.binary_search(&code).is_ok()
}

/// Whether `code` is an ISO 4217 code (exact, upper case).
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && CURRENCY_CODES.binary_search(&code).is_ok()
}

/// The upper-cased, trimmed form of `code` when that form is valid (for `"us "` → `"US"`
/// suggestions); `None` otherwise. Does not guess from country names.
pub fn country_suggestion(code: &str) -> Option<String> {
    let fixed = code.trim().to_ascii_uppercase();
    is_country_code(&fixed).then_some(fixed)
}

/// As [`country_suggestion`] for currency codes.
pub fn currency_suggestion(code: &str) -> Option<String> {
    let fixed = code.trim().to_ascii_uppercase();
    is_currency_code(&fixed).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_unique_and_well_formed() {
        for table in [COUNTRY_CODES, CURRENCY_CODES] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        }
        assert_eq!(COUNTRY_CODES.len(), 250);
        assert!(COUNTRY_CODES
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(CURRENCY_CODES
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn looks_up_codes() {
        for ok in ["US", "IN", "GB", "AE", "DE", "ZW", "AD", "XK"] {
            assert!(is_country_code(ok), "{ok}");
        }
        for bad in ["us", "UK", "USA", "", "EU", "ZZ", "U"] {
            assert!(!is_country_code(bad), "{bad}");
        }
        for ok in ["USD", "EUR", "GBP", "INR", "AED", "JPY", "XCG"] {
            assert!(is_currency_code(ok), "{ok}");
        }
        for bad in ["usd", "US", "DOLLAR", "XXX", "XTS", "ABC"] {
            assert!(!is_currency_code(bad), "{bad}");
        }
        assert_eq!(country_suggestion(" us").as_deref(), Some("US"));
        assert_eq!(currency_suggestion("eur").as_deref(), Some("EUR"));
        assert_eq!(country_suggestion("usa"), None);
    }
}
