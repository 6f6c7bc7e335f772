-- Schema version 11: what each column of each table and view means, for the data dictionary (docs/data-dictionary.md).
-- CREATE OR REPLACE VIEW drops a view's column comments: a later migration that replaces a view must comment its
-- columns again (tests/store/test_dictionary.py fails on any column without one).

-- mentions
COMMENT ON COLUMN mentions.id IS 'Mention id: first 24 hex of sha256(source, source_item_id), so a re-fetched item gets the same id.';
COMMENT ON COLUMN mentions.source IS 'Name of the configured source that fetched it (sources[].name in the config).';
COMMENT ON COLUMN mentions.source_item_id IS 'The source''s own id for the item (review id, post URI, article URL ...).';
COMMENT ON COLUMN mentions.brand IS 'Configured brand the mention is about.';
COMMENT ON COLUMN mentions.location IS 'Configured location of the brand it is about; NULL when none was attributed (counts for the brand only).';
COMMENT ON COLUMN mentions.url IS 'Link to the item; NULL when the source gives none.';
COMMENT ON COLUMN mentions.title IS 'Cleaned title (article, post or review headline); NULL when there is none.';
COMMENT ON COLUMN mentions.text IS 'Cleaned text the model read, cut to text.max_chars characters when longer (see truncated).';
COMMENT ON COLUMN mentions.lang IS 'Language identified from the text: ISO 639-1 code (fastText code where none), ''und'' when unsure.';
COMMENT ON COLUMN mentions.platform_lang IS 'Language the platform claimed, kept for reference and not trusted; NULL when none.';
COMMENT ON COLUMN mentions.author_hash IS 'Salted sha256 of the author name (20 hex), stable per database; NULL without author. Names are never stored.';
COMMENT ON COLUMN mentions.published_at IS 'Publication time as a UTC instant; NULL when the source gives none.';
COMMENT ON COLUMN mentions.published_date IS 'Local day of published_at in the config''s time zone (timezone); NULL when undated. Views group by it.';
COMMENT ON COLUMN mentions.rating IS 'Star rating normalised to 1..5 (from the page''s best/worst rating); NULL when unrated.';
COMMENT ON COLUMN mentions.content_hash IS 'Hash of the brand and the normalised text (24 hex): equal for exact copies.';
COMMENT ON COLUMN mentions.duplicate_of IS 'Id of the first copy this one repeats (exact or near duplicate); NULL for originals, which alone are counted.';
COMMENT ON COLUMN mentions.first_run_id IS 'Run (runs.run_id) that first stored the mention.';
COMMENT ON COLUMN mentions.fetched_at IS 'When the mention was stored (UTC).';
COMMENT ON COLUMN mentions.parent_id IS 'The source''s id of the item this one answers (a comment''s parent); NULL for top-level items.';
COMMENT ON COLUMN mentions.truncated IS 'True when the text was cut to text.max_chars characters when stored.';

-- scores
COMMENT ON COLUMN scores.mention_id IS 'Mention scored (mentions.id).';
COMMENT ON COLUMN scores.model_id IS 'Model that scored it: embedded:multilingual-e5-small+lora, hub:<org/name> or dir:<folder>.';
COMMENT ON COLUMN scores.model_version IS 'Version of that model (a digest of its weights); a retrained model gets a new one.';
COMMENT ON COLUMN scores.label IS 'Most probable class: negative | neutral | positive.';
COMMENT ON COLUMN scores.p_negative IS 'Probability the text is negative, 0..1 (the three probabilities sum to 1).';
COMMENT ON COLUMN scores.p_neutral IS 'Probability the text is neutral, 0..1.';
COMMENT ON COLUMN scores.p_positive IS 'Probability the text is positive, 0..1.';
COMMENT ON COLUMN scores.score IS 'Sentiment score p_positive - p_negative, from -1 (negative) to +1 (positive).';
COMMENT ON COLUMN scores.scored_at IS 'When the score was stored (UTC).';
COMMENT ON COLUMN scores.run_id IS 'Run (runs.run_id) that scored it: a nightly or a rescore run.';
COMMENT ON COLUMN scores.truncated IS 'True when the model read only the first model.max_tokens tokens (or a Hugging Face model''s own window).';

