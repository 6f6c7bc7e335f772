-- Schema version 3: the source's id of the item a mention answers (a comment's parent), for threads.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS parent_id VARCHAR;
