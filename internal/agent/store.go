package agent

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lbFiles is the on-disk layout of one load balancer under DataDir:
//
//	lb/<lb_id>/revisions/<N>.cfg   accepted configurations (current and previous)
//	lb/<lb_id>/haproxy.cfg         symlink to the current revision; HAProxy runs -f on it
//	lb/<lb_id>/state.json          desired state, master pid, loaded revision
//	lb/<lb_id>/haproxy.pid         written by HAProxy (-p)
//	lb/<lb_id>/haproxy.log         HAProxy's output at its last start
//	lb/<lb_id>/master.sock         HAProxy's master CLI (-S)
//
// Switching revisions is one rename of the symlink, so the revision and the
// content can never disagree after a crash.
type lbFiles struct {
	dir string
}

const (
	revisionsDir  = "revisions"
	cfgLinkName   = "haproxy.cfg"
	stateFileName = "state.json"
)

func (f lbFiles) cfgLink() string    { return filepath.Join(f.dir, cfgLinkName) }
func (f lbFiles) revDir() string     { return filepath.Join(f.dir, revisionsDir) }
func (f lbFiles) statePath() string  { return filepath.Join(f.dir, stateFileName) }
func (f lbFiles) pidFile() string    { return filepath.Join(f.dir, "haproxy.pid") }
func (f lbFiles) logFile() string    { return filepath.Join(f.dir, "haproxy.log") }
func (f lbFiles) masterSock() string { return filepath.Join(f.dir, "master.sock") }

func (f lbFiles) revPath(rev int64) string {
	return filepath.Join(f.revDir(), strconv.FormatInt(rev, 10)+".cfg")
}

// current returns the current revision and the path of its file; rev is 0
// when no configuration was ever stored.
func (f lbFiles) current() (rev int64, path string, err error) {
	target, err := os.Readlink(f.cfgLink())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", err
	}
	base := filepath.Base(target)
	rev, err = strconv.ParseInt(strings.TrimSuffix(base, ".cfg"), 10, 64)
	if err != nil || !strings.HasSuffix(base, ".cfg") || rev < 1 {
		return 0, "", fmt.Errorf("corrupt configuration link %s -> %s", f.cfgLink(), target)
	}
	return rev, f.revPath(rev), nil
}

// writeIncoming writes an uploaded configuration to a temporary file in the
// revisions directory, fsynced, and returns its path.
func (f lbFiles) writeIncoming(cfg []byte) (string, error) {
	if err := os.MkdirAll(f.revDir(), 0o750); err != nil {
		return "", err
	}
	t, err := os.CreateTemp(f.revDir(), ".incoming-*.cfg")
	if err != nil {
		return "", err
	}
	name := t.Name()
	_, err = t.Write(cfg)
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// commit makes the validated file at incoming revision rev and switches the
// current configuration to it; the previous revision's file is kept, older
// ones are removed.
func (f lbFiles) commit(incoming string, rev, prev int64) error {
	if err := os.Rename(incoming, f.revPath(rev)); err != nil {
		return err
	}
	if err := syncDir(f.revDir()); err != nil {
		return err
	}
	tmpLink := filepath.Join(f.dir, ".haproxy.cfg-"+randomSuffix())
	if err := os.Symlink(filepath.Join(revisionsDir, strconv.FormatInt(rev, 10)+".cfg"), tmpLink); err != nil {
		return err
	}
	if err := os.Rename(tmpLink, f.cfgLink()); err != nil {
		os.Remove(tmpLink)
		return err
	}
	if err := syncDir(f.dir); err != nil {
		return err
	}
	f.prune(rev, prev)
	return nil
}

// prune removes revision files other than keep and prev, and stale uploads.
func (f lbFiles) prune(keep, prev int64) {
	entries, err := os.ReadDir(f.revDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if name == filepath.Base(f.revPath(keep)) || (prev > 0 && name == filepath.Base(f.revPath(prev))) {
			continue
		}
		os.Remove(filepath.Join(f.revDir(), name))
	}
}

// lbState is what the agent records about a load balancer's HAProxy.
type lbState struct {
	Desired        string `json:"desired"`
	MasterPID      int    `json:"master_pid,omitempty"`
	MasterStart    uint64 `json:"master_start,omitempty"`
	LoadedRevision int64  `json:"loaded_revision,omitempty"`
}

func (f lbFiles) loadState() (lbState, error) {
	b, err := os.ReadFile(f.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return lbState{Desired: DesiredStopped}, nil
	}
	if err != nil {
		return lbState{}, err
	}
	var st lbState
	if err := json.Unmarshal(b, &st); err != nil {
		return lbState{}, fmt.Errorf("corrupt %s: %w", f.statePath(), err)
	}
	if st.Desired != DesiredRunning {
		st.Desired = DesiredStopped
	}
	return st, nil
}

func (f lbFiles) saveState(st lbState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(f.statePath(), append(b, '\n'), 0o600)
}

// writeFileAtomic writes data to path through a fsynced temporary file and a
// rename, then fsyncs the directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	t, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	name := t.Name()
	err = t.Chmod(perm)
	if err == nil {
		_, err = t.Write(data)
	}
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
