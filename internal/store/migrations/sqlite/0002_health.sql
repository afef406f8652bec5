-- Heartbeats (internal/health). One row per amphora, created when lbaasd
-- hands the amphora its heartbeat key, deleted with the amphora's row.
CREATE TABLE amphora_health (
	amphora_id    TEXT    PRIMARY KEY REFERENCES objects (id) ON DELETE CASCADE,
	heartbeat_key BLOB    NOT NULL,            -- HMAC-SHA256 key of its heartbeats
	last_seq      INTEGER NOT NULL DEFAULT 0,  -- highest sequence number accepted
	last_update   TEXT                         -- UTC time of the last healthy heartbeat; NULL: none yet
) STRICT;

CREATE INDEX amphora_health_last_update ON amphora_health (last_update);

-- Counters of a listener as one amphora reported them: the sums of the
-- deltas of its heartbeats, and the last absolute active_connections. Rows
-- go with their listener; they outlive the amphora, so a load balancer's
-- totals survive an amphora's replacement.
CREATE TABLE listener_statistics (
	listener_id        TEXT    NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
	amphora_id         TEXT    NOT NULL,
	bytes_in           INTEGER NOT NULL,
	bytes_out          INTEGER NOT NULL,
	active_connections INTEGER NOT NULL,
	total_connections  INTEGER NOT NULL,
	request_errors     INTEGER NOT NULL,
	updated_at         TEXT    NOT NULL,
	PRIMARY KEY (listener_id, amphora_id)
) STRICT;