-- mention_topics
COMMENT ON COLUMN mention_topics.mention_id IS 'Mention the topic was found in (mentions.id).';
COMMENT ON COLUMN mention_topics.model_id IS 'Sentiment model that read the sentences (as scores.model_id).';
COMMENT ON COLUMN mention_topics.model_version IS 'Version of that model (as scores.model_version).';
COMMENT ON COLUMN mention_topics.topic_set IS 'Digest (16 hex) of the topic head and its topics; a refit or new taxonomy gets a new one.';
COMMENT ON COLUMN mention_topics.topic IS 'Taxonomy topic id, or ''other'' when no topic applies (one row per mention then).';
COMMENT ON COLUMN mention_topics.confidence IS 'Topic probability rescaled so 0.5 is its threshold, 0..1; for ''other'', 1 minus the best topic''s.';
COMMENT ON COLUMN mention_topics.label IS 'Aspect sentiment of the sentences carrying the topic: negative | neutral | positive.';
COMMENT ON COLUMN mention_topics.score IS 'Aspect score p_positive - p_negative of those sentences, -1..+1 (''other'': the whole text''s score).';
COMMENT ON COLUMN mention_topics.assigned_at IS 'When the topic row was stored (UTC).';
COMMENT ON COLUMN mention_topics.run_id IS 'Run (runs.run_id) that assigned it.';

-- models
COMMENT ON COLUMN models.model_id IS 'Model id, as scores.model_id.';
COMMENT ON COLUMN models.model_version IS 'Model version, as scores.model_version.';
COMMENT ON COLUMN models.active IS 'True for the one version whose scores and topics the views read.';
COMMENT ON COLUMN models.registered_at IS 'When this version was first activated (UTC).';

-- runs
COMMENT ON COLUMN runs.run_id IS 'Run id: <as_of>-<HHMMSSffffff> for a nightly run, rescore-<...> for a rescore.';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run ended (UTC); NULL while it is running.';
COMMENT ON COLUMN runs.status IS 'running | ok | partial (some source or channel failed) | failed | interrupted (stopped or died mid-run).';
COMMENT ON COLUMN runs.as_of IS 'Day the run is for: today in the config''s time zone, or the --as-of day.';
COMMENT ON COLUMN runs.config_sha256 IS 'sha256 (hex) of the config file the run used.';
COMMENT ON COLUMN runs.fetched IS 'Mentions the sources returned, new or not.';
COMMENT ON COLUMN runs.new_mentions IS 'Mentions stored for the first time.';
COMMENT ON COLUMN runs.duplicates IS 'Of the new mentions, those linked to an earlier copy (duplicate_of set).';
COMMENT ON COLUMN runs.scored IS 'Score rows added (mentions scored by the active model).';
COMMENT ON COLUMN runs.alerts IS 'New alerts stored.';
COMMENT ON COLUMN runs.notifications IS 'Alerts and resolutions delivered to channels.';
COMMENT ON COLUMN runs.sources_ok IS 'Sources that fetched without failing.';
COMMENT ON COLUMN runs.sources_failed IS 'Sources that failed.';
COMMENT ON COLUMN runs.skipped IS 'JSON {reason: count} of items and steps skipped over all sources (e.g. no_brand_match, topics_failed).';
COMMENT ON COLUMN runs.topics IS 'Topic rows added (mention_topics).';
COMMENT ON COLUMN runs.error IS 'Why the run failed or was interrupted; NULL otherwise.';

-- source_runs
COMMENT ON COLUMN source_runs.run_id IS 'Run (runs.run_id).';
COMMENT ON COLUMN source_runs.source IS 'Configured source name.';
COMMENT ON COLUMN source_runs.status IS 'ok | failed.';
COMMENT ON COLUMN source_runs.pages IS 'Pages (feed pages, API pages, review pages) the source read.';
COMMENT ON COLUMN source_runs.fetched IS 'Mentions the source returned, new or not.';
COMMENT ON COLUMN source_runs.new_mentions IS 'Of those, mentions stored for the first time.';
COMMENT ON COLUMN source_runs.skipped IS 'JSON {reason: count} of items skipped by the source and the text stage.';
COMMENT ON COLUMN source_runs.error IS 'Why the source failed; NULL when it did not.';

