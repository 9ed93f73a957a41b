package sched

// item is one ready node of one run.
type item struct {
	run  *Run
	prio int32
	node int32
	seq  uint64
}

// readyQueue orders ready nodes by priority (higher first), then by
// submission order (older first). Nodes of priority zero, the common case,
// go to a FIFO in O(1); the others to a binary heap.
type readyQueue struct {
	fifo []item
	head int
	heap []item
}

func (q *readyQueue) len() int { return len(q.fifo) - q.head + len(q.heap) }

func (q *readyQueue) push(it item) {
	if it.prio == 0 {
		q.fifo = append(q.fifo, it)
		return
	}
	q.heap = append(q.heap, it)
	h := q.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(h, i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *readyQueue) pop() item {
	if q.head < len(q.fifo) && (len(q.heap) == 0 || q.heap[0].prio < 0) {
		it := q.fifo[q.head]
		q.fifo[q.head] = item{}
		q.head++
		if q.head == len(q.fifo) {
			q.fifo, q.head = q.fifo[:0], 0
		} else if q.head > 1024 && q.head > len(q.fifo)/2 {
			n := copy(q.fifo, q.fifo[q.head:])
			clear(q.fifo[n:])
			q.fifo, q.head = q.fifo[:n], 0
		}
		return it
	}
	return q.popHeap()
}

func less(h []item, a, b int) bool {
	if h[a].prio != h[b].prio {
		return h[a].prio > h[b].prio
	}
	return h[a].seq < h[b].seq
}

func (q *readyQueue) popHeap() item {
	h := q.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = item{}
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && less(h, r, l) {
			m = r
		}
		if !less(h, m, i) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	q.heap = h
	return top
}
