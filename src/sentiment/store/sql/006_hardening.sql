-- Schema version 6: what a crash or a cap leaves, on the record.
-- runs.status gains 'interrupted' (the process ended before the run did: closed by the next run with the
-- counts of the rows it had written); runs.error says why a run failed or was interrupted.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS error VARCHAR;
-- A mention whose text was cut to text.max_chars characters when it was stored.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS truncated BOOLEAN DEFAULT false;
-- A score the model made from the first model.max_tokens tokens only (or the HF model's own window).
ALTER TABLE scores ADD COLUMN IF NOT EXISTS truncated BOOLEAN DEFAULT false;
