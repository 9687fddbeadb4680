CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT DEFAULT 'a;b' /* ; */, w TEXT);--> statement-breakpoint
-- a comment; with a semicolon
CREATE TRIGGER t_upd AFTER UPDATE ON t BEGIN
  UPDATE t SET w = CASE WHEN new.v = 'x;' THEN 'end' ELSE "END" END WHERE id = new.id;
  INSERT INTO t (v) VALUES ('--> not a break');
END;--> statement-breakpoint
CREATE VIEW "v;w" AS SELECT [id], `v` FROM t WHERE v <> ';';
