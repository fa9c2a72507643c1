-- Months before the year 1 get their own names (issue 18). 0012 named a month
-- `events_` || to_char(first, 'YYYY_MM'), which is the same for January 1 BC and January AD 1:
-- the contract has no lower bound on an event's time (year 0000, i.e. 1 BC, is accepted and
-- stored at its instant), so the second of the two would have been taken for the first and its
-- rows refused. Those months are now `events_bcYYYY_MM`; every other name is unchanged.
CREATE OR REPLACE FUNCTION "motcua_event_month"(month date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	first date := date_trunc('month', month)::date;
	name text := 'events_' || CASE WHEN first < date '0001-01-01' THEN 'bc' ELSE '' END || to_char(first, 'YYYY_MM');
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
