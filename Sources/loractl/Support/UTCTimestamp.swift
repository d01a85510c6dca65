/// Unix times shown to people: `2026-11-29 19:44:05 UTC`.
enum UTCTimestamp {
    /// `seconds` since 1970-01-01 00:00:00 UTC as a UTC date and time in the
    /// proleptic Gregorian calendar; years beyond 9999 are printed in full.
    static func format(unixSeconds seconds: UInt64) -> String {
        let days = Int64(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return "\(year)-\(twoDigits(month))-\(twoDigits(day)) "
            + "\(twoDigits(secondOfDay / 3600)):\(twoDigits(secondOfDay / 60 % 60)):\(twoDigits(secondOfDay % 60)) UTC"
    }

    /// The Gregorian date `days` after 1970-01-01 (`days` >= 0), counting in
    /// 400-year eras of 146097 days that start on March 1st, so that the leap
    /// day is the last day of an era's year.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int, day: Int) {
        let shifted = days + 719_468  // Days from 0000-03-01 to 1970-01-01.
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March.
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
