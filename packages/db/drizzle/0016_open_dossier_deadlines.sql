-- Open dossiers in progress counted per (commune, hour of their deadline), kept by the write path
-- (issue 18): a read above a commune takes whole hours from here instead of reading every
-- dossier in progress from `dossiers`, whose heap grows with history.
CREATE TABLE "open_dossier_deadlines" (
	"unit_code" text NOT NULL,
	"deadline_hour" bigint NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "open_dossier_deadlines_unit_code_deadline_hour_pk" PRIMARY KEY("unit_code","deadline_hour")
);
--> statement-breakpoint
-- The same dossiers by deadline, covering (index-only), for the hours a read classifies one by one.
CREATE INDEX "dossiers_open_deadline_idx" ON "dossiers" USING btree (("due_at" + "paused_ms")) INCLUDE ("unit_code","due_at","paused_ms") WHERE "dossiers"."finished_at" is null and "dossiers"."due_at" is not null and "dossiers"."pending_since" is null and "dossiers"."supplement_requests" < 2 and not "dossiers"."rescheduled";--> statement-breakpoint
-- Dossiers stored before this migration, by the rule of `timedDeadline`
-- (packages/db/src/open-counts.ts), which the write path keeps from here on.
INSERT INTO "open_dossier_deadlines" ("unit_code", "deadline_hour", "total")
SELECT "unit_code", ("due_at" + "paused_ms") / 3600000 * 3600000, count(*)::int
FROM "dossiers"
WHERE "finished_at" IS NULL AND "due_at" IS NOT NULL AND "pending_since" IS NULL
  AND "supplement_requests" < 2 AND NOT "rescheduled"
GROUP BY 1, 2;
--> statement-breakpoint
-- Every flush rewrites rows of both counter tables, which the open counts read whole: vacuum
-- them every 1,000 dead rows rather than at a fifth of a table of a few thousand (as 0015 does
-- for `dossiers`). PGlite takes the setting and has no autovacuum.
ALTER TABLE "open_dossier_deadlines" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);--> statement-breakpoint
ALTER TABLE "open_dossier_counts" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
