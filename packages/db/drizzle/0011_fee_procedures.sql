CREATE TABLE "fee_procedures" (
	"grain" text NOT NULL,
	"unit_code" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"procedure_code" text NOT NULL,
	"fee_bearing" integer DEFAULT 0 NOT NULL,
	"paid_online" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "fee_procedures_grain_unit_code_bucket_start_procedure_code_pk" PRIMARY KEY("grain","unit_code","bucket_start","procedure_code")
);
--> statement-breakpoint
-- Filled from procedure_rollups' hour and day rows (day rows per commune since 0010), for each
-- commune and every unit above it (up to three levels: district, city; or province, nation).
INSERT INTO "fee_procedures" (grain, unit_code, bucket_start, procedure_code, fee_bearing, paid_online)
SELECT p.grain, a.code, p.bucket_start, p.procedure_code, sum(p.fee_bearing), sum(p.fee_paid_online)
FROM procedure_rollups p
JOIN units c ON c.code = p.unit_code
LEFT JOIN units d ON d.code = c.parent_code
LEFT JOIN units e ON e.code = d.parent_code
LEFT JOIN units f ON f.code = e.parent_code
CROSS JOIN LATERAL (VALUES (c.code), (d.code), (e.code), (f.code)) AS a (code)
WHERE p.grain IN ('h', 'd') AND p.procedure_code <> '' AND (p.fee_bearing <> 0 OR p.fee_paid_online <> 0)
  AND a.code IS NOT NULL
GROUP BY 1, 2, 3, 4;
