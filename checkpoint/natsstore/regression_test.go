package natsstore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/natsstore"
	"github.com/cairnlabs/cairn/internal/natstest"
)

// R2-5: readChunks trusts the object's meta record for its first
// allocation (make([]byte, 0, info.Size)): a meta record whose size is
// absurd (written by another client of the shared server, or damaged)
// makes Get panic (makeslice: cap out of range) and crash the process, or
// allocate terabytes, instead of returning an error.
func TestRegressionHugeMetaSizePanics(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	_, js := s.Connect(t)
	d, err := natsstore.New(ctx, js, "hostile")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Put(ctx, "k", bytes.NewReader([]byte("hello")), 5); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, "OBJ_hostile")
	if err != nil {
		t.Fatal(err)
	}
	subj := "$O.hostile.M." + base64.URLEncoding.EncodeToString([]byte("k"))
	m, err := st.GetLastMsgForSubject(ctx, subj)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	if err := json.Unmarshal(m.Data, &info); err != nil {
		t.Fatal(err)
	}
	info["size"] = uint64(1) << 62
	b, _ := json.Marshal(info)
	if _, err := js.Publish(ctx, subj, b); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Get panicked on a meta record with an absurd size: %v", p)
		}
	}()
	if _, err := d.Get(ctx, "k"); err == nil {
		t.Fatal("Get succeeded")
	}
}
