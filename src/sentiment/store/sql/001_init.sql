-- Schema version 1: the tables every run writes and analysts read.
-- Times are TIMESTAMPTZ (UTC instants); `published_date` is the local day in the monitor's time zone.

CREATE TABLE IF NOT EXISTS mentions (
    id              VARCHAR PRIMARY KEY,      -- sha256(source, source_item_id)[:24]
    source          VARCHAR NOT NULL,         -- configured source name
    source_item_id  VARCHAR NOT NULL,         -- the source's own id for the item
    brand           VARCHAR,
    location        VARCHAR,                  -- NULL: counts for the brand only
    url             VARCHAR,
    title           VARCHAR,
    text            VARCHAR NOT NULL,
    lang            VARCHAR,                  -- identified from the text, ISO 639-1 or 'und'
    platform_lang   VARCHAR,                  -- what the platform claimed (not trusted)
    author_hash     VARCHAR,                  -- salted sha256 of the author name; names are never stored
    published_at    TIMESTAMPTZ,
    published_date  DATE,                     -- local day in the monitor's time zone
    rating          DOUBLE,                   -- star rating normalised to 1..5
    content_hash    VARCHAR NOT NULL,         -- of the normalised text, for exact-duplicate links
    duplicate_of    VARCHAR,                  -- id of the first copy, NULL for originals
    first_run_id    VARCHAR,
    fetched_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS scores (
    mention_id     VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,
    model_version  VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,          -- negative | neutral | positive
    p_negative     DOUBLE NOT NULL,
    p_neutral      DOUBLE NOT NULL,
    p_positive     DOUBLE NOT NULL,
    score          DOUBLE NOT NULL,           -- p_positive - p_negative, in [-1, 1]
    scored_at      TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR,
    PRIMARY KEY (mention_id, model_id, model_version)
);

-- Which model version the views read; one row is active. A new model rescored keeps old rows.
CREATE TABLE IF NOT EXISTS models (
    model_id       VARCHAR NOT NULL,
    model_version  VARCHAR NOT NULL,
    active         BOOLEAN NOT NULL,
    registered_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model_id, model_version)
);

CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR PRIMARY KEY,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,         -- running | ok | partial | failed
    as_of           DATE,
    config_sha256   VARCHAR,
    fetched         INTEGER DEFAULT 0,        -- mentions the sources returned
    new_mentions    INTEGER DEFAULT 0,        -- of those, not stored before
    duplicates      INTEGER DEFAULT 0,        -- new mentions linked to an earlier copy
    scored          INTEGER DEFAULT 0,
    alerts          INTEGER DEFAULT 0,
    notifications   INTEGER DEFAULT 0,
    sources_ok      INTEGER DEFAULT 0,
    sources_failed  INTEGER DEFAULT 0,
    skipped         JSON                      -- {reason: count} over all sources
);

CREATE TABLE IF NOT EXISTS source_runs (
    run_id     VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    status     VARCHAR NOT NULL,              -- ok | failed
    pages      INTEGER NOT NULL,
    fetched    INTEGER NOT NULL,
    new_mentions INTEGER NOT NULL,
    skipped    JSON,
    error      VARCHAR,
    PRIMARY KEY (run_id, source)
);

CREATE TABLE IF NOT EXISTS source_state (
    source      VARCHAR PRIMARY KEY,
    cursor      JSON,                          -- kind-specific: newest item seen, ETag, Last-Modified
    updated_at  TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR
);

CREATE TABLE IF NOT EXISTS alerts (
    id              VARCHAR PRIMARY KEY,       -- deterministic: rule, scope, brand, location, window
    rule            VARCHAR NOT NULL,
    scope           VARCHAR NOT NULL,          -- brand | location
    brand           VARCHAR NOT NULL,
    location        VARCHAR,
    as_of           DATE NOT NULL,
    recent_start    DATE NOT NULL,
    recent_end      DATE NOT NULL,
    baseline_start  DATE NOT NULL,
    baseline_end    DATE NOT NULL,
    n_recent        INTEGER NOT NULL,
    n_baseline      INTEGER NOT NULL,
    recent_mean     DOUBLE NOT NULL,
    baseline_mean   DOUBLE NOT NULL,
    effect          DOUBLE NOT NULL,           -- baseline_mean - recent_mean (a drop is positive)
    p_value         DOUBLE NOT NULL,
    message         VARCHAR NOT NULL,
    details         JSON,
    model_id        VARCHAR,
    model_version   VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR
);

-- One row per alert and channel once sent: an alert is never sent twice to the same channel.
CREATE TABLE IF NOT EXISTS notifications (
    alert_id   VARCHAR NOT NULL,
    channel    VARCHAR NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL,
    status     INTEGER,                        -- HTTP status the channel answered
    run_id     VARCHAR,
    PRIMARY KEY (alert_id, channel)
);

CREATE TABLE IF NOT EXISTS settings (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);
