// Package heartbeat is the wire format of amphora heartbeats, Octavia's
// (octavia/amphorae/backends/health_daemon/status_message.py, message
// version 3): one UDP datagram that is the zlib-compressed (level 9) JSON
// message followed by the 64 lowercase hex digits of the HMAC-SHA256 of the
// compressed bytes, keyed with the amphora's heartbeat key. Open also
// accepts the 32-byte binary digest of older amphorae.
//
// The key depends on the amphora, and the amphora is named inside the
// compressed message: a receiver decompresses first (bounded by
// MaxMessageBytes), then verifies the digest over the compressed bytes with
// the key of the amphora the message claims to come from (Open, then
// Envelope.Verify).
package heartbeat

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Version is the message version this package writes: counters are deltas
// since the amphora's previous message (conns excepted).
const Version = 3

// MaxDatagram is the largest heartbeat that fits one UDP datagram over IPv4.
const MaxDatagram = 65507

// MaxMessageBytes bounds the decompressed JSON a receiver accepts (a
// compressed datagram cannot inflate without limit).
const MaxMessageBytes = 4 << 20

// Statuses as HAProxy reports them, and as they travel in a message.
const (
	ListenerOpen = "OPEN" // below maxconn
	ListenerFull = "FULL" // at maxconn

	PoolUp   = "UP"   // a server (or none) can take traffic
	PoolDown = "DOWN" // no server can

	MemberUp         = "UP"         // also "UP 1/3": going down
	MemberDown       = "DOWN"       // also "DOWN 1/2": coming up
	MemberDrain      = "DRAIN"      // weight 0
	MemberMaint      = "MAINT"      // administratively down
	MemberNoCheck    = "no check"   // no health monitor
	MemberRestarting = "RESTARTING" // keepalived restarting: no news
)

// Message is a heartbeat: the amphora, its sequence number, and what every
// listener and pool it runs reports.
type Message struct {
	// ID is the amphora ID.
	ID string `json:"id"`
	// Seq increases with every message of the amphora, across restarts.
	Seq int64 `json:"seq"`
	// Ver is the message version (3).
	Ver int `json:"ver"`
	// Listeners by listener ID.
	Listeners map[string]Listener `json:"listeners"`
	// Pools by "<pool_id>:<listener_id>" (HAProxy's backend name).
	Pools map[string]Pool `json:"pools"`
}

// Listener is what a listener (an HAProxy frontend) reports.
type Listener struct {
	// Status is OPEN or FULL.
	Status string `json:"status"`
	Stats  Stats  `json:"stats"`
}

// Stats are a listener's counters: bytes out (tx) and in (rx), total
// connections and request errors since the previous message, and the
// connections open now (conns).
type Stats struct {
	Tx       int64 `json:"tx"`
	Rx       int64 `json:"rx"`
	Conns    int64 `json:"conns"`
	TotConns int64 `json:"totconns"`
	Ereq     int64 `json:"ereq"`
}

// Pool is what a pool behind one listener (an HAProxy backend) reports.
type Pool struct {
	// Status is UP or DOWN.
	Status string `json:"status"`
	// Members maps member IDs to their server status (Member* constants).
	Members map[string]string `json:"members"`
}

// Errors of Open and Verify; a receiver counts dropped datagrams by them.
var (
	// ErrMalformed is a datagram that is not a heartbeat: too short, not
	// zlib, too large once inflated, not the JSON of a message.
	ErrMalformed = errors.New("malformed heartbeat")
	// ErrBadHMAC is a heartbeat whose digest the amphora's key does not
	// produce: forged, or signed with another key.
	ErrBadHMAC = errors.New("heartbeat HMAC mismatch")
)

const (
	hexDigestLen = 2 * sha256.Size
	// minCompressed is the shortest zlib stream (header, empty block, checksum).
	minCompressed = 8
)

// Seal encodes m for the wire with key.
func Seal(m *Message, key []byte) ([]byte, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	if _, err := zw.Write(js); err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	sum := mac(buf.Bytes(), key)
	out := make([]byte, buf.Len(), buf.Len()+hexDigestLen)
	copy(out, buf.Bytes())
	return hex.AppendEncode(out, sum), nil
}

func mac(payload, key []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(payload)
	return h.Sum(nil)
}

// Envelope is a datagram decoded but not verified yet.
type Envelope struct {
	// Message is what the datagram claims; trust it after Verify only.
	Message *Message
	payload []byte
	digest  []byte
}

// Open decodes a datagram without verifying it: its Message names the
// amphora whose key Verify needs. Errors wrap ErrMalformed.
func Open(datagram []byte) (*Envelope, error) {
	var payload, digest []byte
	switch n := len(datagram); {
	case n >= hexDigestLen+minCompressed && isHex(datagram[n-hexDigestLen:]):
		payload = datagram[:n-hexDigestLen]
		digest = make([]byte, sha256.Size)
		if _, err := hex.Decode(digest, datagram[n-hexDigestLen:]); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
	case n >= sha256.Size+minCompressed:
		// An older amphora's binary digest.
		payload, digest = datagram[:n-sha256.Size], datagram[n-sha256.Size:]
	default:
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, n)
	}
	zr, err := zlib.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	js, err := io.ReadAll(io.LimitReader(zr, MaxMessageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(js) > MaxMessageBytes {
		return nil, fmt.Errorf("%w: more than %d bytes inflated", ErrMalformed, MaxMessageBytes)
	}
	var m Message
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if m.ID == "" || len(m.ID) > 255 {
		return nil, fmt.Errorf("%w: amphora id %q", ErrMalformed, m.ID)
	}
	return &Envelope{Message: &m, payload: payload, digest: digest}, nil
}

func isHex(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// Verify checks the datagram's digest with key (in constant time).
func (e *Envelope) Verify(key []byte) error {
	if len(key) == 0 || !hmac.Equal(e.digest, mac(e.payload, key)) {
		return ErrBadHMAC
	}
	return nil
}

// Decode opens a datagram and verifies it with the key that keyOf returns
// for the amphora it claims to come from; keyOf's error is returned as is.
func Decode(datagram []byte, keyOf func(amphoraID string) ([]byte, error)) (*Message, error) {
	env, err := Open(datagram)
	if err != nil {
		return nil, err
	}
	key, err := keyOf(env.Message.ID)
	if err != nil {
		return nil, err
	}
	if err := env.Verify(key); err != nil {
		return nil, err
	}
	return env.Message, nil
}
