// The blog's tables. `schema generate` reads this file; the application compiles it.

use schema_core::Table;
use serde::{Deserialize, Serialize};

/// Someone who can write posts and comments.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "users")]
#[index(name = "users_lower_email_idx", expr = "lower(\"email\")", unique)]
#[check(name = "users_handle_len", expr = "length(\"handle\") between 2 and 32")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique, collate = "NOCASE")]
    pub handle: String,
    pub email: String,
    pub display_name: Option<String>,
    #[column(default = false)]
    pub is_admin: bool,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub joined_at: String,
}

/// A category a post is filed under; categories nest.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "categories")]
pub struct Category {
    #[column(primary_key)]
    pub id: i64,
    #[column(unique)]
    pub slug: String,
    #[column(references = Category::id, on_delete = "set null")]
    pub parent_id: Option<i64>,
}

/// What a post's metadata holds, stored as JSON text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PostMeta {
    pub reading_minutes: u32,
    pub cover_image: Option<String>,
}

/// A post.
// Two #[index] attributes naming the same column trip clippy's duplicated_attributes, a known
// false positive for derive helper attributes (rust-clippy #12923, #13238).
#[allow(clippy::duplicated_attributes)]
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "posts")]
#[index(columns(author_id, published_at))]
#[index(name = "posts_published_idx", columns(published_at), where = "status = 'published'")]
#[check(name = "posts_status_known", expr = "status in ('draft', 'published', 'archived')")]
pub struct Post {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = User::id, on_delete = "cascade")]
    pub author_id: i64,
    #[column(references = Category::id, on_delete = "set null", index)]
    pub category_id: Option<i64>,
    #[column(unique)]
    pub slug: String,
    pub title: String,
    #[column(default = "")]
    pub body: String,
    #[column(default = "draft")]
    pub status: String,
    pub published_at: Option<String>,
    #[column(json)]
    pub meta: PostMeta,
    #[column(generated = "length(\"body\")", stored)]
    pub body_length: Option<i64>,
    /// Filled by the application after loading; not a column.
    #[column(skip)]
    pub tags: Vec<String>,
}

/// A tag.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "tags", strict)]
pub struct Tag {
    #[column(primary_key)]
    pub id: i64,
    #[column(unique)]
    pub name: String,
}

/// Which posts carry which tags: a composite key, both sides cascading.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "post_tags", primary_key(post_id, tag_id), without_rowid)]
pub struct PostTag {
    #[column(references = Post::id, on_delete = "cascade")]
    pub post_id: i64,
    #[column(references = Tag::id, on_delete = "cascade", index)]
    pub tag_id: i64,
}

/// A comment on a post; replies point at their parent comment.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "comments")]
#[index(columns(post_id, created_at))]
pub struct Comment {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = Post::id, on_delete = "cascade")]
    pub post_id: i64,
    #[column(references = User::id, on_delete = "set null")]
    pub author_id: Option<i64>,
    #[column(references = Comment::id, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    #[column(check = "length(\"body\") > 0")]
    pub body: String,
    #[column(default = 0)]
    pub score: i32,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: String,
}

/// One reader's rating of a post.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "ratings", primary_key(user_id, post_id))]
pub struct Rating {
    #[column(references = User::id, on_delete = "cascade")]
    pub user_id: i64,
    #[column(references = Post::id, on_delete = "cascade")]
    pub post_id: i64,
    #[column(check = "stars between 1 and 5")]
    pub stars: u8,
    #[column(default = 1.0)]
    pub weight: f64,
}
