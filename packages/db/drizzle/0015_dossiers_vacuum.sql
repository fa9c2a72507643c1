-- Vacuum `dossiers` every 2,000 dead rows instead of at a fifth of the table (issue 18). Every
-- event rewrites its dossier's row, and the open-dossier counts read the partial indexes of
-- open dossiers (0001, 0008): a few thousand live entries, but each rewrite leaves a dead one
-- behind until a vacuum. At the default a city's table of millions of rows waits for hundreds
-- of thousands of dead rows, and those indexes grow pages that a later vacuum empties but
-- does not give back, which the snapshot then reads. PGlite takes the setting and has no
-- autovacuum: nothing changes there.
ALTER TABLE "dossiers" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_analyze_scale_factor = 0.02);
