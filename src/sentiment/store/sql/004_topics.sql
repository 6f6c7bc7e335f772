-- Schema version 4: topics per mention with aspect sentiment (the sentences that carry the topic).
-- Keyed by the sentiment model version that read the sentences and by the topic set (taxonomy +
-- calibration), so a new model or taxonomy adds rows next to the old ones instead of overwriting them.
CREATE TABLE IF NOT EXISTS mention_topics (
    mention_id     VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,
    model_version  VARCHAR NOT NULL,
    topic_set      VARCHAR NOT NULL,
    topic          VARCHAR NOT NULL,          -- a taxonomy topic id, or 'other'
    confidence     DOUBLE NOT NULL,
    label          VARCHAR NOT NULL,          -- aspect sentiment: negative | neutral | positive
    score          DOUBLE NOT NULL,           -- p_positive - p_negative of the carrying sentences
    assigned_at    TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR,
    PRIMARY KEY (mention_id, model_id, model_version, topic_set, topic)
);

-- Topic rows of the active model version and of the newest topic set it was run with.
CREATE OR REPLACE VIEW active_topics AS
WITH current_set AS (
    SELECT t.model_id, t.model_version, arg_max(t.topic_set, t.assigned_at) AS topic_set
    FROM mention_topics t JOIN models m
      ON m.model_id = t.model_id AND m.model_version = t.model_version AND m.active
    GROUP BY ALL
)
SELECT t.* FROM mention_topics t JOIN current_set c USING (model_id, model_version, topic_set);

-- Aspect sentiment per day, brand, location, source and topic.
CREATE OR REPLACE VIEW daily_topic_sentiment AS
SELECT
    mt.published_date AS day, mt.brand, mt.location, mt.source, t.topic,
    count(*) AS mentions,
    avg(t.score) AS mean_score,
    avg(CASE WHEN t.label = 'negative' THEN 1.0 ELSE 0.0 END) AS share_negative,
    avg(CASE WHEN t.label = 'positive' THEN 1.0 ELSE 0.0 END) AS share_positive
FROM active_topics t
JOIN mentions mt ON mt.id = t.mention_id AND mt.duplicate_of IS NULL
WHERE mt.published_date IS NOT NULL
GROUP BY ALL;
