-- Views for analysts. They read the active model's scores and skip duplicate copies.

CREATE OR REPLACE VIEW active_scores AS
SELECT s.*
FROM scores s
JOIN models m ON m.model_id = s.model_id AND m.model_version = s.model_version AND m.active;

-- One row per original mention with its active-model score (NULL when not scored yet).
CREATE OR REPLACE VIEW scored_mentions AS
SELECT
    mt.id, mt.source, mt.brand, mt.location, mt.url, mt.title, mt.text, mt.lang, mt.published_at,
    mt.published_date, mt.rating, s.label, s.score, s.p_negative, s.p_neutral, s.p_positive,
    s.model_id, s.model_version
FROM mentions mt
LEFT JOIN active_scores s ON s.mention_id = mt.id
WHERE mt.duplicate_of IS NULL;

-- Sentiment per day, brand, location and source.
CREATE OR REPLACE VIEW daily_sentiment AS
SELECT
    published_date                          AS day,
    brand,
    location,
    source,
    count(*)                                AS mentions,
    avg(score)                              AS mean_score,
    avg(CASE WHEN label = 'negative' THEN 1.0 ELSE 0.0 END) AS share_negative,
    avg(CASE WHEN label = 'positive' THEN 1.0 ELSE 0.0 END) AS share_positive,
    avg(rating)                             AS mean_rating,
    count(rating)                           AS rated
FROM scored_mentions
WHERE score IS NOT NULL AND published_date IS NOT NULL
GROUP BY ALL;

-- Sentiment per day and brand (all sources and locations together).
CREATE OR REPLACE VIEW daily_brand_sentiment AS
SELECT
    published_date AS day, brand, count(*) AS mentions, avg(score) AS mean_score,
    avg(CASE WHEN label = 'negative' THEN 1.0 ELSE 0.0 END) AS share_negative,
    avg(CASE WHEN label = 'positive' THEN 1.0 ELSE 0.0 END) AS share_positive,
    avg(rating) AS mean_rating
FROM scored_mentions
WHERE score IS NOT NULL AND published_date IS NOT NULL
GROUP BY ALL;

-- Per location: the last 7 and the previous 28 days (relative to the newest day in the data).
CREATE OR REPLACE VIEW location_health AS
WITH latest AS (SELECT max(published_date) AS d FROM scored_mentions WHERE score IS NOT NULL)
SELECT
    brand,
    location,
    count(*) FILTER (WHERE published_date > latest.d - 7)                      AS mentions_7d,
    avg(score) FILTER (WHERE published_date > latest.d - 7)                    AS mean_score_7d,
    avg(score) FILTER (WHERE published_date <= latest.d - 7
                         AND published_date > latest.d - 35)                   AS mean_score_prev_28d,
    avg(rating) FILTER (WHERE published_date > latest.d - 7)                   AS mean_rating_7d,
    avg(CASE WHEN label = 'negative' THEN 1.0 ELSE 0.0 END)
        FILTER (WHERE published_date > latest.d - 7)                           AS share_negative_7d
FROM scored_mentions, latest
WHERE location IS NOT NULL AND score IS NOT NULL
GROUP BY ALL;
