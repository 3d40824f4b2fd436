//! Dates relative to today. Tests derive their windows from here (the simulator computes
//! "today" the same way), so a test means the same thing on any day at any hour.

/// The UTC date `n` days before today.
pub fn days_ago(n: i64) -> chrono::NaiveDate {
    today() - chrono::Duration::days(n)
}

/// Today's UTC date.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
