package heartbeat_test

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
	"reflect"
	"strings"
	"testing"

	"github.com/lbaas/terraform-provider-lbaas/internal/health/heartbeat"
)

// octaviaDatagram is what Octavia's status_message.wrap_envelope produces
// (Python: zlib.compress(json.dumps(msg).encode(), 9) followed by the
// hexdigest of hmac.new(b"insecure", payload, sha256)) for octaviaMessage.
const octaviaDatagram = "78da9d8fcd4ec3400c845f25da3316fb97b5db335cdb5e10e7cdda2b556a13480242aaf2ee38a9803bb7196bfc69e666ce6cf68d49d9761ddb08a1c40c915d861d0781e88aad5842b5d99987c64cf2aef1842a3f655419545dced32cbd8c93fa9bb13904e7d901958a0ac804c43e8223e7638a890ae3169ce63c7fac3fe6787a3e6c74bddc21f3d7ca4ed6ea755cb58f9b2e43dfaf09a77a1ee65febd5cbb89573cbb2a87b1b86cb9d156d1b8448a0f8ae858825c18e50b70542a6808588f7ff68fd725a3b5fe5dafd4c471bc4a35810accac7d841173c43a2bacb9445aac5bf4f9f999d38040c3981eef3403e57680369198cd27259d34fc7d743e31ebdd161cb375602726266313961316539393161386237636361663138623832363764326461326430323034353031323537656562616233333161383936383462386661353064383731"

// octaviaLegacyDatagram is the same with the binary digest (hmac digest()),
// as amphorae before Octavia's hexdigest change send it.
const octaviaLegacyDatagram = "78da9d8fcd4ec3400c845f25da3316fb97b5db335cdb5e10e7cdda2b556a13480242aaf2ee38a9803bb7196bfc69e666ce6cf68d49d9761ddb08a1c40c915d861d0781e88aad5842b5d99987c64cf2aef1842a3f655419545dced32cbd8c93fa9bb13904e7d901958a0ac804c43e8223e7638a890ae3169ce63c7fac3fe6787a3e6c74bddc21f3d7ca4ed6ea755cb58f9b2e43dfaf09a77a1ee65febd5cbb89573cbb2a87b1b86cb9d156d1b8448a0f8ae858825c18e50b70542a6808588f7ff68fd725a3b5fe5dafd4c471bc4a35810accac7d841173c43a2bacb9445aac5bf4f9f999d38040c3981eef3403e57680369198cd27259d34fc7d743e31ebdd161cb3756027262f19a1e991a8b7ccaf18b8267d2da2d0204501257eebab331a89684b8fa50d871"

var octaviaMessage = &heartbeat.Message{
	ID: "6a0bbd04-3c4a-4d1a-9d3e-41c0f7c3f0a1", Seq: 67, Ver: 3,
	Listeners: map[string]heartbeat.Listener{
		"0a3312d1-8cf7-41a8-8d24-181246468cd7": {Status: "OPEN", Stats: heartbeat.Stats{Tx: 3600, Rx: 2400, Conns: 1, TotConns: 12, Ereq: 1}},
	},
	Pools: map[string]heartbeat.Pool{
		"4053e88e-c2b5-47c6-987e-4387d837c88d:0a3312d1-8cf7-41a8-8d24-181246468cd7": {Status: "UP", Members: map[string]string{
			"703e27e0-e7fe-474b-b32d-68f9a8aeef07": "UP", "2add1e17-73a6-4002-82af-538a3374e5dc": "DOWN 1/2",
		}},
	},
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func keyOf(key string) func(string) ([]byte, error) {
	return func(string) ([]byte, error) { return []byte(key), nil }
}

func TestOpensOctaviaDatagrams(t *testing.T) {
	t.Parallel()
	for name, d := range map[string]string{"hex digest": octaviaDatagram, "binary digest": octaviaLegacyDatagram} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := heartbeat.Decode(mustHex(t, d), keyOf("insecure"))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(m, octaviaMessage) {
				t.Fatalf("decoded %+v, want %+v", m, octaviaMessage)
			}
			if _, err := heartbeat.Decode(mustHex(t, d), keyOf("secure")); !errors.Is(err, heartbeat.ErrBadHMAC) {
				t.Fatalf("Decode with another key: %v, want ErrBadHMAC", err)
			}
		})
	}
}

