CREATE TABLE "desk_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"unit_code" text NOT NULL,
	"desk_code" text,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "desk_keys_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"hash" text PRIMARY KEY NOT NULL,
	"viewer_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "viewers" (
	"id" serial PRIMARY KEY NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"role" text NOT NULL,
	"unit_code" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "viewers_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "dossiers" (
	"unit_code" text NOT NULL,
	"dossier_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"received_at" bigint,
	"due_at" bigint,
	"channel" text,
	"supplement_requests" integer DEFAULT 0 NOT NULL,
	"rescheduled" boolean DEFAULT false NOT NULL,
	"paused_ms" bigint DEFAULT 0 NOT NULL,
	"pending_since" bigint,
	"finished_at" bigint,
	"outcome" text,
	"processing_ms" bigint,
	"history" jsonb NOT NULL,
	CONSTRAINT "dossiers_unit_code_dossier_code_pk" PRIMARY KEY("unit_code","dossier_code")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"source" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"unit_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"dossier_code" text,
	"data" jsonb NOT NULL,
	"attributes" jsonb,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_source_id_pk" PRIMARY KEY("source","id")
);
--> statement-breakpoint
CREATE TABLE "rollups" (
	"grain" text NOT NULL,
	"unit_code" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"desk_code" text NOT NULL,
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
	CONSTRAINT "rollups_grain_unit_code_bucket_start_desk_code_pk" PRIMARY KEY("grain","unit_code","bucket_start","desk_code")
);
--> statement-breakpoint
CREATE TABLE "desks" (
	"unit_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "desks_unit_code_desk_code_pk" PRIMARY KEY("unit_code","desk_code")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent_code" text,
	"tree" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dossiers_open_idx" ON "dossiers" USING btree ("unit_code","desk_code") WHERE "dossiers"."finished_at" is null and "dossiers"."due_at" is not null;--> statement-breakpoint
CREATE INDEX "events_ratings_idx" ON "events" USING btree ("unit_code","time") WHERE "events"."type" = 'vn.motcua.rating.submitted';--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent_code");