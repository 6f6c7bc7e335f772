-- Schema version 13: daily totals, counted when a stage has stored its scores and topic rows
-- (Store.refresh_totals), so that the daily views, the alert rules and the report read one row per day, brand,
-- location and source instead of joining every mention with its score: on 10 million mentions the joins took
-- 2-5 s a query. The views read the totals together with the rows not counted yet, so they are always exact.
-- Each refresh appends the sums of the rows it counts (no key to update in place, no index to keep): readers
-- sum over a key's rows. brand and location are '' where the mention has none; the views say NULL.
ALTER TABLE scores ADD COLUMN IF NOT EXISTS totalled BOOLEAN DEFAULT false;
ALTER TABLE mention_topics ADD COLUMN IF NOT EXISTS totalled BOOLEAN DEFAULT false;
COMMENT ON COLUMN scores.totalled IS 'True once the score is counted in daily_score_totals (set by the run that stored it).';
COMMENT ON COLUMN mention_topics.totalled IS 'True once the row is counted in daily_topic_totals (set by the run that stored it).';

CREATE TABLE IF NOT EXISTS daily_score_totals (
    model_id VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    day DATE NOT NULL,
    brand VARCHAR NOT NULL,
    location VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    mentions BIGINT NOT NULL,
    negative BIGINT NOT NULL,
    positive BIGINT NOT NULL,
    score_sum DOUBLE NOT NULL,
    score_sq_sum DOUBLE NOT NULL,
    rating_sum DOUBLE NOT NULL,
    rated BIGINT NOT NULL
);
COMMENT ON TABLE daily_score_totals IS 'Scored original mentions per model version, day, brand, location and source: counts and sums the daily views, alert rules and report read. Each refresh appends what it counted, so a key can have several rows: sum them (the score_totals view adds the rows not counted yet).';
COMMENT ON COLUMN daily_score_totals.model_id IS 'Model that scored them (scores.model_id).';
COMMENT ON COLUMN daily_score_totals.model_version IS 'Its version (scores.model_version); the views read the active one.';
COMMENT ON COLUMN daily_score_totals.day IS 'Local publication day (mentions.published_date); undated mentions are not counted.';
COMMENT ON COLUMN daily_score_totals.brand IS 'Brand of the mentions; '''' for none.';
COMMENT ON COLUMN daily_score_totals.location IS 'Location of the mentions; '''' for brand-level mentions (NULL in the views).';
COMMENT ON COLUMN daily_score_totals.source IS 'Configured source that fetched them.';
COMMENT ON COLUMN daily_score_totals.mentions IS 'Scored original mentions.';
COMMENT ON COLUMN daily_score_totals.negative IS 'Of them labelled negative.';
COMMENT ON COLUMN daily_score_totals.positive IS 'Of them labelled positive.';
COMMENT ON COLUMN daily_score_totals.score_sum IS 'Sum of their scores (mean = score_sum / mentions).';
COMMENT ON COLUMN daily_score_totals.score_sq_sum IS 'Sum of their squared scores (for the alert rules'' variance).';
COMMENT ON COLUMN daily_score_totals.rating_sum IS 'Sum of their star ratings (mean = rating_sum / rated).';
COMMENT ON COLUMN daily_score_totals.rated IS 'Of them with a star rating.';

