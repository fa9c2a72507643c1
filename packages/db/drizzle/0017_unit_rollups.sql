-- Unit rows above a commune (issue 18), kept by the write path from here on (`unitRollupRecords`
-- in packages/db/src/write.ts): a district's, province's or the nation's window is a handful of
-- its own rows instead of every commune's (the nation's 30 days: ~150,000 rows, 90 ms).
CREATE TABLE "unit_rollups" (
	"grain" text NOT NULL,
	"unit_code" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"late" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"proc_ms" bigint DEFAULT 0 NOT NULL,
	"received_direct" integer DEFAULT 0 NOT NULL,
	"received_online" integer DEFAULT 0 NOT NULL,
	"received_postal" integer DEFAULT 0 NOT NULL,
	"fee_reported" integer DEFAULT 0 NOT NULL,
	"fee_bearing" integer DEFAULT 0 NOT NULL,
	"fee_paid_online" integer DEFAULT 0 NOT NULL,
	"digitised_reported" integer DEFAULT 0 NOT NULL,
	"inputs_digitised" integer DEFAULT 0 NOT NULL,
	"reuse_reported" integer DEFAULT 0 NOT NULL,
	"reused_data" integer DEFAULT 0 NOT NULL,
	"store_reported" integer DEFAULT 0 NOT NULL,
	"citizen_store" integer DEFAULT 0 NOT NULL,
	"population_reported" integer DEFAULT 0 NOT NULL,
	"population_data" integer DEFAULT 0 NOT NULL,
	"e_result_reported" integer DEFAULT 0 NOT NULL,
	"e_result" integer DEFAULT 0 NOT NULL,
	"digitisation_reported" integer DEFAULT 0 NOT NULL,
	"fully_digitised" integer DEFAULT 0 NOT NULL,
	"on_time_complained" integer DEFAULT 0 NOT NULL,
	"petitions_received" integer DEFAULT 0 NOT NULL,
	"petitions_handled" integer DEFAULT 0 NOT NULL,
	"petitions_handled_on_time" integer DEFAULT 0 NOT NULL,
	"petitions_closed" integer DEFAULT 0 NOT NULL,
	"petitions_unsatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "unit_rollups_grain_unit_code_bucket_start_pk" PRIMARY KEY("grain","unit_code","bucket_start")
);
--> statement-breakpoint
-- Buckets stored before this migration: each commune's rows (every desk's minutes and hours, its
-- day rows) summed into every unit above it, as `units` holds the tree now.
WITH RECURSIVE "above" ("commune", "code", "depth") AS (
  SELECT "code", "parent_code", 1 FROM "units" WHERE "parent_code" IS NOT NULL
  UNION ALL
  SELECT "above"."commune", "p"."parent_code", "above"."depth" + 1
  FROM "above" JOIN "units" "p" ON "p"."code" = "above"."code"
  WHERE "p"."parent_code" IS NOT NULL AND "above"."depth" < 10
)
INSERT INTO "unit_rollups" ("grain", "unit_code", "bucket_start", "very_satisfied", "satisfied", "unsatisfied", "early", "on_time", "late", "unknown", "proc_ms", "received_direct", "received_online", "received_postal")
SELECT "r"."grain", "above"."code", "r"."bucket_start", sum("r"."very_satisfied")::int, sum("r"."satisfied")::int, sum("r"."unsatisfied")::int, sum("r"."early")::int, sum("r"."on_time")::int, sum("r"."late")::int, sum("r"."unknown")::int, sum("r"."proc_ms")::bigint, sum("r"."received_direct")::int, sum("r"."received_online")::int, sum("r"."received_postal")::int
FROM "rollups" "r" JOIN "above" ON "above"."commune" = "r"."unit_code"
GROUP BY 1, 2, 3;
--> statement-breakpoint
WITH RECURSIVE "above" ("commune", "code", "depth") AS (
  SELECT "code", "parent_code", 1 FROM "units" WHERE "parent_code" IS NOT NULL
  UNION ALL
  SELECT "above"."commune", "p"."parent_code", "above"."depth" + 1
  FROM "above" JOIN "units" "p" ON "p"."code" = "above"."code"
  WHERE "p"."parent_code" IS NOT NULL AND "above"."depth" < 10
)
INSERT INTO "unit_rollups" ("grain", "unit_code", "bucket_start", "fee_reported", "fee_bearing", "fee_paid_online", "digitised_reported", "inputs_digitised", "reuse_reported", "reused_data", "store_reported", "citizen_store", "population_reported", "population_data", "e_result_reported", "e_result", "digitisation_reported", "fully_digitised", "on_time_complained", "petitions_received", "petitions_handled", "petitions_handled_on_time", "petitions_closed", "petitions_unsatisfied")
SELECT "r"."grain", "above"."code", "r"."bucket_start", sum("r"."fee_reported")::int, sum("r"."fee_bearing")::int, sum("r"."fee_paid_online")::int, sum("r"."digitised_reported")::int, sum("r"."inputs_digitised")::int, sum("r"."reuse_reported")::int, sum("r"."reused_data")::int, sum("r"."store_reported")::int, sum("r"."citizen_store")::int, sum("r"."population_reported")::int, sum("r"."population_data")::int, sum("r"."e_result_reported")::int, sum("r"."e_result")::int, sum("r"."digitisation_reported")::int, sum("r"."fully_digitised")::int, sum("r"."on_time_complained")::int, sum("r"."petitions_received")::int, sum("r"."petitions_handled")::int, sum("r"."petitions_handled_on_time")::int, sum("r"."petitions_closed")::int, sum("r"."petitions_unsatisfied")::int
FROM "rollups_766" "r" JOIN "above" ON "above"."commune" = "r"."unit_code"
GROUP BY 1, 2, 3
ON CONFLICT ("grain", "unit_code", "bucket_start") DO UPDATE SET "fee_reported" = excluded."fee_reported", "fee_bearing" = excluded."fee_bearing", "fee_paid_online" = excluded."fee_paid_online", "digitised_reported" = excluded."digitised_reported", "inputs_digitised" = excluded."inputs_digitised", "reuse_reported" = excluded."reuse_reported", "reused_data" = excluded."reused_data", "store_reported" = excluded."store_reported", "citizen_store" = excluded."citizen_store", "population_reported" = excluded."population_reported", "population_data" = excluded."population_data", "e_result_reported" = excluded."e_result_reported", "e_result" = excluded."e_result", "digitisation_reported" = excluded."digitisation_reported", "fully_digitised" = excluded."fully_digitised", "on_time_complained" = excluded."on_time_complained", "petitions_received" = excluded."petitions_received", "petitions_handled" = excluded."petitions_handled", "petitions_handled_on_time" = excluded."petitions_handled_on_time", "petitions_closed" = excluded."petitions_closed", "petitions_unsatisfied" = excluded."petitions_unsatisfied";
