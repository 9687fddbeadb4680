PRAGMA foreign_keys=OFF;--> statement-breakpoint
-- schema:rebuild "users"
CREATE TABLE `__new_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL UNIQUE,
	`email` text NOT NULL,
	UNIQUE(`name`, `email`)
);
--> statement-breakpoint
INSERT INTO `__new_users`(`id`, `name`, `email`) SELECT `id`, `name`, `email` FROM `users`;--> statement-breakpoint
INSERT INTO sqlite_sequence(name, seq) SELECT '__new_users', seq FROM sqlite_sequence WHERE name = 'users' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '__new_users');--> statement-breakpoint
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'users'), 0)) WHERE name = '__new_users';--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
PRAGMA foreign_keys=ON;
