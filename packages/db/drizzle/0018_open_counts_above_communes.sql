-- Open dossiers counted for every unit above a commune too (issue 18), kept by the write path
-- from here on (`OpenCountDeltas.addToUnitsAbove` in packages/db/src/open-counts.ts): one row per
-- unit (desk '') in `open_dossier_counts`, one per unit and deadline hour in
-- `open_dossier_deadlines`, beside the communes' own. A district's, province's or the nation's
-- open counts are then a handful of rows (the nation's ~3,500 deadline rows per province
-- instead of ~39,000 per commune). The rows stored so far are the communes' own: each summed
-- into every unit above it, as `units` holds the tree now.
WITH RECURSIVE "above" ("commune", "code", "depth") AS (
  SELECT "code", "parent_code", 1 FROM "units" WHERE "parent_code" IS NOT NULL
  UNION ALL
  SELECT "above"."commune", "p"."parent_code", "above"."depth" + 1
  FROM "above" JOIN "units" "p" ON "p"."code" = "above"."code"
  WHERE "p"."parent_code" IS NOT NULL AND "above"."depth" < 10
)
INSERT INTO "open_dossier_counts" ("unit_code", "desk_code", "total", "overdue", "due_soon", "due_in_48h", "waiting_supplement")
SELECT "above"."code", '', sum("c"."total")::int, sum("c"."overdue")::int, sum("c"."due_soon")::int,
  sum("c"."due_in_48h")::int, sum("c"."waiting_supplement")::int
FROM "open_dossier_counts" "c" JOIN "above" ON "above"."commune" = "c"."unit_code"
GROUP BY 1;
--> statement-breakpoint
WITH RECURSIVE "above" ("commune", "code", "depth") AS (
  SELECT "code", "parent_code", 1 FROM "units" WHERE "parent_code" IS NOT NULL
  UNION ALL
  SELECT "above"."commune", "p"."parent_code", "above"."depth" + 1
  FROM "above" JOIN "units" "p" ON "p"."code" = "above"."code"
  WHERE "p"."parent_code" IS NOT NULL AND "above"."depth" < 10
)
INSERT INTO "open_dossier_deadlines" ("unit_code", "deadline_hour", "total")
SELECT "above"."code", "d"."deadline_hour", sum("d"."total")::int
FROM "open_dossier_deadlines" "d" JOIN "above" ON "above"."commune" = "d"."unit_code"
GROUP BY 1, 2;
