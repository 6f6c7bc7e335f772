-- Schema version 12: how far each history file has been imported (sentiment backfill), so that an import
-- stopped at any point resumes after the last chunk it finished, and a finished file is not read again.
CREATE TABLE IF NOT EXISTS backfill_progress (
    file_sha256 VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    rows_done BIGINT NOT NULL,
    skipped JSON NOT NULL,
    finished BOOLEAN NOT NULL,
    run_id VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (file_sha256, source)
);
COMMENT ON TABLE backfill_progress IS 'History imports (sentiment backfill): per file and source, how many of its readable rows are stored and scored, so a stopped import resumes after its last finished chunk.';
COMMENT ON COLUMN backfill_progress.file_sha256 IS 'sha256 of the file''s bytes: the same export under another name is the same import; a changed file is a new one.';
COMMENT ON COLUMN backfill_progress.source IS 'The configured file source whose options (columns, brand, formats) read it.';
COMMENT ON COLUMN backfill_progress.path IS 'The path the file was last imported from (for people; the key is the content).';
COMMENT ON COLUMN backfill_progress.rows_done IS 'Readable rows, in file order, whose mentions are stored and scored: a resumed import starts after them.';
COMMENT ON COLUMN backfill_progress.skipped IS 'Rows skipped so far and why (empty_text, bad_date, bad_row ...), as a JSON object of counts.';
COMMENT ON COLUMN backfill_progress.finished IS 'True once every row of the file is stored and scored.';
COMMENT ON COLUMN backfill_progress.run_id IS 'The backfill run (runs.id) that last advanced it.';
COMMENT ON COLUMN backfill_progress.updated_at IS 'When the last chunk was committed (UTC).';
