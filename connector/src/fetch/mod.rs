//! How answers are fetched: requests sent ahead of their reader and handed out in order, the
//! pages of one list, and values computed once that many readers await. Built on the API
//! client alone, so sources and the report probes share them without knowing the sync.
//!
//! - `ahead`: answers fetched ahead of the reader, handed out in order; `Shared`;
//! - `paging`: the pages of one list, fetched ahead.

pub mod ahead;
pub mod paging;
