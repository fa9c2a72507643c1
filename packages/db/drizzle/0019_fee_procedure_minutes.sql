-- 3.5b's facts per minute too (issue 18): `fee_procedures` kept hours and days only, and a unit's
-- window read the minutes at its edges from every commune's `procedure_rollups` rows; for the
-- nation (3,321 communes) at an asOf inside an hour that read took 151 ms, against 13 ms at a
-- whole hour (docs/scaling.md). The write path now keeps minute rows for each commune and every
-- unit above it, like the hour rows, and a unit's window reads only its own rows. The minutes
-- stored so far are summed here from `procedure_rollups`: over desks for a commune, and into
-- every unit above it as `units` holds the tree now.
WITH RECURSIVE "chain" ("commune", "code", "depth") AS (
  SELECT "code", "code", 0 FROM "units" WHERE "level" = 'commune'
  UNION ALL
  SELECT "chain"."commune", "u"."parent_code", "chain"."depth" + 1
  FROM "chain" JOIN "units" "u" ON "u"."code" = "chain"."code"
  WHERE "u"."parent_code" IS NOT NULL AND "chain"."depth" < 10
)
INSERT INTO "fee_procedures" ("grain", "unit_code", "bucket_start", "procedure_code", "fee_bearing", "paid_online")
SELECT 'm', "chain"."code", "p"."bucket_start", "p"."procedure_code", sum("p"."fee_bearing")::int,
  sum("p"."fee_paid_online")::int
FROM "procedure_rollups" "p" JOIN "chain" ON "chain"."commune" = "p"."unit_code"
WHERE "p"."grain" = 'm' AND "p"."procedure_code" <> '' AND ("p"."fee_bearing" <> 0 OR "p"."fee_paid_online" <> 0)
GROUP BY 2, 3, 4;
