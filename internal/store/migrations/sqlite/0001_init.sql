-- Objects of every load balancer graph, one row per object. The nested
-- children of an object are not in its data: the graph is rebuilt from
-- parent_id. Deleting a row deletes its subtree (ON DELETE CASCADE).
CREATE TABLE objects (
	seq             INTEGER PRIMARY KEY,  -- insertion order, stable across VACUUM
	id              TEXT    NOT NULL UNIQUE,
	kind            TEXT    NOT NULL,
	loadbalancer_id TEXT    NOT NULL,
	parent_id       TEXT    REFERENCES objects (id) ON DELETE CASCADE,  -- NULL for a load balancer
	project_id      TEXT    NOT NULL,
	position        INTEGER NOT NULL,     -- L7 policy position, 0 otherwise
	created_at      TEXT    NOT NULL,     -- UTC, fixed width, sorts as text
	data            TEXT    NOT NULL      -- JSON of the lb struct without its children
) STRICT;

CREATE INDEX objects_loadbalancer ON objects (loadbalancer_id, created_at, seq);
CREATE INDEX objects_kind ON objects (kind, created_at, seq);
CREATE INDEX objects_parent ON objects (parent_id);

CREATE TABLE subnets (
	id         TEXT    PRIMARY KEY,
	network_id TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	cidr       TEXT    NOT NULL,
	gateway    TEXT    NOT NULL,
	is_default INTEGER NOT NULL,
	created_at TEXT    NOT NULL
) STRICT;

CREATE TABLE ports (
	seq        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	name       TEXT    NOT NULL,
	network_id TEXT    NOT NULL,
	subnet_id  TEXT    NOT NULL,
	ip_address TEXT    NOT NULL,
	device_id  TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	UNIQUE (subnet_id, ip_address)
) STRICT;

CREATE INDEX ports_device ON ports (device_id, created_at, seq);