// TestSealWritesOctaviasFormat checks the bytes: a zlib stream at level 9,
// then 64 lowercase hex digits of the HMAC-SHA256 of that stream, and JSON
// with Octavia's field names.
func TestSealWritesOctaviasFormat(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef")
	d, err := heartbeat.Seal(octaviaMessage, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) < 64+2 || d[0] != 0x78 || d[1] != 0xda {
		t.Fatalf("not a level-9 zlib stream: % x", d[:min(len(d), 4)])
	}
	payload, digest := d[:len(d)-64], string(d[len(d)-64:])
	h := hmac.New(sha256.New, key)
	h.Write(payload)
	if want := hex.EncodeToString(h.Sum(nil)); digest != want {
		t.Fatalf("digest %q, want %q", digest, want)
	}
	zr, err := zlib.NewReader(bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "seq", "ver", "listeners", "pools"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("message lacks %q: %s", k, js)
		}
	}
	for _, k := range []string{`"tx":3600`, `"rx":2400`, `"conns":1`, `"totconns":12`, `"ereq":1`, `"status":"OPEN"`, `"members":{`, `"DOWN 1/2"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("message lacks %s: %s", k, js)
		}
	}
	// Round trip.
	m, err := heartbeat.Decode(d, keyOf(string(key)))
	if err != nil || !reflect.DeepEqual(m, octaviaMessage) {
		t.Fatalf("round trip: %+v, %v", m, err)
	}
}

func TestForgedDatagramsFailVerification(t *testing.T) {
	t.Parallel()
	key := []byte("the key")
	d, err := heartbeat.Seal(octaviaMessage, key)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := heartbeat.Seal(&heartbeat.Message{ID: octaviaMessage.ID, Seq: 1 << 40, Ver: 3}, []byte("not the key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := heartbeat.Decode(forged, keyOf(string(key))); !errors.Is(err, heartbeat.ErrBadHMAC) {
		t.Fatalf("wrong key: %v, want ErrBadHMAC", err)
	}
	if _, err := heartbeat.Decode(d, keyOf("")); !errors.Is(err, heartbeat.ErrBadHMAC) {
		t.Fatalf("empty key: %v, want ErrBadHMAC", err)
	}
	// Any flipped bit of the digest or of the payload is caught.
	for i := range d {
		c := bytes.Clone(d)
		c[i] ^= 0x01
		if _, err := heartbeat.Decode(c, keyOf(string(key))); err == nil {
			t.Fatalf("byte %d flipped: accepted", i)
		} else if !errors.Is(err, heartbeat.ErrBadHMAC) && !errors.Is(err, heartbeat.ErrMalformed) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	wantErr := errors.New("unknown amphora")
	if _, err := heartbeat.Decode(d, func(string) ([]byte, error) { return nil, wantErr }); !errors.Is(err, wantErr) {
		t.Fatalf("keyOf's error: %v", err)
	}
}

func TestMalformedDatagrams(t *testing.T) {
	t.Parallel()
	key := []byte("k")
	d, err := heartbeat.Seal(octaviaMessage, key)
	if err != nil {
		t.Fatal(err)
	}
	seal := func(raw []byte) []byte {
		var buf bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
		zw.Write(raw)
		zw.Close()
		h := hmac.New(sha256.New, key)
		h.Write(buf.Bytes())
		return hex.AppendEncode(buf.Bytes(), h.Sum(nil))
	}
	cases := map[string][]byte{
		"empty":         nil,
		"one byte":      {0x78},
		"digest only":   []byte(strings.Repeat("a", 64)),
		"garbage":       bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 40),
		"text":          []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat("x", 80)),
		"not json":      seal([]byte("hello")),
		"no id":         seal([]byte(`{"seq":1,"ver":3}`)),
		"wrong types":   seal([]byte(`{"id":"a","seq":"one"}`)),
		"inflates big":  seal(bytes.Repeat([]byte(" "), heartbeat.MaxMessageBytes+1)),
		"json then pad": seal([]byte(`{"id":"a"} x`)),
	}
	for n := 1; n < len(d); n += 7 {
		cases[fmt.Sprintf("truncated to %d bytes", n)] = d[:n]
	}
	for name, dg := range cases {
		_, err := heartbeat.Decode(dg, keyOf(string(key)))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, heartbeat.ErrMalformed) && !errors.Is(err, heartbeat.ErrBadHMAC) {
			t.Errorf("%s: %v, want ErrMalformed or ErrBadHMAC", name, err)
		}
	}
	for _, name := range []string{"empty", "garbage", "not json", "no id", "inflates big"} {
		if _, err := heartbeat.Decode(cases[name], keyOf(string(key))); !errors.Is(err, heartbeat.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}
