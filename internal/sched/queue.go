package sched

// item is one ready node of one run.
type item struct {
	run  *Run
	prio int32
	node int32
	seq  uint64
	hot  bool // made ready by a dependency finishing: taken first (LIFO)
}

// readyQueue orders ready nodes by priority (higher first). Among nodes of
// priority zero, the common case, hot ones (made ready by a dependency that
// just finished) go first, newest first, from a stack; the others in
// submission order from a FIFO: the graph is run depth first, so that a
// value is consumed, and released, soon after it is made. Other priorities
// go to a binary heap, in submission order within a priority. Every
// operation is O(1) but the heap's.
type readyQueue struct {
	hot  []item
	fifo []item
	head int
	heap []item
}

func (q *readyQueue) len() int { return len(q.hot) + len(q.fifo) - q.head + len(q.heap) }

func (q *readyQueue) push(it item) {
	if it.prio == 0 {
		if it.hot {
			q.hot = append(q.hot, it)
			return
		}
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
	if n := len(q.hot); n > 0 && (len(q.heap) == 0 || q.heap[0].prio < 0) {
		it := q.hot[n-1]
		q.hot[n-1] = item{}
		q.hot = q.hot[:n-1]
		return it
	}
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