-- source_state
COMMENT ON COLUMN source_state.source IS 'Configured source name.';
COMMENT ON COLUMN source_state.cursor IS 'JSON, kind-specific: newest publication time and ids seen, ETag / Last-Modified, items seen.';
COMMENT ON COLUMN source_state.updated_at IS 'When the cursor was last saved (UTC).';
COMMENT ON COLUMN source_state.run_id IS 'Run (runs.run_id) that saved it.';

-- alerts
COMMENT ON COLUMN alerts.id IS 'Deterministic id (20 hex) of rule, brand, location, topic and recent window (themes: and their mentions); stored once.';
COMMENT ON COLUMN alerts.rule IS 'sentiment_drop | volume_spike | topic_surge | emerging_theme.';
COMMENT ON COLUMN alerts.scope IS 'brand (all the brand''s mentions) | location (one of its locations).';
COMMENT ON COLUMN alerts.brand IS 'Configured brand alerted on.';
COMMENT ON COLUMN alerts.location IS 'Location alerted on; NULL for a brand-scope alert.';
COMMENT ON COLUMN alerts.as_of IS 'Run day (runs.as_of) the alert was raised on.';
COMMENT ON COLUMN alerts.recent_start IS 'First day of the recent window (local days, inclusive).';
COMMENT ON COLUMN alerts.recent_end IS 'Last day of the recent window (the run day).';
COMMENT ON COLUMN alerts.baseline_start IS 'First day of the baseline window it is compared with (emerging_theme: the earlier days looked at).';
COMMENT ON COLUMN alerts.baseline_end IS 'Last day of the baseline window.';
COMMENT ON COLUMN alerts.n_recent IS 'Recent window: scored mentions (sentiment_drop) or negative mentions (other rules).';
COMMENT ON COLUMN alerts.n_baseline IS 'Baseline window: scored mentions (sentiment_drop) or negative mentions (other rules).';
COMMENT ON COLUMN alerts.recent_mean IS 'Recent window: mean score, -1..+1 (sentiment_drop) or negative mentions a day (other rules).';
COMMENT ON COLUMN alerts.baseline_mean IS 'Baseline: mean score (sentiment_drop) or negative mentions a day expected from it (other rules).';
COMMENT ON COLUMN alerts.effect IS 'Size: the drop baseline_mean - recent_mean (sentiment_drop), else negative mentions above expected.';
COMMENT ON COLUMN alerts.p_value IS 'Tail probability of what was seen under the baseline, 0..1; 1.0 for emerging_theme (not a test).';
COMMENT ON COLUMN alerts.message IS 'The alert in words: what changed where, the numbers, and the sources and languages behind it.';
COMMENT ON COLUMN alerts.details IS 'JSON: strength, share negative, example quotes, sources, languages, topics behind it (themes: words, authors).';
COMMENT ON COLUMN alerts.model_id IS 'Active model when the alert was stored (''none'' if no model was active).';
COMMENT ON COLUMN alerts.model_version IS 'Version of that model.';
COMMENT ON COLUMN alerts.created_at IS 'When the alert was stored (UTC).';
COMMENT ON COLUMN alerts.run_id IS 'Run (runs.run_id) that raised it.';
COMMENT ON COLUMN alerts.topic IS 'Topic of a topic_surge; NULL for the other rules.';
COMMENT ON COLUMN alerts.resolved_on IS 'Run day the scope recovered; NULL while the alert is open.';
COMMENT ON COLUMN alerts.resolution IS 'What was seen when it recovered (e.g. the last 7 days'' mean score); NULL while open.';

