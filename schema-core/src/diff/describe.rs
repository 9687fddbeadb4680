//! Changes said in words, for drift reports: how a database differs from what its
//! migrations say, table by table and column by column.

use super::Change;
use crate::dialect::Dialect;
use crate::model::{Column, IndexTarget};

/// `change` of `diff(expected, actual)`, said as "expected X, found Y", types and options
/// named as `dialect` names them.
pub fn describe(change: &Change, dialect: &dyn Dialect) -> String {
    match change {
        Change::RenameTable { from, to } => format!("table `{from}` is named `{to}` in the database"),
        Change::RenameColumn { table, from, to } => format!("column `{table}.{from}` is named `{to}` in the database"),
        Change::CreateTable { table, .. } => format!("table `{table}`: in the database, not in the migrations"),
        Change::DropTable { table } => format!("table `{}`: in the migrations, missing from the database", table.name),
        Change::AddColumn { table, column } => {
            format!(
                "column `{table}.{}`: in the database, not in the migrations",
                column.name
            )
        }
        Change::DropColumn { table, column } => {
            format!(
                "column `{table}.{}`: in the migrations, missing from the database",
                column.name
            )
        }
        Change::AlterColumn { table, from, to } => {
            format!(
                "column `{table}.{}`: {}",
                to.name,
                column_differences(from, to, dialect).join("; ")
            )
        }
        Change::SetPrimaryKey { table, from, to } => format!(
            "table `{table}`: primary key {} in the migrations, {} in the database",
            from.as_ref()
                .map_or("(none)".to_string(), |p| format!("({})", p.columns.join(", "))),
            to.as_ref()
                .map_or("(none)".to_string(), |p| format!("({})", p.columns.join(", ")))
        ),
        Change::AddForeignKey { table, fk } => format!(
            "table `{table}`: foreign key ({}) → {}({}) in the database, not in the migrations",
            fk.columns.join(", "),
            fk.ref_table,
            fk.ref_columns.join(", ")
        ),
        Change::DropForeignKey { table, fk } => format!(
            "table `{table}`: foreign key ({}) → {}({}) in the migrations, missing from the database",
            fk.columns.join(", "),
            fk.ref_table,
            fk.ref_columns.join(", ")
        ),
        Change::AddCheck { table, check } => {
            format!(
                "table `{table}`: check `{}` ({}) in the database, not in the migrations",
                check.name, check.expr
            )
        }
        Change::DropCheck { table, check } => {
            format!(
                "table `{table}`: check `{}` in the migrations, missing from the database",
                check.name
            )
        }
        Change::AddUnique { table, unique } => format!(
            "table `{table}`: UNIQUE ({}) in the database, not in the migrations",
            unique.columns.join(", ")
        ),
        Change::DropUnique { table, unique } => format!(
            "table `{table}`: UNIQUE ({}) in the migrations, missing from the database",
            unique.columns.join(", ")
        ),
        Change::SetOptions { table, to, .. } => {
            format!("table `{table}`: the database has it {}", dialect.describe_options(to))
        }
        Change::CreateIndex { table, index } => format!(
            "table `{table}`: index `{}` on {} in the database, not in the migrations",
            index.name,
            target(&index.target)
        ),
        Change::DropIndex { table, index } => {
            format!(
                "table `{table}`: index `{}` in the migrations, missing from the database",
                index.name
            )
        }
        Change::CreateEnum { ty } => format!("enum type `{}`: in the database, not in the migrations", ty.key()),
        Change::DropEnum { ty } => format!("enum type `{}`: in the migrations, missing from the database", ty.key()),
        Change::AlterEnum { from, to } => format!(
            "enum type `{}`: values ({}) in the migrations, ({}) in the database",
            to.key(),
            from.values.join(", "),
            to.values.join(", ")
        ),
        Change::CreateSequence { sequence } => {
            format!("sequence `{}`: in the database, not in the migrations", sequence.key())
        }
        Change::DropSequence { sequence } => {
            format!(
                "sequence `{}`: in the migrations, missing from the database",
                sequence.key()
            )
        }
        Change::AlterSequence { from, to } => format!(
            "sequence `{}`: {} in the migrations, {} in the database",
            to.key(),
            sequence_text(from),
            sequence_text(to)
        ),
    }
}

fn sequence_text(s: &crate::model::Sequence) -> String {
    let n = |v: Option<i64>| v.map_or("default".to_string(), |v| v.to_string());
    format!(
        "(increment {}, min {}, max {}, start {}, cache {}{})",
        n(s.increment),
        n(s.min_value),
        n(s.max_value),
        n(s.start_with),
        n(s.cache),
        if s.cycle { ", cycle" } else { "" }
    )
}

fn target(t: &IndexTarget) -> String {
    match t {
        IndexTarget::Columns(c) => format!("({})", c.join(", ")),
        IndexTarget::Expr(e) => format!("({e})"),
    }
}

fn column_differences(from: &Column, to: &Column, dialect: &dyn Dialect) -> Vec<String> {
    let mut out = Vec::new();
    let both = |what: &str, a: String, b: String| format!("{what} {a} in the migrations, {b} in the database");
    if !from.ty.eq_ignore_case(&to.ty) {
        out.push(both("type", dialect.column_type(&from.ty), dialect.column_type(&to.ty)));
    }
    if from.not_null != to.not_null {
        let n = |b: bool| if b { "NOT NULL" } else { "nullable" }.to_string();
        out.push(format!(
            "{} in the migrations, {} in the database",
            n(from.not_null),
            n(to.not_null)
        ));
    }
    if from.default != to.default {
        let d = |c: &Column| c.default.as_ref().map_or("none".to_string(), |d| d.to_sql());
        out.push(both("default", d(from), d(to)));
    }
    if from.primary_key != to.primary_key || from.autoincrement != to.autoincrement {
        let k = |c: &Column| {
            match (c.primary_key, c.autoincrement) {
                (true, true) => "primary key with AUTOINCREMENT",
                (true, false) => "primary key",
                _ => "not a key",
            }
            .to_string()
        };
        out.push(format!("{} in the migrations, {} in the database", k(from), k(to)));
    }
    if from.collate != to.collate {
        let c = |c: &Column| c.collate.clone().unwrap_or_else(|| "BINARY".into());
        out.push(both("collation", c(from), c(to)));
    }
    if from.generated != to.generated {
        let g = |c: &Column| {
            c.generated.as_ref().map_or("not generated".to_string(), |g| {
                format!("generated as ({}){}", g.expr, if g.stored { " stored" } else { "" })
            })
        };
        out.push(format!("{} in the migrations, {} in the database", g(from), g(to)));
    }
    out
}

/// A column type change, said as the risk it is on the dialect's database
/// ([`Dialect::type_change_risk`]). `None` for any other change. `generate` and `push` both
/// say it.
pub fn type_change(change: &Change, dialect: &dyn Dialect) -> Option<String> {
    let Change::AlterColumn { table, from, to } = change else {
        return None;
    };
    (!from.ty.eq_ignore_case(&to.ty)).then(|| dialect.type_change_risk(table, from, to))
}
