-- Open-dossier counts read only index columns: make the partial index covering (index-only scan).
DROP INDEX IF EXISTS "dossiers_open_idx";--> statement-breakpoint
CREATE INDEX "dossiers_open_idx" ON "dossiers" USING btree ("unit_code","desk_code") INCLUDE ("due_at","paused_ms","pending_since","supplement_requests","rescheduled") WHERE "dossiers"."finished_at" is null and "dossiers"."due_at" is not null;