-- notifications
COMMENT ON COLUMN notifications.alert_id IS 'Alert sent (alerts.id), or <alerts.id>:resolved for the news of its resolution.';
COMMENT ON COLUMN notifications.channel IS 'Configured channel name it was delivered to.';
COMMENT ON COLUMN notifications.sent_at IS 'When the channel accepted it (UTC).';
COMMENT ON COLUMN notifications.status IS 'HTTP status the channel answered (2xx); 200 for apprise channels, which give none.';
COMMENT ON COLUMN notifications.run_id IS 'Run (runs.run_id) that sent it.';

-- settings
COMMENT ON COLUMN settings.key IS 'Setting name: schema_version or author_salt.';
COMMENT ON COLUMN settings.value IS 'Its value, as text (author_salt is unused when SENTIMENT_AUTHOR_SALT is set).';

-- minhash_signatures
COMMENT ON COLUMN minhash_signatures.mention_id IS 'First copy (mentions.id) the signature is of.';
COMMENT ON COLUMN minhash_signatures.brand IS 'Its brand: copies are linked only within a brand.';
COMMENT ON COLUMN minhash_signatures.signature IS 'MinHash signature of its word 3-shingles: 64 uint32 values, 256 bytes.';

-- minhash_bands
COMMENT ON COLUMN minhash_bands.band IS 'Locality-sensitive key of one of the signature''s 16 bands, brand hashed in (signed 64-bit).';
COMMENT ON COLUMN minhash_bands.mention_id IS 'First copy (mentions.id) whose signature has this key.';

-- survey_responses
COMMENT ON COLUMN survey_responses.id IS 'Survey name, '':'', and the export''s response id (or a hash of the row when it has none).';
COMMENT ON COLUMN survey_responses.survey IS 'Configured survey name (surveys[].name).';
COMMENT ON COLUMN survey_responses.brand IS 'Configured brand the survey is for.';
COMMENT ON COLUMN survey_responses.location IS 'Configured location name the response is about (matched by name or alias).';
COMMENT ON COLUMN survey_responses.responded_on IS 'Local day of the response in the config''s time zone.';
COMMENT ON COLUMN survey_responses.nps IS 'Net Promoter answer 0..10 (9-10 promoter, 0-6 detractor); NULL when not asked.';
COMMENT ON COLUMN survey_responses.csat IS 'Customer satisfaction 1..5; NULL when not asked.';
COMMENT ON COLUMN survey_responses.verbatim IS 'Cleaned free-text answer; NULL when none.';
COMMENT ON COLUMN survey_responses.imported_at IS 'When the response was imported (UTC).';

-- active_scores (view)
COMMENT ON COLUMN active_scores.mention_id IS 'Mention scored (mentions.id).';
COMMENT ON COLUMN active_scores.model_id IS 'Active model id.';
COMMENT ON COLUMN active_scores.model_version IS 'Active model version.';
COMMENT ON COLUMN active_scores.label IS 'Most probable class: negative | neutral | positive.';
COMMENT ON COLUMN active_scores.p_negative IS 'Probability the text is negative, 0..1.';
COMMENT ON COLUMN active_scores.p_neutral IS 'Probability the text is neutral, 0..1.';
COMMENT ON COLUMN active_scores.p_positive IS 'Probability the text is positive, 0..1.';
COMMENT ON COLUMN active_scores.score IS 'Sentiment score p_positive - p_negative, -1..+1.';
COMMENT ON COLUMN active_scores.scored_at IS 'When the score was stored (UTC).';
COMMENT ON COLUMN active_scores.run_id IS 'Run (runs.run_id) that scored it.';
COMMENT ON COLUMN active_scores.truncated IS 'True when the model read only the first model.max_tokens tokens.';

