-- Schema version 14: the emerging-theme rule's sentence vectors, kept from one night to the next. The rule
-- reads the complaints of the last 35 days that fit no topic (theme_days 7 and the 28 before); they are
-- mostly the same each night, and embedding them all again was nearly half of a quiet night's time
-- after 10,000 mentions, in a profile.
CREATE TABLE IF NOT EXISTS theme_vectors (
    text_sha256 VARCHAR NOT NULL,
    encoder VARCHAR NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (text_sha256, encoder)
);
COMMENT ON TABLE theme_vectors IS 'Sentence vectors of the texts the emerging-theme rule read on its last night (a cache: only that night''s texts are kept, and any row may be dropped).';
COMMENT ON COLUMN theme_vectors.text_sha256 IS 'sha256 of the text as embedded, its e5 prefix included.';
COMMENT ON COLUMN theme_vectors.encoder IS 'The sentence encoder''s directory name, which carries its weights'' hash: another encoder never reads these vectors.';
COMMENT ON COLUMN theme_vectors.vector IS 'The L2-normalised embedding, float32 little-endian.';