CREATE TABLE IF NOT EXISTS daily_topic_totals (
    model_id VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    topic_set VARCHAR NOT NULL,
    day DATE NOT NULL,
    brand VARCHAR NOT NULL,
    location VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    mentions BIGINT NOT NULL,
    negative BIGINT NOT NULL,
    positive BIGINT NOT NULL,
    score_sum DOUBLE NOT NULL,
    last_assigned TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE daily_topic_totals IS 'Topic rows of original mentions per model version, topic set, day, brand, location, source and topic: what daily_topic_sentiment and the topic alerts read. Each refresh appends what it counted, so a key can have several rows: sum them (the topic_totals view adds the rows not counted yet).';
COMMENT ON COLUMN daily_topic_totals.model_id IS 'Model whose topic head read them.';
COMMENT ON COLUMN daily_topic_totals.model_version IS 'Its version; the views read the active one.';
COMMENT ON COLUMN daily_topic_totals.topic_set IS 'Topic set (taxonomy and calibration); the views read the newest of the active model.';
COMMENT ON COLUMN daily_topic_totals.day IS 'Local publication day of the mentions; undated mentions are not counted.';
COMMENT ON COLUMN daily_topic_totals.brand IS 'Brand of the mentions; '''' for none.';
COMMENT ON COLUMN daily_topic_totals.location IS 'Location of the mentions; '''' for brand-level mentions (NULL in the views).';
COMMENT ON COLUMN daily_topic_totals.source IS 'Configured source that fetched them.';
COMMENT ON COLUMN daily_topic_totals.topic IS 'Topic id, or ''other''.';
COMMENT ON COLUMN daily_topic_totals.mentions IS 'Mentions with this topic.';
COMMENT ON COLUMN daily_topic_totals.negative IS 'Of them negative on the topic (aspect sentiment).';
COMMENT ON COLUMN daily_topic_totals.positive IS 'Of them positive on the topic.';
COMMENT ON COLUMN daily_topic_totals.score_sum IS 'Sum of their aspect scores.';
COMMENT ON COLUMN daily_topic_totals.last_assigned IS 'When the newest of these rows was assigned (which topic set is newest).';

-- The totals and the rows stored since the last refresh (the same sums, read from the rows): what a query
-- reads is always every stored score, whether the refresh has counted it yet or not.
-- Which topic sets each model version ran with, and when it last stored rows of each (Store.insert_topics
-- keeps it): the views' "newest topic set of the active model" reads these few rows, not every topic row.
CREATE TABLE IF NOT EXISTS topic_sets (
    model_id VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    topic_set VARCHAR NOT NULL,
    last_assigned TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model_id, model_version, topic_set)
);
INSERT INTO topic_sets SELECT model_id, model_version, topic_set, max(assigned_at) FROM mention_topics GROUP BY ALL
ON CONFLICT DO UPDATE SET last_assigned = greatest(last_assigned, excluded.last_assigned);
COMMENT ON TABLE topic_sets IS 'Per model version, the topic sets it stored topic rows with and when it last did: the views read the newest set of the active model.';
COMMENT ON COLUMN topic_sets.model_id IS 'Model whose topic head read the rows.';
COMMENT ON COLUMN topic_sets.model_version IS 'Its version.';
COMMENT ON COLUMN topic_sets.topic_set IS 'Topic set (digest of the topic head and its topics).';
COMMENT ON COLUMN topic_sets.last_assigned IS 'When the newest topic row of this set was stored (UTC).';

CREATE OR REPLACE VIEW active_scores AS
SELECT s.* EXCLUDE (totalled)
FROM scores s
JOIN models m ON m.model_id = s.model_id AND m.model_version = s.model_version AND m.active;

-- The active model version's newest topic set: what every topic view reads.
CREATE OR REPLACE VIEW current_topic_sets AS
SELECT s.model_id, s.model_version, arg_max(s.topic_set, s.last_assigned) AS topic_set
FROM topic_sets s JOIN models m ON m.model_id = s.model_id AND m.model_version = s.model_version AND m.active
GROUP BY ALL;

CREATE OR REPLACE VIEW active_topics AS
SELECT t.* EXCLUDE (totalled) FROM mention_topics t JOIN current_topic_sets c USING (model_id, model_version, topic_set);

