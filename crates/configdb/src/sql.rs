//! Small SQL building blocks valid on both backends.

use diesel::sql_types::{Nullable, Text};

diesel::define_sql_function! {
    /// SQL `COALESCE` of a nullable text and a fallback.
    fn coalesce(x: Nullable<Text>, y: Text) -> Text;
}

diesel::define_sql_function! {
    /// SQL `NULLIF`: `NULL` when both texts are equal.
    fn nullif(x: Nullable<Text>, y: Text) -> Nullable<Text>;
}
