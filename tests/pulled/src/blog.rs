// Written by `schema pull` from blog.db. Edit freely: `schema generate` diffs this file
// against the baseline snapshot written beside it.

// clippy's `duplicated_attributes` takes a flag repeated across two #[index]es for one
// attribute written twice (rust-clippy#13238).
#![allow(dead_code, non_snake_case, non_camel_case_types, clippy::duplicated_attributes)]

use schema_core::Table;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "categories")]
#[index(name = "categories_slug_unique", columns(slug), unique)]
pub struct Categories {
    #[column(primary_key)]
    pub id: i64,
    pub slug: String,
    #[column(references = Categories::id, on_delete = "set null")]
    pub parent_id: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "users")]
#[index(name = "users_handle_unique", columns(handle), unique)]
#[index(name = "users_lower_email_idx", expr = "lower(\"email\")", unique)]
#[check(name = "users_handle_len", expr = "length(\"handle\") between 2 and 32")]
pub struct Users {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(collate = "NOCASE")]
    pub handle: String,
    pub email: String,
    pub display_name: Option<String>,
    #[column(sql_type = "integer", default = false)]
    pub is_admin: i64,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub joined_at: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "posts")]
#[index(name = "posts_slug_unique", columns(slug), unique)]
#[index(name = "posts_category_id_idx", columns(category_id))]
#[index(name = "posts_author_id_published_at_idx", columns(author_id, published_at))]
#[index(name = "posts_published_idx", columns(published_at), where = "status = 'published'")]
#[check(name = "posts_status_known", expr = "status in ('draft', 'published', 'archived')")]
pub struct Posts {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = Users::id, on_delete = "cascade")]
    pub author_id: i64,
    #[column(references = Categories::id, on_delete = "set null")]
    pub category_id: Option<i64>,
    pub slug: String,
    pub title: String,
    #[column(default = "")]
    pub body: String,
    #[column(default = "draft")]
    pub status: String,
    pub published_at: Option<String>,
    pub meta: String,
    #[column(generated = "length(\"body\")", stored)]
    pub body_length: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "comments")]
#[index(name = "comments_post_id_created_at_idx", columns(post_id, created_at))]
#[check(name = "comments_body_check", expr = "length(\"body\") > 0")]
pub struct Comments {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = Posts::id, on_delete = "cascade")]
    pub post_id: i64,
    #[column(references = Users::id, on_delete = "set null")]
    pub author_id: Option<i64>,
    #[column(references = Comments::id, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    pub body: String,
    #[column(default = 0)]
    pub score: i64,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "tags", strict)]
#[index(name = "tags_name_unique", columns(name), unique)]
pub struct Tags {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "post_tags", without_rowid, primary_key(post_id, tag_id))]
#[index(name = "post_tags_tag_id_idx", columns(tag_id))]
pub struct PostTags {
    #[column(references = Posts::id, on_delete = "cascade")]
    pub post_id: i64,
    #[column(references = Tags::id, on_delete = "cascade")]
    pub tag_id: i64,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "ratings", primary_key(user_id, post_id))]
#[check(name = "ratings_stars_check", expr = "stars between 1 and 5")]
pub struct Ratings {
    #[column(references = Users::id, on_delete = "cascade")]
    pub user_id: i64,
    #[column(references = Posts::id, on_delete = "cascade")]
    pub post_id: i64,
    pub stars: i64,
    #[column(default = 1.0)]
    pub weight: f64,
}
