CREATE TABLE "petitions" (
	"unit_code" text NOT NULL,
	"petition_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"received_at" bigint,
	"category" text,
	"dossier_code" text,
	"due_at" bigint,
	"handled_at" bigint,
	"handled_on_time" boolean,
	"closed_at" bigint,
	"likes" integer DEFAULT 0 NOT NULL,
	"dislikes" integer DEFAULT 0 NOT NULL,
	"repeated" boolean DEFAULT false NOT NULL,
	"history" jsonb NOT NULL,
	CONSTRAINT "petitions_unit_code_petition_code_pk" PRIMARY KEY("unit_code","petition_code")
);
--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "fee_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "fee_bearing" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "fee_paid_online" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "digitised_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "inputs_digitised" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "reuse_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "reused_data" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "store_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "citizen_store" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "population_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "population_data" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "e_result_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "e_result" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "digitisation_reported" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "fully_digitised" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "on_time_complained" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "petitions_received" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "petitions_handled" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "petitions_handled_on_time" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "petitions_closed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollups" ADD COLUMN "petitions_unsatisfied" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "petitions_open_idx" ON "petitions" USING btree ("unit_code","desk_code","due_at") WHERE "petitions"."handled_at" is null and "petitions"."due_at" is not null;