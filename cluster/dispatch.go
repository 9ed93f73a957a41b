package cluster

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/cairnlabs/cairn/exec"
	"github.com/nats-io/nats.go"
)

// maxBatchBytes keeps a task message well under NATS's payload limit.
const maxBatchBytes = 512 << 10

// dispatcher sends queued tasks to their workers' subjects, as many per
// message as are queued for one worker when it gets to them: under load,
// tasks travel in batches; alone, at once.
type dispatcher struct {
	e *Executor

	mu      sync.Mutex
	cond    sync.Cond
	pending []*call
	closed  bool
	done    chan struct{}
}

func newDispatcher(e *Executor) *dispatcher {
	d := &dispatcher{e: e, done: make(chan struct{})}
	d.cond.L = &d.mu
	go d.loop()
	return d
}

func (d *dispatcher) queue(c *call) {
	d.mu.Lock()
	d.pending = append(d.pending, c)
	d.cond.Signal()
	d.mu.Unlock()
}

func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Signal()
	d.mu.Unlock()
	<-d.done
}

func (d *dispatcher) loop() {
	defer close(d.done)
	for {
		d.mu.Lock()
		for len(d.pending) == 0 && !d.closed {
			d.cond.Wait()
		}
		if d.closed {
			d.mu.Unlock()
			return
		}
		q := d.pending
		d.pending = nil
		d.mu.Unlock()
		d.send(q)
	}
}

// send groups calls by worker into messages and publishes them. A task
// that was lost before travels in a message of its own.
func (d *dispatcher) send(q []*call) {
	byWorker := map[string][]*call{}
	var order []string
	for _, c := range q {
		if c.task.Alone {
			d.publish(c.worker, []*call{c})
			continue
		}
		if _, ok := byWorker[c.worker]; !ok {
			order = append(order, c.worker)
		}
		byWorker[c.worker] = append(byWorker[c.worker], c)
	}
	for _, w := range order {
		cs := byWorker[w]
		for len(cs) > 0 {
			k, size := 0, 0
			for k < len(cs) && (k == 0 || size+taskSize(cs[k].task) < maxBatchBytes) {
				size += taskSize(cs[k].task)
				k++
			}
			d.publish(w, cs[:k])
			cs = cs[k:]
		}
	}
}

// taskSize estimates a task's encoded size.
func taskSize(t *wireTask) int {
	n := 64 + len(t.Name) + len(t.Func) + len(t.Key)
	for i := range t.Args {
		n += argSize(&t.Args[i])
	}
	return n
}

func argSize(a *wireArg) int {
	n := 16 + len(a.Data) + len(a.Key) + len(a.Worker) + len(a.Addr)
	for i := range a.Elems {
		n += argSize(&a.Elems[i])
	}
	for i := range a.Keys {
		n += argSize(&a.Keys[i])
	}
	return n
}

// publish sends one message of tasks; its acknowledgement, or failure, is
// handled when it comes.
func (d *dispatcher) publish(worker string, cs []*call) {
	e := d.e
	ts := make([]*wireTask, len(cs))
	for i, c := range cs {
		ts[i] = c.task
	}
	fut, err := e.js.PublishAsync(e.n.tasks(worker), encodeTasks(e.id, ts))
	if err != nil {
		d.failed(cs, err)
		return
	}
	go func() {
		select {
		case ack := <-fut.Ok():
			e.mu.Lock()
			for _, c := range cs {
				c.msg = ack.Sequence
			}
			if _, live := e.calls[cs[0].seq]; live {
				seqs := make([]uint64, len(cs))
				for i, c := range cs {
					seqs[i] = c.seq
				}
				e.bySeqMsg[ack.Sequence] = seqs
			}
			e.mu.Unlock()
		case err := <-fut.Err():
			d.failed(cs, err)
		}
	}()
}

// failed answers calls whose message could not be sent: lost, so that
// they are tried again.
func (d *dispatcher) failed(cs []*call, err error) {
	for _, c := range cs {
		d.e.finish(c, answer{worker: c.worker, err: &exec.LostError{Worker: c.worker, Err: fmt.Errorf("sending the task: %w", err)}})
	}
}

// subscribe listens for results, checkpoint outcomes and JetStream's
// max-deliveries advisories.
func (e *Executor) subscribe() error {
	if _, err := e.nc.Subscribe(e.n.results(e.id), e.onResults); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if _, err := e.nc.Subscribe(e.n.maxDeliveries(), e.onMaxDeliveries); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return nil
}

func (e *Executor) onResults(m *nats.Msg) {
	worker, rs, err := decodeResults(m.Data)
	if err != nil {
		e.cfg.Logger.Warn("cairn: driver ignoring a result message it cannot read", "err", err)
		return
	}
	e.stats.recvMsgs.Add(1)
	for _, r := range rs {
		if r.Kind == resCheckpoint {
			e.checkpointed(r)
			continue
		}
		e.mu.Lock()
		c := e.calls[r.Seq]
		e.mu.Unlock()
		if r.Kind == resDeclined && c != nil {
			e.declined(worker)
			e.finish(c, answer{worker: worker, err: errDeclined})
			continue
		}
		if c == nil || !e.finish(c, answer{res: r, worker: worker}) {
			// Answered already (lost and sent again, or cancelled): a
			// value kept for it is nobody's.
			if r.Kind == resOK && !r.Inline {
				e.release.queue(worker, r.Chunk)
			}
		}
	}
}

// maxDeliveriesAdvisory is the part of JetStream's advisory the driver
// reads.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries int    `json:"deliveries"`
}

// onMaxDeliveries fails the tasks of a message that was delivered too many
// times without an acknowledgement.
func (e *Executor) onMaxDeliveries(m *nats.Msg) {
	var adv maxDeliveriesAdvisory
	if err := json.Unmarshal(m.Data, &adv); err != nil {
		return
	}
	e.mu.Lock()
	seqs := e.bySeqMsg[adv.StreamSeq]
	delete(e.bySeqMsg, adv.StreamSeq)
	var cs []*call
	for _, s := range seqs {
		if c := e.calls[s]; c != nil {
			cs = append(cs, c)
		}
	}
	e.mu.Unlock()
	for _, c := range cs {
		e.finish(c, answer{worker: c.worker, err: &DeliveryError{Worker: c.worker, Deliveries: adv.Deliveries}})
	}
}
