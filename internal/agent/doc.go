// Package agent is the amphora agent: it holds the configuration the
// controller pushes, validates it with the real binaries before switching to
// it, and runs HAProxy. It holds the agent's server (Server) and the
// controller's client (Client).
//
// # API
//
// HTTPS with mutual TLS (TLS 1.2 or later, client certificate required and
// verified against the lbaasd CA; the controller verifies that the agent's
// certificate names the amphora ID). Bodies are JSON unless noted; every error
// is {"message": ..., "details": ...}. Modelled on Octavia's amphora agent
// API 1.0, trimmed to what lbaasd needs:
//
//	GET    /                                  200 {"api_version":"1.0"}
//	GET    /1.0/info                          200 {hostname, haproxy_version, api_version, amphora_id, state_dir}
//	PUT    /1.0/loadbalancer/{lb_id}/haproxy?revision=N
//	       body: raw haproxy.cfg              202 {"message":"OK","revision":N,"changed":bool}
//	                                          400 refused by haproxy -c (details: HAProxy's output),
//	                                              stats socket contract broken, bad revision or lb_id
//	                                          409 N lower than the stored revision, or N stored with other content
//	                                          413 larger than Config.MaxConfigBytes
//	GET    /1.0/loadbalancer/{lb_id}/haproxy  200 text/plain, header X-Revision: N; 404 unknown
//	PUT    /1.0/loadbalancer/{lb_id}/start    202 start if not running (no-op when running)
//	PUT    /1.0/loadbalancer/{lb_id}/stop     202 stop master and workers
//	PUT    /1.0/loadbalancer/{lb_id}/reload   202 hitless reload (`reload` on the master CLI);
//	                                              starts HAProxy when it is not running, like Octavia
//	       (other action: 400 "Unknown action: X"; no configuration: 404; HAProxy failure: 500)
//	DELETE /1.0/loadbalancer/{lb_id}          200 stop HAProxy, remove its files; idempotent
//	GET    /1.0/loadbalancer/{lb_id}/stats    200 {"stats":[StatRow...]} from `show stat`;
//	                                          503 when HAProxy is not running; 404 unknown
//	GET    /1.0/loadbalancer/{lb_id}/status   200 {running, revision, loaded_revision, pid, workers, desired}; 404 unknown
//
// A stored configuration takes effect at the next start or reload, as in
// Octavia (PUT the configuration, then PUT reload). PUT validates the upload
// in a temporary file with `haproxy -c`, then switches to it atomically; on
// refusal nothing changes. The agent renders nothing: it runs the
// configuration as sent, with its own command line options (-W -D -S -p).
//
// # The state_dir contract
//
// GET /1.0/info returns state_dir. Every configuration must declare, in its
// global section, at least one `stats socket` that is an absolute UNIX socket
// path under state_dir (recommended: "stats socket <state_dir>/<lb_id>.sock
// mode 600 level user"); a TCP, abstract or outside path is refused with 400.
// The agent reads statistics through the first one. Paths are limited to 94
// bytes (sun_path, with HAProxy's temporary suffix).
//
// # HAProxy processes
//
// One HAProxy per load balancer, in master-worker mode, started as
// `haproxy -W -D -S <lb dir>/master.sock -p <lb dir>/haproxy.pid -f <lb dir>/haproxy.cfg`
// in its own session: it is a daemon independent of the agent (as the systemd
// service is on an Octavia amphora), so stopping or restarting the agent does
// not touch traffic. The master's pid and start time are recorded in
// <lb dir>/state.json with the desired state. A starting agent adopts a live
// master that is ours (same pid and start time, haproxy running our -f and -S
// paths); when the desired state is running and no such master lives, it
// starts HAProxy from the last stored configuration. While it runs, a watcher
// does the same every Config.WatchInterval (with backoff on failures).
//
// # Heartbeats
//
// With Config.HeartbeatKey and Config.HeartbeatTargets, the agent sends a
// heartbeat every Config.HeartbeatInterval over UDP to the next target in
// turn: Octavia's message version 3 (package health/heartbeat), signed with
// the key, carrying the status of every frontend (listener), backend (pool,
// "<pool_id>:<listener_id>") and server (member) of every HAProxy it runs,
// and per listener the bytes, connections and request errors counted since
// the previous heartbeat, with the connections open now. An HAProxy that
// should run but does not contributes nothing: its listeners are missing,
// which the controller reads as down. The sequence number and the counters'
// bases are kept in <DataDir>/heartbeat.json, so a restarted agent neither
// reuses a sequence number nor counts traffic twice; before a reload or a
// stop replaces an HAProxy process, the agent keeps what it counted.
package agent
