-- Schema version 11: what each column of each table means, for the data dictionary (docs/data-dictionary.md).
-- Views' columns are described in sentiment/store/view_columns.py: DuckDB fails to replay a write-ahead log that
-- holds COMMENT ON COLUMN for a view, so a process killed before a checkpoint left a database that did not open.

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

-- scored_mentions (view)

-- daily_sentiment (view)

-- daily_brand_sentiment (view)

-- location_health (view)

-- active_topics (view)

-- daily_topic_sentiment (view)

-- reality_gap (view)
