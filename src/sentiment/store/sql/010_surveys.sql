-- Schema version 10: survey results per location (sentiment.surveys) and the reality gap.
CREATE TABLE IF NOT EXISTS survey_responses (
    id VARCHAR PRIMARY KEY,            -- survey name + the export's response id (or a hash of the row)
    survey VARCHAR NOT NULL,
    brand VARCHAR NOT NULL,
    location VARCHAR NOT NULL,
    responded_on DATE NOT NULL,        -- the local day (the config's time zone)
    nps INTEGER,                       -- 0..10
    csat DOUBLE,                       -- 1..5
    verbatim VARCHAR,
    imported_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE survey_responses IS 'Survey responses per location imported from a company''s own survey exports (sentiment surveys import): NPS 0-10 and/or CSAT 1-5, the local day, an optional verbatim.';

-- Per brand, location and month: the survey score against public sentiment, both on [-1, 1]:
-- survey_score is the NPS / 100 ((promoters 9-10 - detractors 0-6) / NPS responses) where the month has NPS
-- responses, else the mean CSAT rescaled ((csat - 3) / 2); public_score is the mean score of the month's
-- scored original mentions of that location. gap = survey_score - public_score: a large gap is a location
-- whose own survey glows while what customers say unprompted does not. gap_rank 1 is the largest gap.
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
    SELECT brand, location, date_trunc('month', published_date)::DATE AS month,
           count(*) AS mentions, avg(score) AS public_score
    FROM scored_mentions
    WHERE score IS NOT NULL AND location IS NOT NULL AND published_date IS NOT NULL
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
COMMENT ON VIEW reality_gap IS 'Per brand, location and month: the survey score (NPS / 100, else CSAT rescaled to [-1, 1]) against the mean public sentiment score, with counts; gap = survey - public, gap_rank 1 the largest.';
