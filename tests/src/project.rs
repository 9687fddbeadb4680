//! A project for the library-level tests: a migration folder and a database, moved from
//! schema to schema as `schema generate` and `schema migrate` move them.

use rusqlite::Connection;
use schema_core::folder::Folder;
use schema_core::generate::{GenerateError, GenerateOptions, GenerateOutcome, generate};
use schema_core::sqlite::SQLITE;
use schema_core::{MigrateError, Migrations};

/// A migration folder and a database in a temporary folder.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A project whose first migration, from `first`, is generated and applied.
    pub fn new(first: &str) -> Project {
        let p = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        p.generate(first).unwrap();
        p.migrate().unwrap();
        p
    }

    pub fn folder(&self) -> Folder {
        Folder::new(self.dir.path().join("migrations"), &SQLITE)
    }

    /// Generates the migration to the schema in `src`; returns its SQL.
    pub fn generate(&self, src: &str) -> Result<String, GenerateError> {
        match generate(
            &self.folder(),
            &crate::schema_from_source(src),
            &GenerateOptions::default(),
            &mut (),
        )? {
            GenerateOutcome::Written(w) => Ok(std::fs::read_to_string(w.sql_path).unwrap()),
            GenerateOutcome::NoChanges => panic!("expected a change"),
        }
    }

    /// A connection with foreign keys on, as an application has it.
    pub fn conn(&self) -> Connection {
        let c = Connection::open(self.dir.path().join("app.db")).unwrap();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        c
    }

    /// Applies every pending migration, and checks the connection's foreign keys come back on.
    pub fn migrate(&self) -> Result<(), MigrateError> {
        let mut c = self.conn();
        Migrations::from_dir(self.dir.path().join("migrations"))?.run(&mut c)?;
        assert!(
            fk_on(&c),
            "the migrator gives the connection back with foreign keys as they were"
        );
        Ok(())
    }

    pub fn exec(&self, sql: &str) {
        self.conn().execute_batch(sql).unwrap();
    }

    pub fn rows(&self, sql: &str) -> Vec<String> {
        crate::rows(&self.conn(), sql)
    }
}

pub fn fk_on(c: &Connection) -> bool {
    c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap()
}
