-- `events` partitioned by local month (issue 18, docs/scaling.md "History in monthly partitions").
-- A month of the whole country is ~4.3 M events: as partitions, an old month is detached,
-- exported and dropped at once (`motcua events archive`) instead of a DELETE plus vacuum over a
-- table larger than memory. drizzle cannot declare partitioning: this migration is written by
-- hand; its snapshot (meta/0012_snapshot.json) is what drizzle-kit generated for the schema.
--
-- The table is rebuilt: renamed aside, the partitioned table created under its name, the rows
-- of every month moved over, the old heap dropped.
ALTER TABLE "events" RENAME TO "events_heap";
--> statement-breakpoint
ALTER TABLE "events_heap" RENAME CONSTRAINT "events_source_id_pk" TO "events_heap_pk";
--> statement-breakpoint
ALTER INDEX "events_ratings_idx" RENAME TO "events_heap_ratings_idx";
--> statement-breakpoint
-- A unique key of a partitioned table must contain the partition column, so (source, id) alone
-- cannot be one on `events`: the idempotency key lives in this unpartitioned table, which the
-- write path inserts into first (on conflict do nothing decides what is a duplicate).
CREATE TABLE "event_ids" (
	"source" text NOT NULL,
	"id" text NOT NULL,
	CONSTRAINT "event_ids_source_id_pk" PRIMARY KEY("source","id")
);
--> statement-breakpoint
INSERT INTO "event_ids" ("source", "id") SELECT "source", "id" FROM "events_heap";
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
	CONSTRAINT "events_source_id_time_pk" PRIMARY KEY("source","id","time")
) PARTITION BY RANGE ("time");
--> statement-breakpoint
CREATE INDEX "events_ratings_idx" ON "events" USING btree ("unit_code","time") WHERE "events"."type" = 'vn.motcua.rating.submitted';
--> statement-breakpoint
-- The one definition of a month partition: `events_YYYY_MM` holds the local (UTC+7, the
-- metrics' TZ_OFFSET_MS; Việt Nam keeps no daylight saving) month containing the date `month`,
-- from the local midnight of its 1st to that of the next month's 1st. Creates it unless it is
-- there; returns its name. A table of that name that is not a partition of `events` (an archive
-- stopped between detach and drop) is an error, not something to write into. There is no
-- default partition: a row of a month without its partition fails loudly (the write path makes
-- the months it needs first, packages/db/src/event-months.ts).
CREATE FUNCTION "motcua_event_month"(month date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	first date := date_trunc('month', month)::date;
	name text := 'events_' || to_char(first, 'YYYY_MM');
	attached boolean;
BEGIN
	FOR attempt IN 1..2 LOOP
		SELECT i.inhparent = 'events'::regclass INTO attached
		FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
		WHERE c.relname = name AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'events'::regclass);
		IF attached THEN RETURN name;
		ELSIF FOUND THEN
			RAISE EXCEPTION 'table % exists but is not a partition of events (an archive stopped between detach and drop?): finish it with motcua events archive', name;
		END IF;
		-- Two processes creating the same month: the second waits here, then finds it.
		IF attempt = 1 THEN PERFORM pg_advisory_xact_lock(727002); END IF;
	END LOOP;
	EXECUTE format('CREATE TABLE %I PARTITION OF "events" FOR VALUES FROM (%L) TO (%L)', name,
		(first::timestamp - interval '7 hours') AT TIME ZONE 'UTC',
		((first + interval '1 month')::timestamp - interval '7 hours') AT TIME ZONE 'UTC');
	RETURN name;
END $$;
--> statement-breakpoint
SELECT "motcua_event_month"(m) FROM (
	SELECT DISTINCT date_trunc('month', "time" AT TIME ZONE 'UTC' + interval '7 hours')::date AS m FROM "events_heap"
) months;
--> statement-breakpoint
INSERT INTO "events" ("source", "id", "type", "time", "unit_code", "desk_code", "dossier_code", "data", "attributes", "stored_at")
SELECT "source", "id", "type", "time", "unit_code", "desk_code", "dossier_code", "data", "attributes", "stored_at" FROM "events_heap";
--> statement-breakpoint
DROP TABLE "events_heap";