-- scored_mentions (view)
COMMENT ON COLUMN scored_mentions.id IS 'Mention id (mentions.id); originals only.';
COMMENT ON COLUMN scored_mentions.source IS 'Configured source name.';
COMMENT ON COLUMN scored_mentions.brand IS 'Configured brand.';
COMMENT ON COLUMN scored_mentions.location IS 'Configured location; NULL when none was attributed.';
COMMENT ON COLUMN scored_mentions.url IS 'Link to the item; NULL when none.';
COMMENT ON COLUMN scored_mentions.title IS 'Cleaned title; NULL when none.';
COMMENT ON COLUMN scored_mentions.text IS 'Cleaned text the model read.';
COMMENT ON COLUMN scored_mentions.lang IS 'Identified language: ISO 639-1 code or ''und''.';
COMMENT ON COLUMN scored_mentions.published_at IS 'Publication time (UTC); NULL when unknown.';
COMMENT ON COLUMN scored_mentions.published_date IS 'Local day of publication in the config''s time zone; NULL when undated.';
COMMENT ON COLUMN scored_mentions.rating IS 'Stars normalised to 1..5; NULL when unrated.';
COMMENT ON COLUMN scored_mentions.label IS 'Active model''s label: negative | neutral | positive; NULL when not scored yet.';
COMMENT ON COLUMN scored_mentions.score IS 'Active model''s score p_positive - p_negative, -1..+1; NULL when not scored yet.';
COMMENT ON COLUMN scored_mentions.p_negative IS 'Probability negative, 0..1; NULL when not scored yet.';
COMMENT ON COLUMN scored_mentions.p_neutral IS 'Probability neutral, 0..1; NULL when not scored yet.';
COMMENT ON COLUMN scored_mentions.p_positive IS 'Probability positive, 0..1; NULL when not scored yet.';
COMMENT ON COLUMN scored_mentions.model_id IS 'Active model id; NULL when not scored yet.';
COMMENT ON COLUMN scored_mentions.model_version IS 'Active model version; NULL when not scored yet.';

-- daily_sentiment (view)
COMMENT ON COLUMN daily_sentiment.day IS 'Local day of publication (published_date, config time zone).';
COMMENT ON COLUMN daily_sentiment.brand IS 'Configured brand.';
COMMENT ON COLUMN daily_sentiment.location IS 'Configured location; NULL for mentions of the brand without one.';
COMMENT ON COLUMN daily_sentiment.source IS 'Configured source name.';
COMMENT ON COLUMN daily_sentiment.mentions IS 'Scored original mentions.';
COMMENT ON COLUMN daily_sentiment.mean_score IS 'Mean sentiment score, -1..+1.';
COMMENT ON COLUMN daily_sentiment.share_negative IS 'Share of mentions labelled negative, 0..1.';
COMMENT ON COLUMN daily_sentiment.share_positive IS 'Share of mentions labelled positive, 0..1.';
COMMENT ON COLUMN daily_sentiment.mean_rating IS 'Mean stars (1..5) of the rated mentions; NULL when none was rated.';
COMMENT ON COLUMN daily_sentiment.rated IS 'Mentions with a star rating.';

-- daily_brand_sentiment (view)
COMMENT ON COLUMN daily_brand_sentiment.day IS 'Local day of publication (published_date, config time zone).';
COMMENT ON COLUMN daily_brand_sentiment.brand IS 'Configured brand.';
COMMENT ON COLUMN daily_brand_sentiment.mentions IS 'Scored original mentions, all sources and locations.';
COMMENT ON COLUMN daily_brand_sentiment.mean_score IS 'Mean sentiment score, -1..+1.';
COMMENT ON COLUMN daily_brand_sentiment.share_negative IS 'Share of mentions labelled negative, 0..1.';
COMMENT ON COLUMN daily_brand_sentiment.share_positive IS 'Share of mentions labelled positive, 0..1.';
COMMENT ON COLUMN daily_brand_sentiment.mean_rating IS 'Mean stars (1..5) of the rated mentions; NULL when none was rated.';

-- location_health (view)
COMMENT ON COLUMN location_health.brand IS 'Configured brand.';
COMMENT ON COLUMN location_health.location IS 'Configured location.';
COMMENT ON COLUMN location_health.mentions_7d IS 'Scored original mentions in the 7 days ending on the newest scored day in the store.';
COMMENT ON COLUMN location_health.mean_score_7d IS 'Mean score (-1..+1) over those 7 days; NULL when none.';
COMMENT ON COLUMN location_health.mean_score_prev_28d IS 'Mean score (-1..+1) over the 28 days before them; NULL when none.';
COMMENT ON COLUMN location_health.mean_rating_7d IS 'Mean stars (1..5) over the 7 days; NULL when none was rated.';
COMMENT ON COLUMN location_health.share_negative_7d IS 'Share of the 7 days'' mentions labelled negative, 0..1; NULL when none.';

