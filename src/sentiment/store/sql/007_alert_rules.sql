-- Schema version 7: alert rules beyond the sentiment drop (volume spike, topic surge).
-- alerts.topic names the topic of a topic surge (NULL for the other rules). For those count rules the
-- recent_mean / baseline_mean columns hold negative mentions a day (counted, and expected from the
-- baseline), n_recent / n_baseline negative mentions, and effect the excess over the expected count.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS topic VARCHAR;
-- An alert is resolved when its scope recovers (sentiment.alerts.rules.recovery): the day and what was seen.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS resolved_on DATE;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS resolution VARCHAR;
