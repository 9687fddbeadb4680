//! The dialect-free rules: what a change does to code that is still running while it deploys,
//! and the safe way, spelled out for that table or column.

use super::read::Action;
use super::{Class, Finding, Rule};
use crate::dialect::Dialect;

macro_rules! rules {
    ($($id:ident = $name:literal, $class:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $id: Rule = Rule { name: $name, class: Class::$class, dialect: None, summary: $summary };
        )*
        /// Every rule about the change itself, whatever the dialect.
        pub static GENERIC_RULES: &[&Rule] = &[$(&$id),*];
    };
}

rules! {
    CREATE_TABLE = "create-table", Safe, "a new table";
    ADD_COLUMN = "add-column", Safe, "a new column that is nullable, has a default or is generated";
    ADD_INDEX = "add-index", Safe, "a new index (not unique)";
    DROP_INDEX = "drop-index", Safe, "an index dropped: queries may slow down, none fails";
    ALTER_COLUMN = "alter-column", Safe, "a column change running code does not notice (NOT NULL dropped, a new default, a collation)";
    DROP_CONSTRAINT = "drop-constraint", Safe, "a check or foreign key dropped";
    TABLE_OPTIONS = "table-options", Safe, "table options that existing rows cannot fail";
    DROP_TABLE = "drop-table", Breaking, "a table dropped";
    DROP_COLUMN = "drop-column", Breaking, "a column dropped";
    RENAME_TABLE = "rename-table", Breaking, "a table renamed";
    RENAME_COLUMN = "rename-column", Breaking, "a column renamed";
    NOT_NULL_WITHOUT_DEFAULT = "not-null-without-default", Breaking, "a new NOT NULL column without a default";
    SET_NOT_NULL = "set-not-null", Breaking, "a nullable column made NOT NULL";
    CHANGE_TYPE = "change-type", Breaking, "a column's type changed";
    DROP_DEFAULT = "drop-default", Breaking, "the default of a NOT NULL column dropped";
    ADD_UNIQUE = "add-unique", Breaking, "a unique index or constraint on existing rows";
    ADD_CHECK = "add-check", Breaking, "a check constraint on existing rows";
    ADD_FOREIGN_KEY = "add-foreign-key", Breaking, "a foreign key on existing rows";
    CHANGE_PRIMARY_KEY = "change-primary-key", Breaking, "a table's primary key changed";
    CHANGE_TABLE_OPTIONS = "change-table-options", Breaking, "table options that existing rows may fail (SQLite's STRICT)";
    ENUM_TYPE = "enum-type", Safe, "a new enum type, a value added to one, or an unused one dropped";
    REMOVE_ENUM_VALUE = "remove-enum-value", Breaking, "values removed from an enum type (the type is recreated)";
    SEQUENCE = "sequence", Safe, "a new sequence, or a sequence's increment, bounds, start or cache changed";
    DROP_SEQUENCE = "drop-sequence", Breaking, "a sequence dropped";
}

/// The dialect-free rule named `name`, or PostgreSQL's (its names are known whatever the
/// folder's dialect, so a shared acknowledgment is never a typo).
pub fn rule_named(name: &str) -> Option<&'static Rule> {
    GENERIC_RULES
        .iter()
        .chain(super::postgres::RULES)
        .find(|r| r.name == name)
        .copied()
}

/// `` `users.bio` ``
fn col(table: &str, column: &str) -> String {
    format!("`{table}.{column}`")
}

/// ` text`, or nothing for a column without a type.
fn typed(ty: &str) -> String {
    if ty.is_empty() { String::new() } else { format!(" {ty}") }
}

