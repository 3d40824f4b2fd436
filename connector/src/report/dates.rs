//! Report days: the inclusive windows of advertiser-local days a query asks for, how many days
//! TikTok allows a window of each granularity, and the cursor value a window moves to.

use chrono::{Duration, NaiveDate};

use crate::streams::Granularity;

/// An inclusive range of advertiser-local days, as `start_date`/`end_date` of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateWindow {
    /// How a warning names a window: its days, or "lifetime" for none.
    pub fn span_text(window: Option<DateWindow>) -> String {
        window.map_or("lifetime".to_string(), |w| format!("{}..{}", w.start, w.end))
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// Every day of the window, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> {
        let end = self.end;
        self.start.iter_days().take_while(move |day| *day <= end)
    }

    /// Two halves, for a query TikTok says is too large (40067).
    pub fn split(&self) -> (DateWindow, DateWindow) {
        let mid = self.start + Duration::days(self.days() / 2 - 1);
        (DateWindow { start: self.start, end: mid }, DateWindow { start: mid + Duration::days(1), end: self.end })
    }

    /// Consecutive windows of at most `width` days covering `start..=end`.
    pub fn cover(start: NaiveDate, end: NaiveDate, width: u32) -> Vec<DateWindow> {
        let mut windows = Vec::new();
        let mut from = start;
        while from <= end {
            let to = (from + Duration::days(width as i64 - 1)).min(end);
            windows.push(DateWindow { start: from, end: to });
            from = to + Duration::days(1);
        }
        windows
    }
}

/// Days per request TikTok allows for a granularity (lifetime audience reports are read in
/// windows of a year and summed).
pub fn max_window_days(granularity: Granularity) -> u32 {
    match granularity {
        Granularity::Daily => 30,
        Granularity::Hourly => 1,
        Granularity::Lifetime => 365,
    }
}

/// The first day a report reads: the cursor's day less `lookback_days` (late conversions restate
/// them), never before `start_date`; `start_date` without a cursor.
pub fn first_day(cursor: Option<&str>, lookback_days: u32, start_date: NaiveDate) -> NaiveDate {
    let since = cursor.and_then(crate::state::parse_time).map(|t| t.date());
    since.map_or(start_date, |day| (day - Duration::days(lookback_days as i64)).max(start_date))
}

/// The cursor value that says every day up to `day` was read.
pub fn cursor_value(granularity: Granularity, day: NaiveDate) -> String {
    match granularity {
        Granularity::Hourly => format!("{day} 23:00:00"),
        _ => format!("{day} 00:00:00"),
    }
}

/// A day written YYYY-MM-DD, for the report modules' tests.
#[cfg(test)]
pub fn test_day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[cfg(test)]
mod tests {
    use super::test_day as d;
    use super::*;

    #[test]
    fn a_read_starts_at_the_cursor_less_the_lookback_never_before_start_date() {
        let start = d("2024-01-01");
        assert_eq!(first_day(None, 7, start), start);
        assert_eq!(first_day(Some("2024-03-10 00:00:00"), 7, start), d("2024-03-03"));
        assert_eq!(first_day(Some("2024-01-03 23:00:00"), 7, start), start);
        assert_eq!(first_day(Some("not a time"), 7, start), start);
    }

    #[test]
    fn windows_cover_every_day_once() {
        let w = DateWindow::cover(d("2024-01-01"), d("2024-03-31"), 30);
        assert_eq!(w.len(), 4);
        assert_eq!(w[0], DateWindow { start: d("2024-01-01"), end: d("2024-01-30") });
        assert_eq!(w[3], DateWindow { start: d("2024-03-31"), end: d("2024-03-31") });
        assert_eq!(w.iter().map(DateWindow::days).sum::<i64>(), 91);
        let (a, b) = w[0].split();
        assert_eq!((a.days(), b.days()), (15, 15));
        assert_eq!(b.end, w[0].end);
        let (a, b) = DateWindow { start: d("2024-01-01"), end: d("2024-01-03") }.split();
        assert_eq!((a.days(), b.days()), (1, 2));
    }
}