-- active_topics (view)
COMMENT ON COLUMN active_topics.mention_id IS 'Mention the topic was found in (mentions.id).';
COMMENT ON COLUMN active_topics.model_id IS 'Active model id.';
COMMENT ON COLUMN active_topics.model_version IS 'Active model version.';
COMMENT ON COLUMN active_topics.topic_set IS 'Newest topic set the active model ran with (digest of the topic head and its topics).';
COMMENT ON COLUMN active_topics.topic IS 'Taxonomy topic id, or ''other'' when no topic applies.';
COMMENT ON COLUMN active_topics.confidence IS 'Topic probability rescaled so 0.5 is its threshold, 0..1; for ''other'', 1 minus the best topic''s.';
COMMENT ON COLUMN active_topics.label IS 'Aspect sentiment: negative | neutral | positive.';
COMMENT ON COLUMN active_topics.score IS 'Aspect score p_positive - p_negative of the sentences carrying the topic, -1..+1.';
COMMENT ON COLUMN active_topics.assigned_at IS 'When the topic row was stored (UTC).';
COMMENT ON COLUMN active_topics.run_id IS 'Run (runs.run_id) that assigned it.';

-- daily_topic_sentiment (view)
COMMENT ON COLUMN daily_topic_sentiment.day IS 'Local day of publication (published_date, config time zone).';
COMMENT ON COLUMN daily_topic_sentiment.brand IS 'Configured brand.';
COMMENT ON COLUMN daily_topic_sentiment.location IS 'Configured location; NULL for mentions of the brand without one.';
COMMENT ON COLUMN daily_topic_sentiment.source IS 'Configured source name.';
COMMENT ON COLUMN daily_topic_sentiment.topic IS 'Taxonomy topic id, or ''other''.';
COMMENT ON COLUMN daily_topic_sentiment.mentions IS 'Original mentions with this topic.';
COMMENT ON COLUMN daily_topic_sentiment.mean_score IS 'Mean aspect score, -1..+1.';
COMMENT ON COLUMN daily_topic_sentiment.share_negative IS 'Share of those mentions whose aspect sentiment is negative, 0..1.';
COMMENT ON COLUMN daily_topic_sentiment.share_positive IS 'Share of those mentions whose aspect sentiment is positive, 0..1.';

-- reality_gap (view)
COMMENT ON COLUMN reality_gap.brand IS 'Configured brand.';
COMMENT ON COLUMN reality_gap.location IS 'Configured location.';
COMMENT ON COLUMN reality_gap.month IS 'First day of the month (local days, config time zone).';
COMMENT ON COLUMN reality_gap.responses IS 'Survey responses that month.';
COMMENT ON COLUMN reality_gap.nps_responses IS 'Of those, responses with an NPS answer.';
COMMENT ON COLUMN reality_gap.nps_score IS 'NPS / 100: (promoters 9-10 - detractors 0-6) / NPS responses, -1..+1; NULL without NPS answers.';
COMMENT ON COLUMN reality_gap.csat_score IS 'Mean CSAT rescaled to -1..+1 as (csat - 3) / 2; NULL without CSAT answers.';
COMMENT ON COLUMN reality_gap.survey_score IS 'nps_score where there is one, else csat_score; -1..+1.';
COMMENT ON COLUMN reality_gap.mentions IS 'Scored original mentions of the location that month (0 when none).';
COMMENT ON COLUMN reality_gap.public_score IS 'Mean sentiment score of those mentions, -1..+1; NULL when none.';
COMMENT ON COLUMN reality_gap.gap IS 'survey_score - public_score, -2..+2: positive when the survey is kinder than the public; NULL without mentions.';
COMMENT ON COLUMN reality_gap.gap_rank IS 'Rank of gap among all rows with a public_score (all brands, locations and months), 1 the largest; NULL without mentions.';
