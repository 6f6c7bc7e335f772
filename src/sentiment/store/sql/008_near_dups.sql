-- Schema version 8: near-duplicate linking (sentiment.text.near_dups).
-- The MinHash signature of each first copy long enough to have one (64 uint32 values, 256 bytes), and its
-- locality-sensitive band keys (brand hashed in), so a slightly edited copy is found on a later night.
-- A linked copy is a mention with duplicate_of set, as exact copies are; it has no rows here.
CREATE TABLE IF NOT EXISTS minhash_signatures (
    mention_id VARCHAR PRIMARY KEY,
    brand VARCHAR,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS minhash_bands (
    band BIGINT NOT NULL,
    mention_id VARCHAR NOT NULL
);
CREATE INDEX IF NOT EXISTS minhash_bands_band ON minhash_bands (band);
