//! SMS length rules of Korean carriers: a message is measured in EUC-KR bytes
//! (a Hangul syllable is 2 bytes, ASCII 1); up to 90 bytes is an SMS, up to 2,000 an
//! LMS (long message, priced higher).

use encoding_rs::EUC_KR;
use serde::Serialize;

/// The SMS byte limit.
pub const SMS_MAX_BYTES: usize = 90;
/// The LMS byte limit.
pub const LMS_MAX_BYTES: usize = 2000;

/// The cost class of a text message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum SmsClass {
    Sms,
    Lms,
}

/// The length of `text` in EUC-KR bytes, as carriers count it. Characters EUC-KR
/// (its Windows-949 superset) cannot hold — emoji, for one — are counted as the
/// numeric character reference the encoder writes for them, which over-counts
/// rather than under-counts.
pub fn euc_kr_len(text: &str) -> usize {
    let (bytes, _, _) = EUC_KR.encode(text);
    bytes.len()
}

/// SMS or LMS for `text`, or `Err(bytes)` when it is too long even for an LMS.
pub fn classify(text: &str) -> Result<SmsClass, usize> {
    match euc_kr_len(text) {
        n if n <= SMS_MAX_BYTES => Ok(SmsClass::Sms),
        n if n <= LMS_MAX_BYTES => Ok(SmsClass::Lms),
        n => Err(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_is_two_bytes_and_ascii_one() {
        assert_eq!(euc_kr_len("abc"), 3);
        assert_eq!(euc_kr_len("가나다"), 6);
        assert_eq!(euc_kr_len("결제 29,900원"), 2 * 2 + 1 + 6 + 2);
        // Windows-949 (the superset carriers accept) holds every modern syllable.
        assert_eq!(euc_kr_len("똠뷁"), 4);
    }

    #[test]
    fn ninety_bytes_is_the_sms_limit() {
        assert_eq!(classify(&"가".repeat(45)), Ok(SmsClass::Sms));
        assert_eq!(classify(&"가".repeat(46)), Ok(SmsClass::Lms));
        assert_eq!(classify(&"a".repeat(90)), Ok(SmsClass::Sms));
        assert_eq!(classify(&"a".repeat(91)), Ok(SmsClass::Lms));
        assert_eq!(classify(&"가".repeat(1000)), Ok(SmsClass::Lms));
        assert_eq!(classify(&"가".repeat(1001)), Err(2002));
    }

    #[test]
    fn characters_outside_euc_kr_are_not_under_counted() {
        assert!(euc_kr_len("😀") >= 4);
    }
}
