//! How answers are fetched: requests sent ahead of their reader and handed out in order, the
//! pages of one list, and values computed once that many readers await. Built on the API
//! client alone, so every source shares them without knowing the sync.
//!
//! - `ahead`: answers fetched ahead of the reader, handed out in order;
//! - `paging`: the pages of one list, fetched ahead;
//! - `shared`: a value computed once in the background (`Shared`), and such values by key
//!   (`OnceMap`, what a sync learns once per advertiser).

pub mod ahead;
pub mod paging;
pub mod shared;
