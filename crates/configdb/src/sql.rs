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

/// Right-hand side of `comments = …` that appends the formatted `$entry`
/// (a `String`) in one statement: the separator goes in only when a
/// non-empty comment is already there, exactly like CodeChecker's layout.
macro_rules! appended_comments {
    ($entry:expr) => {
        diesel::NullableExpressionMethods::nullable(diesel::TextExpressionMethods::concat(
            $crate::sql::coalesce(
                diesel::TextExpressionMethods::concat(
                    $crate::sql::nullif($crate::schema::background_tasks::comments, ""),
                    $crate::tasks::comments::SEPARATOR,
                ),
                "",
            ),
            $entry,
        ))
    };
}
pub(crate) use appended_comments;
