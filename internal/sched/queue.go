package sched

// item is one ready node of one run.
type item struct {
	run  *Run
	prio int32
	node int32
	seq  uint64
}

// readyQueue is a binary heap ordered by priority (higher first), then by
// submission order (older first).
type readyQueue []item

func (q readyQueue) less(a, b int) bool {
	if q[a].prio != q[b].prio {
		return q[a].prio > q[b].prio
	}
	return q[a].seq < q[b].seq
}

func (q *readyQueue) push(it item) {
	*q = append(*q, it)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *readyQueue) pop() item {
	h := *q
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
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	if cap(h) > 1024 && len(h) < cap(h)/4 {
		*q = append(readyQueue(nil), h...)
	}
	return top
}
