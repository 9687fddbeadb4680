// Written by `schema pull` from django.db. Edit freely: `schema generate` diffs this file
// against the baseline snapshot written beside it.

// clippy's `duplicated_attributes` takes a flag repeated across two #[index]es for one
// attribute written twice (rust-clippy#13238).
#![allow(dead_code, non_snake_case, non_camel_case_types, clippy::duplicated_attributes)]

use schema_core::Table;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "django_migrations")]
pub struct DjangoMigrations {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(sql_type = "varchar(255)")]
    pub app: String,
    #[column(sql_type = "varchar(255)")]
    pub name: String,
    #[column(sql_type = "datetime")]
    pub applied: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "auth_group_permissions")]
#[index(name = "auth_group_permissions_group_id_permission_id_0cd325b0_uniq", columns(group_id, permission_id), unique)]
#[index(name = "auth_group_permissions_group_id_b120cbf9", columns(group_id))]
#[index(name = "auth_group_permissions_permission_id_84c5c92e", columns(permission_id))]
pub struct AuthGroupPermissions {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = AuthGroup::id, deferrable = "deferred")]
    pub group_id: i64,
    #[column(references = AuthPermission::id, deferrable = "deferred")]
    pub permission_id: i64,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "auth_user_groups")]
#[index(name = "auth_user_groups_user_id_group_id_94350c0c_uniq", columns(user_id, group_id), unique)]
#[index(name = "auth_user_groups_user_id_6a12ed8b", columns(user_id))]
#[index(name = "auth_user_groups_group_id_97559544", columns(group_id))]
pub struct AuthUserGroups {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = AuthUser::id, deferrable = "deferred")]
    pub user_id: i64,
    #[column(references = AuthGroup::id, deferrable = "deferred")]
    pub group_id: i64,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "auth_user_user_permissions")]
#[index(name = "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq", columns(user_id, permission_id), unique)]
#[index(name = "auth_user_user_permissions_user_id_a95ead1b", columns(user_id))]
#[index(name = "auth_user_user_permissions_permission_id_1fbb5f2c", columns(permission_id))]
pub struct AuthUserUserPermissions {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = AuthUser::id, deferrable = "deferred")]
    pub user_id: i64,
    #[column(references = AuthPermission::id, deferrable = "deferred")]
    pub permission_id: i64,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "django_admin_log")]
#[index(name = "django_admin_log_content_type_id_c4bce8eb", columns(content_type_id))]
#[index(name = "django_admin_log_user_id_c564eba6", columns(user_id))]
#[check(expr = "\"action_flag\" >= 0")]
pub struct DjangoAdminLog {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub object_id: Option<String>,
    #[column(sql_type = "varchar(200)")]
    pub object_repr: String,
    #[column(sql_type = "smallint unsigned")]
    pub action_flag: i64,
    pub change_message: String,
    #[column(references = DjangoContentType::id, deferrable = "deferred")]
    pub content_type_id: Option<i64>,
    #[column(references = AuthUser::id, deferrable = "deferred")]
    pub user_id: i64,
    #[column(sql_type = "datetime")]
    pub action_time: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "django_content_type")]
#[index(name = "django_content_type_app_label_model_76bd3d3b_uniq", columns(app_label, model), unique)]
pub struct DjangoContentType {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(sql_type = "varchar(100)")]
    pub app_label: String,
    #[column(sql_type = "varchar(100)")]
    pub model: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "auth_permission")]
#[index(name = "auth_permission_content_type_id_codename_01ab375a_uniq", columns(content_type_id, codename), unique)]
#[index(name = "auth_permission_content_type_id_2f476e4b", columns(content_type_id))]
pub struct AuthPermission {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = DjangoContentType::id, deferrable = "deferred")]
    pub content_type_id: i64,
    #[column(sql_type = "varchar(100)")]
    pub codename: String,
    #[column(sql_type = "varchar(255)")]
    pub name: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "auth_group")]
pub struct AuthGroup {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(sql_type = "varchar(150)", unique(constraint))]
    pub name: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "auth_user")]
pub struct AuthUser {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(sql_type = "varchar(128)")]
    pub password: String,
    #[column(sql_type = "datetime")]
    pub last_login: Option<String>,
    #[column(sql_type = "bool")]
    pub is_superuser: bool,
    #[column(sql_type = "varchar(150)", unique(constraint))]
    pub username: String,
    #[column(sql_type = "varchar(150)")]
    pub last_name: String,
    #[column(sql_type = "varchar(254)")]
    pub email: String,
    #[column(sql_type = "bool")]
    pub is_staff: bool,
    #[column(sql_type = "bool")]
    pub is_active: bool,
    #[column(sql_type = "datetime")]
    pub date_joined: String,
    #[column(sql_type = "varchar(150)")]
    pub first_name: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "django_session")]
#[index(name = "django_session_expire_date_a5c62663", columns(expire_date))]
pub struct DjangoSession {
    #[column(primary_key, sql_type = "varchar(40)")]
    pub session_key: String,
    pub session_data: String,
    #[column(sql_type = "datetime")]
    pub expire_date: String,
}
