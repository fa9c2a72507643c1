-- `events` without a key of its own (issue 18). Since 0012 the ids are unique in `event_ids`,
-- which every write inserts into first; the key `(source, id, time)` that 0012 also gave
-- `events` was a second index on random ids to maintain per event (measured in
-- docs/scaling.md, "History in monthly partitions"). Archive and restore do without it.
ALTER TABLE "events" DROP CONSTRAINT "events_source_id_time_pk";
