package cluster

import (
	"fmt"
	"strings"
)

// names are the NATS subjects, stream and bucket of one cluster name: a
// few fixed subjects, never one per task.
type names struct {
	cluster string
}

func newNames(cluster string) (names, error) {
	if cluster == "" {
		cluster = "cairn"
	}
	for _, c := range cluster {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return names{}, fmt.Errorf("cluster: name %q: use letters, digits, - and _ only", cluster)
		}
	}
	return names{cluster: cluster}, nil
}

// stream holds ready tasks (work-queue retention).
func (n names) stream() string {
	return "CAIRN_" + strings.ToUpper(strings.ReplaceAll(n.cluster, "-", "_")) + "_TASKS"
}

// tasks is the subject of one worker's tasks.
func (n names) tasks(worker string) string { return "cairn." + n.cluster + ".task." + worker }

// allTasks matches every worker's tasks: the stream's subjects.
func (n names) allTasks() string { return "cairn." + n.cluster + ".task.*" }

// consumer is the durable consumer of one worker's tasks.
func (n names) consumer(worker string) string { return "w-" + worker }

// results is the subject one driver's results come back on.
func (n names) results(driver string) string { return "cairn." + n.cluster + ".res." + driver }

// control is the subject of control messages to one worker.
func (n names) control(worker string) string { return "cairn." + n.cluster + ".ctl." + worker }

// bucket holds membership: the driver's entry and one per worker.
func (n names) bucket() string { return "cairn_" + strings.ReplaceAll(n.cluster, "-", "_") }

// maxDeliveries is the advisory JetStream publishes when a task message
// was delivered MaxDeliver times without an acknowledgement.
func (n names) maxDeliveries() string {
	return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + n.stream() + ".*"
}

const (
	driverKey    = "driver"
	workerPrefix = "workers."
)

// validID reports whether s may be a worker's identity: one NATS subject
// token and a consumer name.
func validID(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("cluster: worker id %q: 1 to 64 characters", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("cluster: worker id %q: use letters, digits, - and _ only", s)
		}
	}
	return nil
}
