-- Schema version 9: what each table and view holds, in the schema itself, so that the data dictionary
-- (docs/data-dictionary.md, python -m sentiment.store.dictionary --write) is generated and cannot drift.
COMMENT ON TABLE mentions IS 'One row per review, post or article: cleaned text, identified language, brand and location, salted author hash, publication time and local day, stars (1..5), and duplicate_of for an exact or near copy of an earlier mention.';
COMMENT ON TABLE scores IS 'The sentiment of each mention per model id and version: label, the three probabilities and score = p_positive - p_negative. Old versions stay; the views read the active one.';
COMMENT ON TABLE mention_topics IS 'The topics of each original mention per model version and topic set, with the topic head''s confidence and the aspect sentiment (label, score); "other" when no topic applies.';
COMMENT ON TABLE models IS 'Model versions seen; the active one feeds the views.';
COMMENT ON TABLE runs IS 'One row per nightly or rescore run: status (running, ok, partial, failed, interrupted), counts and skips by reason.';
COMMENT ON TABLE source_runs IS 'What each source did in each run: status, pages, fetched, new, skips by reason, error.';
COMMENT ON TABLE source_state IS 'Each source''s cursor (newest item seen, ETag / Last-Modified), so a night fetches only what is new.';
COMMENT ON TABLE alerts IS 'Each alert once (deterministic id): rule, scope, windows, the numbers behind it, details (topics, sources, languages, quotes) and its resolution.';
COMMENT ON TABLE notifications IS 'Each alert and each resolution (id:resolved) sent to each channel, once.';
COMMENT ON TABLE settings IS 'Key-value settings of the store: schema version and the generated author salt.';
COMMENT ON TABLE minhash_signatures IS 'The MinHash signature of each first copy long enough to have one, for near-duplicate linking across nights.';
COMMENT ON TABLE minhash_bands IS 'The locality-sensitive band keys of those signatures (brand hashed in): a new text sharing a key is compared.';
COMMENT ON VIEW active_scores IS 'Scores of the active model version.';
COMMENT ON VIEW scored_mentions IS 'Original mentions (no copies) with their active-model score.';
COMMENT ON VIEW daily_sentiment IS 'Per day, brand, location and source: mentions, mean score, shares negative and positive, mean stars.';
COMMENT ON VIEW daily_brand_sentiment IS 'Per day and brand, all sources and locations together.';
COMMENT ON VIEW location_health IS 'Per location: the last 7 days against the 28 before.';
COMMENT ON VIEW active_topics IS 'Topic rows of the active model version and the newest topic set it ran with.';
COMMENT ON VIEW daily_topic_sentiment IS 'Per day, brand, location, source and topic: mentions, mean aspect score, shares negative and positive.';
