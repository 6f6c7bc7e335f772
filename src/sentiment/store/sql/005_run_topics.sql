-- Schema version 5: how many topic rows (mention_topics) each run added.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS topics INTEGER DEFAULT 0;
