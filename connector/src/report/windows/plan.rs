//! The requests one advertiser's part of a report stream sends over its days: every day that
//! can hold rows is asked for exactly once, in windows of at most `width` days; the days that
//! cannot (see `report::activity`) are asked for by none, and ride along with the window
//! before them when the cursor moves.

use chrono::{Duration, NaiveDate};

use crate::report::dates::DateWindow;

/// One request of a plan, and the last day the cursor may move to once every record of it is
/// out: the days after it, up to the next request's first day, have no rows at TikTok.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedWindow {
    pub window: DateWindow,
    pub through: NaiveDate,
}

/// The windows of `start..=end` of at most `width` days that together hold every day for
/// which `may_have_rows` is true, each starting on such a day and ending on the last such day
/// it reaches. When every day may have rows they are `DateWindow::cover`'s windows, so a sync
/// that skips nothing asks exactly what it always asked. Empty when no day may have rows.
pub fn plan(
    start: NaiveDate,
    end: NaiveDate,
    width: u32,
    may_have_rows: impl Fn(NaiveDate) -> bool,
) -> Vec<PlannedWindow> {
    let mut windows: Vec<DateWindow> = Vec::new();
    let mut day = start;
    while day <= end {
        if !may_have_rows(day) {
            day += Duration::days(1);
            continue;
        }
        let reach = (day + Duration::days(width.max(1) as i64 - 1)).min(end);
        let mut last = day;
        let mut next = day;
        while next <= reach {
            if may_have_rows(next) {
                last = next;
            }
            next += Duration::days(1);
        }
        windows.push(DateWindow { start: day, end: last });
        day = last + Duration::days(1);
    }
    let throughs: Vec<NaiveDate> =
        windows.iter().skip(1).map(|next| next.start - Duration::days(1)).chain([end]).collect();
    windows.into_iter().zip(throughs).map(|(window, through)| PlannedWindow { window, through }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dates::test_day as d;
    use std::collections::BTreeSet;

    #[test]
    fn with_every_day_readable_the_plan_is_the_plain_cover() {
        let (start, end) = (d("2024-01-01"), d("2024-03-31"));
        for width in [1, 7, 30] {
            let planned = plan(start, end, width, |_| true);
            let cover = DateWindow::cover(start, end, width);
            assert_eq!(planned.iter().map(|p| p.window).collect::<Vec<_>>(), cover);
            assert!(planned.iter().all(|p| p.through == p.window.end), "the cursor moves as it always did");
        }
    }

    #[test]
    fn idle_days_are_asked_by_no_window_and_covered_by_the_cursor() {
        let active: BTreeSet<NaiveDate> = [d("2024-01-03"), d("2024-01-04"), d("2024-01-20"), d("2024-02-25")].into();
        let planned = plan(d("2024-01-01"), d("2024-02-29"), 30, |day| active.contains(&day));
        assert_eq!(
            planned,
            vec![
                PlannedWindow {
                    window: DateWindow { start: d("2024-01-03"), end: d("2024-01-20") },
                    through: d("2024-02-24")
                },
                PlannedWindow {
                    window: DateWindow { start: d("2024-02-25"), end: d("2024-02-25") },
                    through: d("2024-02-29")
                },
            ]
        );
        let hourly = plan(d("2024-01-01"), d("2024-01-31"), 1, |day| active.contains(&day));
        assert_eq!(hourly.len(), 3);
        assert_eq!(hourly[1].window, DateWindow { start: d("2024-01-04"), end: d("2024-01-04") });
        assert_eq!(hourly[1].through, d("2024-01-19"));
        assert_eq!(hourly[2].through, d("2024-01-31"));
    }

    #[test]
    fn every_readable_day_is_in_exactly_one_window_of_at_most_width_days() {
        let readable = |day: NaiveDate| (day - d("2024-01-01")).num_days() % 7 < 3;
        let planned = plan(d("2024-01-01"), d("2024-06-30"), 10, readable);
        let mut day = d("2024-01-01");
        while day <= d("2024-06-30") {
            let holding = planned.iter().filter(|p| p.window.start <= day && day <= p.window.end).count();
            assert!(holding <= 1, "{day} is asked for twice");
            assert!(holding == 1 || !readable(day), "{day} is asked for by no window");
            day += Duration::days(1);
        }
        assert!(planned.iter().all(|p| p.window.days() <= 10 && readable(p.window.start) && readable(p.window.end)));
        assert_eq!(plan(d("2024-01-01"), d("2024-01-31"), 30, |_| false), vec![]);
    }
}
