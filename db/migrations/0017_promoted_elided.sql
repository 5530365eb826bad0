-- Promoted keys stored once (lib/trace/elided-attributes.ts): ingest leaves out of `attributes` the keys
-- whose typed columns give them back exactly, and sets their bits here. Rows stored before keep every key (0).
-- A constant default: no table rewrite, on every day partition.
ALTER TABLE "spans" ADD COLUMN "promoted_elided" smallint DEFAULT 0 NOT NULL;