CREATE OR REPLACE VIEW pending_score_totals AS
SELECT s.model_id, s.model_version, m.published_date AS day, coalesce(m.brand, '') AS brand,
       coalesce(m.location, '') AS location, m.source, count(*) AS mentions,
       count(*) FILTER (WHERE s.label = 'negative') AS negative, count(*) FILTER (WHERE s.label = 'positive') AS positive,
       sum(s.score) AS score_sum, sum(s.score * s.score) AS score_sq_sum, coalesce(sum(m.rating), 0) AS rating_sum,
       count(m.rating) AS rated
FROM scores s
JOIN mentions m ON m.id = s.mention_id
WHERE NOT s.totalled AND m.duplicate_of IS NULL AND m.published_date IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE VIEW active_score_totals AS
SELECT t.* FROM (SELECT * FROM daily_score_totals UNION ALL SELECT * FROM pending_score_totals) t
JOIN models m ON m.model_id = t.model_id AND m.model_version = t.model_version AND m.active;

CREATE OR REPLACE VIEW pending_topic_totals AS
SELECT t.model_id, t.model_version, t.topic_set, m.published_date AS day, coalesce(m.brand, '') AS brand,
       coalesce(m.location, '') AS location, m.source, t.topic, count(*) AS mentions,
       count(*) FILTER (WHERE t.label = 'negative') AS negative, count(*) FILTER (WHERE t.label = 'positive') AS positive,
       sum(t.score) AS score_sum, max(t.assigned_at) AS last_assigned
FROM mention_topics t
JOIN mentions m ON m.id = t.mention_id
WHERE NOT t.totalled AND m.duplicate_of IS NULL AND m.published_date IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE VIEW active_topic_totals AS
SELECT t.* FROM (SELECT * FROM daily_topic_totals UNION ALL SELECT * FROM pending_topic_totals) t
JOIN current_topic_sets c USING (model_id, model_version, topic_set);

CREATE OR REPLACE VIEW daily_sentiment AS
SELECT t.day, nullif(t.brand, '') AS brand, nullif(t.location, '') AS location, t.source,
       sum(t.mentions)::BIGINT AS mentions,
       sum(t.score_sum) / sum(t.mentions) AS mean_score,
       sum(t.negative) / sum(t.mentions) AS share_negative,
       sum(t.positive) / sum(t.mentions) AS share_positive,
       sum(t.rating_sum) / nullif(sum(t.rated), 0) AS mean_rating,
       sum(t.rated)::BIGINT AS rated
FROM active_score_totals t
GROUP BY t.day, t.brand, t.location, t.source;

CREATE OR REPLACE VIEW daily_brand_sentiment AS
SELECT day, brand, sum(mentions)::BIGINT AS mentions, sum(score_sum) / sum(mentions) AS mean_score,
       sum(negative) / sum(mentions) AS share_negative, sum(positive) / sum(mentions) AS share_positive,
       sum(rating_sum) / nullif(sum(rated), 0) AS mean_rating
FROM (SELECT t.day, nullif(t.brand, '') AS brand, t.mentions, t.score_sum, t.negative, t.positive, t.rating_sum, t.rated
      FROM active_score_totals t)
GROUP BY day, brand;

CREATE OR REPLACE VIEW location_health AS
WITH t AS (SELECT * FROM active_score_totals), latest AS (SELECT max(day) AS d FROM t)
SELECT
    nullif(brand, '') AS brand,
    location,
    coalesce(sum(mentions) FILTER (WHERE day > latest.d - 7), 0)::BIGINT                 AS mentions_7d,
    sum(score_sum) FILTER (WHERE day > latest.d - 7) / sum(mentions) FILTER (WHERE day > latest.d - 7)
                                                                                          AS mean_score_7d,
    sum(score_sum) FILTER (WHERE day <= latest.d - 7 AND day > latest.d - 35)
        / sum(mentions) FILTER (WHERE day <= latest.d - 7 AND day > latest.d - 35)        AS mean_score_prev_28d,
    sum(rating_sum) FILTER (WHERE day > latest.d - 7) / nullif(sum(rated) FILTER (WHERE day > latest.d - 7), 0)
                                                                                          AS mean_rating_7d,
    sum(negative) FILTER (WHERE day > latest.d - 7) / sum(mentions) FILTER (WHERE day > latest.d - 7)
                                                                                          AS share_negative_7d