/// The finding of one action.
pub(crate) fn finding(action: &Action, dialect: &dyn Dialect) -> Finding {
    let q = |n: &str| dialect.quote_ident(n);
    match action {
        Action::CreateTable { table } => Finding::new(&CREATE_TABLE, format!("creates `{table}`")).on(table, None),
        Action::AddColumn {
            table,
            column,
            ty,
            not_null,
            default,
            generated,
        } => {
            if !*not_null || default.is_some() || *generated {
                let how = match (default, generated) {
                    (_, true) => " (generated)".to_string(),
                    (Some(d), _) => format!(" with the default {d}"),
                    (None, _) => " (nullable)".to_string(),
                };
                return Finding::new(&ADD_COLUMN, format!("adds {}{}{how}", col(table, column), typed(ty)))
                    .on(table, Some(column));
            }
            Finding::new(
                &NOT_NULL_WITHOUT_DEFAULT,
                format!("adds {}{} NOT NULL without a default", col(table, column), typed(ty)),
            )
                .on(table, Some(column))
                .why(format!(
                    "code still running the previous release inserts into `{table}` without `{column}`, and every such \
                     insert fails once the column is NOT NULL without a default; on a table with rows the migration itself \
                     fails (the rows have no value for it)"
                ))
                .steps([
                    format!("add {} as nullable, or with a default", col(table, column)),
                    format!("fill it: UPDATE {} SET {} = … WHERE {} IS NULL", q(table), q(column), q(column)),
                    format!("deploy code that always writes {}", col(table, column)),
                    "then make it NOT NULL (and drop the default) in a later migration".to_string(),
                ])
        }
        Action::DropColumn { table, column } => Finding::new(&DROP_COLUMN, format!("drops {}", col(table, column)))
            .on(table, Some(column))
            .why(format!(
                "code still running the previous release reads or writes {}: once the column is gone, each of its \
                     queries that names it fails (no such column), and the column's data is lost",
                col(table, column)
            ))
            .steps([
                format!("deploy code that no longer reads or writes {}", col(table, column)),
                "then apply the drop (this migration) in a later release, once no running code uses the column"
                    .to_string(),
            ]),
        Action::DropTable { table } => Finding::new(&DROP_TABLE, format!("drops `{table}`"))
            .on(table, None)
            .why(format!(
                "code still running the previous release queries `{table}`: once it is gone those queries fail, and \
                 its rows are lost"
            ))
            .steps([
                format!("deploy code that no longer uses `{table}`"),
                "keep a copy of its rows if they may be wanted (`schema migrate --backup`)".to_string(),
                "then apply the drop (this migration) in a later release".to_string(),
            ]),
        Action::RenameTable { from, to } => Finding::new(&RENAME_TABLE, format!("renames `{from}` to `{to}`"))
            .on(to, None)
            .why(format!(
                "code still running the previous release queries `{from}`, which no longer exists after the rename; \
                 code that queries `{to}` fails if it starts before the migration"
            ))
            .steps([
                format!(
                    "create `{to}` beside `{from}` and copy the rows: INSERT INTO {} SELECT * FROM {}",
                    q(to),
                    q(from)
                ),
                format!("deploy code that writes both `{from}` and `{to}` and reads `{to}`"),
                format!("copy the rows written in between, then deploy code that uses `{to}` only"),
                format!("drop `{from}` in a later release"),
            ]),
        Action::RenameColumn { table, from, to, ty } => {
            let ty = ty.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
            Finding::new(&RENAME_COLUMN, format!("renames {} to `{to}`", col(table, from)))
                .on(table, Some(to))
                .why(format!(
                    "code still running the previous release reads and writes {}, which no longer exists after the \
                     rename; code that uses `{to}` fails if it starts before the migration",
                    col(table, from)
                ))
                .steps([
                    format!(
                        "add `{to}`{ty} beside `{from}` and copy: UPDATE {} SET {} = {} \
                         (`schema generate --two-phase` writes this migration)",
                        q(table),
                        q(to),
                        q(from)
                    ),
                    format!("deploy code that writes both `{from}` and `{to}` and reads `{to}`"),
                    format!(
                        "copy the rows written in between: UPDATE {} SET {} = {} WHERE {} IS NULL",
                        q(table),
                        q(to),
                        q(from),
                        q(to)
                    ),
                    format!("drop `{from}` later, once no running code reads it (`schema generate`)"),
                ])
        }
        Action::ChangeType {
            table,
            column,
            from,
            to,
        } => {
            let from_said = from.as_deref().map(|f| format!(" from {f}")).unwrap_or_default();
            let new = format!("{column}_new");
            Finding::new(&CHANGE_TYPE, format!("changes {}{from_said} to {to}", col(table, column)))
                .on(table, Some(column))
                .why(format!(
                    "code still running the previous release reads and writes {} as it was: values of the new type \
                     can fail to decode there, and converting existing values can fail or change them",
                    col(table, column)
                ))
                .steps([
                    format!(
                        "add `{new}` {to} beside `{column}` and copy the values, converted: UPDATE {} SET {} = CAST({} AS {to})",
                        q(table),
                        q(&new),
                        q(column)
                    ),
                    format!("deploy code that writes both columns and reads `{new}`"),
                    format!("drop `{column}` in a later release (and rename `{new}` if the name matters)"),
                ])
        }
        Action::SetNotNull { table, column, default } => {
            let fill = default.as_deref().unwrap_or("…");
            Finding::new(&SET_NOT_NULL, format!("makes {} NOT NULL", col(table, column)))
                .on(table, Some(column))
                .why(format!(
                    "code still running the previous release may write NULL into {}: those writes fail once it is NOT \
                     NULL{}",
                    col(table, column),
                    if default.is_some() {
                        ", and rows holding NULL now are given the default"
                    } else {
                        ", and the migration fails if a row holds NULL"
                    }
                ))
                .steps([
                    format!("deploy code that always writes {}", col(table, column)),
                    format!(
                        "fill the NULLs: UPDATE {} SET {} = {fill} WHERE {} IS NULL",
                        q(table),
                        q(column),
                        q(column)
                    ),
                    "then apply this migration".to_string(),
                ])
        }
        Action::DropDefault { table, column } => {
            Finding::new(&DROP_DEFAULT, format!("drops the default of {}", col(table, column)))
                .on(table, Some(column))
                .why(format!(
                    "code still running the previous release may leave `{column}` out of its inserts into `{table}`, \
                     relying on the default: with none those inserts write NULL, and fail where the column is NOT NULL"
                ))
                .steps([
                    format!("deploy code that always writes {}", col(table, column)),
                    "then apply this migration".to_string(),
                ])
        }
        Action::AlterColumn { table, column, what } => {
            Finding::new(&ALTER_COLUMN, format!("{}: {what}", col(table, column))).on(table, Some(column))
        }
        Action::AddIndex {
            table,
            name,
            unique,
            target,
        } => {
            let named = name.as_deref().map(|n| format!("`{n}` ")).unwrap_or_default();
            if !*unique {
                return Finding::new(&ADD_INDEX, format!("creates the index {named}on `{table}` ({target})"))
                    .on(table, None);
            }
            Finding::new(
                &ADD_UNIQUE,
                format!("creates the unique index {named}on `{table}` ({target})"),
            )
            .on(table, None)
            .why(format!(
                "rows of `{table}` that already share a value of ({target}) make the migration fail, and code still \
                     running the previous release that writes a duplicate gets an error it never had"
            ))
            .steps([
                format!(
                    "find the duplicates: SELECT {target}, count(*) FROM {} GROUP BY {target} HAVING count(*) > 1",
                    q(table)
                ),
                "resolve them, and deploy code that never writes a duplicate".to_string(),
                "then apply this migration".to_string(),
            ])
        }
        Action::DropIndex { name } => Finding::new(&DROP_INDEX, format!("drops the index `{name}`")),
        Action::AddCheck { table, name, expr } => {
            let named = name.as_deref().map(|n| format!("`{n}` ")).unwrap_or_default();
            Finding::new(&ADD_CHECK, format!("adds the check {named}on `{table}`: {expr}"))
                .on(table, None)
                .why(format!(
                    "rows of `{table}` that fail it make the migration fail, and code still running the previous release \
                     that writes such a row gets an error it never had"
                ))
                .steps([
                    format!("find the rows that fail it: SELECT count(*) FROM {} WHERE NOT ({expr})", q(table)),
                    "fix them, and deploy code that only writes rows that pass".to_string(),
                    "then apply this migration".to_string(),
                ])
        }
        Action::AddForeignKey {
            table,
            columns,
            ref_table,
        } => {
            let cols = columns.join(", ");
            Finding::new(
                &ADD_FOREIGN_KEY,
                format!("adds a foreign key `{table}` ({cols}) → `{ref_table}`"),
            )
            .on(table, None)
            .why(format!(
                "rows of `{table}` that point at no row of `{ref_table}` make the migration fail, and code still \
                     running the previous release that writes such a row, or deletes a referenced one, gets an error"
            ))
            .steps([
                format!("find the rows of `{table}` whose ({cols}) match no row of `{ref_table}`, and fix them"),
                format!("deploy code that keeps ({cols}) pointing at existing rows of `{ref_table}`"),
                "then apply this migration".to_string(),
            ])
        }
        Action::DropConstraint { table, name } => {
            Finding::new(&DROP_CONSTRAINT, format!("drops the constraint `{name}` of `{table}`")).on(table, None)
        }
        Action::SetPrimaryKey { table, columns } => {
            let cols = columns.join(", ");
            Finding::new(
                &CHANGE_PRIMARY_KEY,
                format!("changes the primary key of `{table}` to ({cols})"),
            )
            .on(table, None)
            .why(format!(
                "code still running the previous release finds, updates and references rows of `{table}` by the old \
                     key, and rows that share a value of the new one make the migration fail"
            ))
            .steps([
                format!("add a unique index on ({cols}) first, and deploy code that uses it to find rows"),
                "then change the key in a later release".to_string(),
            ])
        }
        Action::EnumType { name, what } => Finding::new(&ENUM_TYPE, format!("{what} the enum type `{name}`")),
        Action::Sequence { name, what } => Finding::new(&SEQUENCE, format!("{what} the sequence `{name}`")),
        Action::DropSequence { name } => Finding::new(&DROP_SEQUENCE, format!("drops the sequence `{name}`"))
            .why(format!(
                "code still running the previous release may call nextval('{name}') (or insert into a column whose \
                 default does): those statements fail once it is gone"
            ))
            .steps([
                format!("deploy code that no longer uses `{name}`"),
                "then drop it in a migration of its own".to_string(),
            ]),
        Action::RemoveEnumValues { name, values } => {
            let list = values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
            Finding::new(
                &REMOVE_ENUM_VALUE,
                format!("removes {list} from the enum type `{name}`"),
            )
            .why(format!(
                "code still running the previous release may write {list}, which the type no longer has: those \
                     writes fail, and the migration itself fails while a row holds one"
            ))
            .steps([
                format!("deploy code that no longer writes {list}"),
                format!("update the rows that hold {list} to another value"),
                "then apply this migration".to_string(),
            ])
        }
        Action::SetOptions { table, to, risk } => match risk {
            None => Finding::new(&TABLE_OPTIONS, format!("sets the options of `{table}` to {to}")).on(table, None),
            Some(risk) => Finding::new(&CHANGE_TABLE_OPTIONS, format!("sets the options of `{table}` to {to}"))
                .on(table, None)
                .why(format!(
                    "{risk}: existing rows can make the migration fail, and code still running the previous release \
                     can write values that are now refused"
                ))
                .steps([
                    format!("check that every row of `{table}` fits, and deploy code that writes only such values"),
                    "then apply this migration".to_string(),
                ]),
        },
    }
}
