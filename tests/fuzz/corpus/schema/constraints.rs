// Every constraint the attributes can say, in the forms hand-written and Django-made schemas
// use: unique constraints inline and at table level, named and not; foreign keys over
// several columns, to the parent's key left implied, DEFERRABLE; unnamed checks; a key that
// may hold NULL.

use schema_core::Table;

// clippy's `duplicated_attributes` takes the two `constraint` flags for one attribute written
// twice (rust-clippy#13238); they are two constraints.
#[allow(clippy::duplicated_attributes)]
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "orgs")]
#[unique(columns(slug, region), constraint)]
#[unique(name = "orgs_name_key", columns(name), constraint)]
#[check(expr = "length(slug) > 0")]
#[check(expr = "region IN ('eu', 'us')")]
pub struct Org {
    #[column(primary_key)]
    pub code: Option<String>,
    #[column(unique(constraint))]
    pub slug: String,
    pub region: String,
    pub name: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "teams", primary_key(org_code, number))]
pub struct Team {
    pub org_code: String,
    pub number: i64,
    pub title: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "members")]
#[foreign_key(columns(org_code, team_number), references = Team, on_delete = "cascade", deferrable = "deferred")]
#[foreign_key(name = "members_team_title_fk", columns(org_code, team_number), references = Team, to(org_code, number), on_update = "cascade")]
pub struct Member {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = Org, deferrable)]
    pub org_code: String,
    pub team_number: Option<i64>,
    #[column(references = Org::slug, on_delete = "set null", deferrable = "immediate")]
    pub org_slug: Option<String>,
}