FROM t, latest
WHERE location <> ''
GROUP BY brand, location;

CREATE OR REPLACE VIEW daily_topic_sentiment AS
SELECT t.day, nullif(t.brand, '') AS brand, nullif(t.location, '') AS location, t.source, t.topic,
       sum(t.mentions)::BIGINT AS mentions,
       sum(t.score_sum) / sum(t.mentions) AS mean_score,
       sum(t.negative) / sum(t.mentions) AS share_negative,
       sum(t.positive) / sum(t.mentions) AS share_positive
FROM active_topic_totals t
GROUP BY t.day, t.brand, t.location, t.source, t.topic;

CREATE OR REPLACE VIEW reality_gap AS
WITH survey AS (
    SELECT brand, location, date_trunc('month', responded_on)::DATE AS month,
           count(*) AS responses,
           count(nps) AS nps_responses,
           (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / nullif(count(nps), 0)::DOUBLE
               AS nps_score,
           avg((csat - 3) / 2.0) AS csat_score
    FROM survey_responses
    GROUP BY ALL
), public AS (
    SELECT nullif(t.brand, '') AS brand, t.location, date_trunc('month', t.day)::DATE AS month,
           sum(t.mentions)::BIGINT AS mentions, sum(t.score_sum) / sum(t.mentions) AS public_score
    FROM active_score_totals t
    WHERE t.location <> ''
    GROUP BY ALL
)
SELECT s.brand, s.location, s.month, s.responses, s.nps_responses, s.nps_score, s.csat_score,
       coalesce(s.nps_score, s.csat_score) AS survey_score,
       coalesce(p.mentions, 0) AS mentions, p.public_score,
       coalesce(s.nps_score, s.csat_score) - p.public_score AS gap,
       CASE WHEN p.public_score IS NOT NULL
            THEN row_number() OVER (PARTITION BY p.public_score IS NOT NULL
                                    ORDER BY coalesce(s.nps_score, s.csat_score) - p.public_score DESC) END AS gap_rank
FROM survey s
LEFT JOIN public p USING (brand, location, month);

COMMENT ON VIEW pending_score_totals IS 'The scores stored since daily_score_totals was last refreshed, summed as it sums them.';
COMMENT ON VIEW pending_topic_totals IS 'The topic rows stored since daily_topic_totals was last refreshed, summed as it sums them.';
COMMENT ON VIEW active_score_totals IS 'The active model version''s daily_score_totals and its scores stored since the last refresh, summed the same way (a key can have several rows: sum them).';
COMMENT ON VIEW active_topic_totals IS 'daily_topic_totals and the topic rows stored since the last refresh, of the active model version and its newest topic set, summed the same way (a key can have several rows: sum them).';
COMMENT ON VIEW current_topic_sets IS 'The newest topic set the active model version ran with.';
COMMENT ON VIEW active_scores IS 'Scores of the active model version.';
COMMENT ON VIEW active_topics IS 'Topic rows of the active model version and the newest topic set it ran with.';
COMMENT ON VIEW daily_sentiment IS 'Per day, brand, location and source: mentions, mean score, shares negative and positive, mean stars.';
COMMENT ON VIEW daily_brand_sentiment IS 'Per day and brand, all sources and locations together.';
COMMENT ON VIEW location_health IS 'Per location: the last 7 days against the 28 before.';
COMMENT ON VIEW daily_topic_sentiment IS 'Per day, brand, location, source and topic: mentions, mean aspect score, shares negative and positive.';
COMMENT ON VIEW reality_gap IS 'Per brand, location and month: the survey score (NPS / 100, else CSAT rescaled to [-1, 1]) against the mean public sentiment score, with counts; gap = survey - public, gap_rank 1 the largest.';
