CREATE TABLE "annotations" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_code" text NOT NULL,
	"starts_at" bigint NOT NULL,
	"ends_at" bigint,
	"text" text NOT NULL,
	"author" text NOT NULL,
	"author_viewer" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "procedure_rollups" (
	"grain" text NOT NULL,
	"unit_code" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"procedure_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"late" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"fee_reported" integer DEFAULT 0 NOT NULL,
	"fee_bearing" integer DEFAULT 0 NOT NULL,
	"fee_paid_online" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "procedure_rollups_grain_unit_code_bucket_start_procedure_code_desk_code_pk" PRIMARY KEY("grain","unit_code","bucket_start","procedure_code","desk_code")
);
--> statement-breakpoint
CREATE TABLE "procedures" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"unit_code" text NOT NULL,
	"figure" text NOT NULL,
	"value" double precision NOT NULL,
	"set_by" text NOT NULL,
	"set_by_viewer" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "targets_unit_code_figure_pk" PRIMARY KEY("unit_code","figure")
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "procedure_code" text;--> statement-breakpoint
CREATE INDEX "annotations_unit_idx" ON "annotations" USING btree ("unit_code","starts_at");