CREATE TABLE "rollups_766" (
	"grain" text NOT NULL,
	"unit_code" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"desk_code" text NOT NULL,
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
	CONSTRAINT "rollups_766_grain_unit_code_bucket_start_desk_code_pk" PRIMARY KEY("grain","unit_code","bucket_start","desk_code")
);
--> statement-breakpoint
-- Move the v1.1 counters already kept (rows where one of them moved) before dropping them from rollups.
INSERT INTO "rollups_766" ("grain", "unit_code", "bucket_start", "desk_code", "fee_reported", "fee_bearing", "fee_paid_online", "digitised_reported", "inputs_digitised", "reuse_reported", "reused_data", "store_reported", "citizen_store", "population_reported", "population_data", "e_result_reported", "e_result", "digitisation_reported", "fully_digitised", "on_time_complained", "petitions_received", "petitions_handled", "petitions_handled_on_time", "petitions_closed", "petitions_unsatisfied")
SELECT "grain", "unit_code", "bucket_start", "desk_code", "fee_reported", "fee_bearing", "fee_paid_online", "digitised_reported", "inputs_digitised", "reuse_reported", "reused_data", "store_reported", "citizen_store", "population_reported", "population_data", "e_result_reported", "e_result", "digitisation_reported", "fully_digitised", "on_time_complained", "petitions_received", "petitions_handled", "petitions_handled_on_time", "petitions_closed", "petitions_unsatisfied" FROM "rollups"
WHERE "fee_reported" <> 0 OR "fee_bearing" <> 0 OR "fee_paid_online" <> 0 OR "digitised_reported" <> 0 OR "inputs_digitised" <> 0 OR "reuse_reported" <> 0 OR "reused_data" <> 0 OR "store_reported" <> 0 OR "citizen_store" <> 0 OR "population_reported" <> 0 OR "population_data" <> 0 OR "e_result_reported" <> 0 OR "e_result" <> 0 OR "digitisation_reported" <> 0 OR "fully_digitised" <> 0 OR "on_time_complained" <> 0 OR "petitions_received" <> 0 OR "petitions_handled" <> 0 OR "petitions_handled_on_time" <> 0 OR "petitions_closed" <> 0 OR "petitions_unsatisfied" <> 0;--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "fee_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "fee_bearing";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "fee_paid_online";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "digitised_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "inputs_digitised";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "reuse_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "reused_data";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "store_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "citizen_store";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "population_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "population_data";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "e_result_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "e_result";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "digitisation_reported";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "fully_digitised";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "on_time_complained";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "petitions_received";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "petitions_handled";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "petitions_handled_on_time";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "petitions_closed";--> statement-breakpoint
ALTER TABLE "rollups" DROP COLUMN "petitions_unsatisfied";