CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"actor_role" text,
	"actor_unit" text,
	"action" text NOT NULL,
	"subject" text,
	"unit_code" text,
	"detail" jsonb,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "kiosks" (
	"id" serial PRIMARY KEY NOT NULL,
	"desk_key_id" integer NOT NULL,
	"label" text NOT NULL,
	"desk_code" text NOT NULL,
	"min_interval_seconds" integer NOT NULL,
	"pairing_hash" text NOT NULL,
	"pairing_expires_at" timestamp with time zone NOT NULL,
	"paired_at" timestamp with time zone,
	"token_prefix" text,
	"token_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "kiosks_pairing_hash_unique" UNIQUE("pairing_hash"),
	CONSTRAINT "kiosks_token_prefix_unique" UNIQUE("token_prefix")
);
--> statement-breakpoint
ALTER TABLE "desk_keys" ADD COLUMN "last_used_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "audit_log_unit_at" ON "audit_log" USING btree ("unit_code","at");--> statement-breakpoint
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
