package cluster

import (
	"encoding/json"
	"time"
)

// memberInfo is a worker's entry in the membership bucket, put again at
// every heartbeat.
type memberInfo struct {
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Binary  string    `json:"binary"`
	Addr    string    `json:"addr"` // data plane, host:port
	Slots   int       `json:"slots"`
	State   string    `json:"state"` // "ready" or "draining"
	Driver  string    `json:"driver"`
	Started time.Time `json:"started"`
	Chunks  int       `json:"chunks"`
	Memory  int64     `json:"memory"`
	Spilled int64     `json:"spilled"`
	Tasks   int64     `json:"tasks"`
	// Fetched and FetchNanos: bytes of inputs fetched from other processes,
	// and the time it took.
	Fetched    int64 `json:"fetched"`
	FetchNanos int64 `json:"fetch_ns"`
}

// driverInfo is the driver's entry, put again at every heartbeat.
type driverInfo struct {
	ID         string        `json:"id"`
	Host       string        `json:"host"`
	PID        int           `json:"pid"`
	Results    string        `json:"results"`
	Secret     string        `json:"secret"`
	InlineMax  int           `json:"inline_max"`
	AckWait    time.Duration `json:"ack_wait"`
	MaxDeliver int           `json:"max_deliver"`
	Heartbeat  time.Duration `json:"heartbeat"`
	Timeout    time.Duration `json:"timeout"`
	Started    time.Time     `json:"started"`
	Beat       uint64        `json:"beat"`
}

const (
	stateReady    = "ready"
	stateDraining = "draining"
)

func marshalJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
