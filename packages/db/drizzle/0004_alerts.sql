CREATE TABLE "alert_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alert_id" integer NOT NULL,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"level" text NOT NULL,
	"actor" text,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"unit_code" text NOT NULL,
	"rule" text NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "alert_rules_unit_code_rule_pk" PRIMARY KEY("unit_code","rule")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"rule" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject" text NOT NULL,
	"unit_code" text NOT NULL,
	"desk_code" text,
	"level" text NOT NULL,
	"state" text NOT NULL,
	"opened_at" bigint NOT NULL,
	"escalated_at" bigint,
	"acknowledged_at" bigint,
	"acknowledged_by" text,
	"acknowledged_comment" text,
	"resolved_at" bigint,
	"closed_at" bigint,
	"closed_by" text,
	"updated_at" bigint NOT NULL,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "desk_health" (
	"unit_code" text NOT NULL,
	"desk_code" text NOT NULL,
	"last_event_at" bigint NOT NULL,
	"last_received_at" bigint NOT NULL,
	"batch_oldest_at" bigint NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "desk_health_unit_code_desk_code_pk" PRIMARY KEY("unit_code","desk_code")
);
--> statement-breakpoint
CREATE TABLE "email_recipients" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_code" text NOT NULL,
	"address" text NOT NULL,
	"min_level" text NOT NULL,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"subscription_id" integer NOT NULL,
	"alert_event_id" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"delivered_at" bigint,
	"last_status" integer,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_code" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"min_level" text NOT NULL,
	"give_up_after_ms" bigint NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_events_alert_idx" ON "alert_events" USING btree ("alert_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_live_idx" ON "alerts" USING btree ("rule","unit_code","subject") WHERE "alerts"."state" in ('open', 'acknowledged');--> statement-breakpoint
CREATE INDEX "alerts_unit_idx" ON "alerts" USING btree ("unit_code","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "email_recipients_unit_address_idx" ON "email_recipients" USING btree ("unit_code","address");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at") WHERE "webhook_deliveries"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_subscription_idx" ON "webhook_deliveries" USING btree ("subscription_id","created_at");