CREATE TABLE "import_files" (
	"file_key" text PRIMARY KEY NOT NULL,
	"path" text NOT NULL,
	"line" bigint DEFAULT 0 NOT NULL,
	"accepted" bigint DEFAULT 0 NOT NULL,
	"duplicates" bigint DEFAULT 0 NOT NULL,
	"rejected" bigint DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "open_dossier_counts" (
	"unit_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"due_soon" integer DEFAULT 0 NOT NULL,
	"due_in_48h" integer DEFAULT 0 NOT NULL,
	"waiting_supplement" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "open_dossier_counts_unit_code_desk_code_pk" PRIMARY KEY("unit_code","desk_code")
);
--> statement-breakpoint
CREATE INDEX "dossiers_open_timed_idx" ON "dossiers" USING btree ("unit_code","desk_code") INCLUDE ("due_at","paused_ms") WHERE "dossiers"."finished_at" is null and "dossiers"."due_at" is not null and "dossiers"."pending_since" is null and "dossiers"."supplement_requests" < 2 and not "dossiers"."rescheduled";--> statement-breakpoint
CREATE INDEX "dossiers_open_pending_idx" ON "dossiers" USING btree ("pending_since") WHERE "dossiers"."finished_at" is null and "dossiers"."due_at" is not null and "dossiers"."pending_since" is not null;--> statement-breakpoint
-- Dossiers stored before this migration: their clock-independent open standing, by the rules of
-- `openStanding` (packages/db/src/open-counts.ts), which the write path keeps from here on.
INSERT INTO "open_dossier_counts" ("unit_code", "desk_code", "total", "overdue", "due_soon", "due_in_48h", "waiting_supplement")
SELECT "unit_code", "desk_code", count(*)::int,
  count(*) FILTER (WHERE overdue)::int,
  count(*) FILTER (WHERE NOT overdue AND "due_at" + "paused_ms" - "pending_since" <= 86400000)::int,
  count(*) FILTER (WHERE NOT overdue AND "due_at" + "paused_ms" - "pending_since" <= 172800000)::int,
  count(*) FILTER (WHERE "pending_since" IS NOT NULL)::int
FROM (
  SELECT "unit_code", "desk_code", "due_at", "paused_ms", "pending_since",
    "supplement_requests" >= 2 OR "rescheduled" OR "pending_since" > "due_at" + "paused_ms" AS overdue
  FROM "dossiers"
  WHERE "finished_at" IS NULL AND "due_at" IS NOT NULL
    AND ("pending_since" IS NOT NULL OR "supplement_requests" >= 2 OR "rescheduled")
) s
GROUP BY "unit_code", "desk_code";
