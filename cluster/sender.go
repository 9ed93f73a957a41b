package cluster

import (
	"sync"

	"github.com/nats-io/nats.go"
)

// resultSender sends a worker's results to its driver, as many in one
// message as are ready: results queue while a message is being sent.
type resultSender struct {
	nc      *nats.Conn
	subject string
	worker  string

	mu      sync.Mutex
	cond    sync.Cond
	queue   []*wireResult
	after   []func() // called once their results are sent
	sending bool
	closed  bool
	n       int // queued, not yet sent
}

func newResultSender(nc *nats.Conn, subject, worker string) *resultSender {
	s := &resultSender{nc: nc, subject: subject, worker: worker}
	s.cond.L = &s.mu
	go s.loop()
	return s
}

// add queues a result; sent, if not nil, is called once it is sent.
func (s *resultSender) add(r *wireResult, sent func()) {
	s.mu.Lock()
	s.queue = append(s.queue, r)
	if sent != nil {
		s.after = append(s.after, sent)
	}
	s.n++
	s.cond.Signal()
	s.mu.Unlock()
}

// pending reports results queued and not yet sent.
func (s *resultSender) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *resultSender) loop() {
	s.mu.Lock()
	for {
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if len(s.queue) == 0 && s.closed {
			s.mu.Unlock()
			return
		}
		q, after := s.queue, s.after
		s.queue, s.after = nil, nil
		s.sending = true
		sent := len(q)
		s.mu.Unlock()
		// A message stays under the server's payload limit.
		for len(q) > 0 {
			k, size := 0, 0
			for k < len(q) && (k == 0 || size+len(q[k].Data) < 512<<10) {
				size += len(q[k].Data) + 64
				k++
			}
			_ = s.nc.Publish(s.subject, encodeResults(s.worker, q[:k]))
			q = q[k:]
		}
		// No flush: the acknowledgements these callbacks lead to travel on
		// the same connection, after the results; a connection lost before
		// they reach the server loses both, and JetStream delivers the
		// tasks again.
		for _, f := range after {
			f()
		}
		s.mu.Lock()
		s.n -= sent
		s.sending = false
		s.cond.Broadcast()
	}
}

// flush waits until every queued result is sent.
func (s *resultSender) flush() {
	s.mu.Lock()
	for len(s.queue) > 0 || s.sending {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

func (s *resultSender) close() {
	s.flush()
	s.mu.Lock()
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
}
