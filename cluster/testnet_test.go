package cluster_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// testNet is a private network of three Linux network namespaces, a, b and
// c, that stand for three hosts: a bridge inside a, holding a's address,
// and a veth pair from the bridge to each of b and c. Nothing of it lives
// in the namespace the test runs in, so it touches neither the machine's
// interfaces, routes nor firewall, and removing the three namespaces
// removes all of it. Every name carries a random suffix, and the /24 is
// chosen at random in 10.0.0.0/8, so that concurrent runs do not collide.
type testNet struct {
	suffix string
	ns     [3]string // namespace names: a, b, c
	addr   [3]string // their addresses, without the prefix length
	bridge string    // the bridge, in a
}

// netnsSkip skips t unless it can make network namespaces: not with -short,
// not as another user than root, not without iproute2's ip.
func netnsSkip(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the network-namespace cluster test (needs root and iproute2)")
	}
	if os.Geteuid() != 0 {
		t.Skip("skipping: making network namespaces needs root (CI runs this test as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: no `ip` command for network namespaces: apt-get install iproute2")
	}
	if out, err := exec.Command("ip", "netns", "list").CombinedOutput(); err != nil {
		t.Skipf("skipping: `ip netns` does not work here (%v: %s): needs iproute2 with netns support", err, bytes.TrimSpace(out))
	}
}

// newTestNet makes the network, and removes it when t ends, whether it
// passes or fails. It skips t if the namespaces cannot be made for lack
// of privilege (root without CAP_SYS_ADMIN, as in an unprivileged
// container).
func newTestNet(ctx context.Context, t *testing.T) *testNet {
	t.Helper()
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	n := &testNet{suffix: hex.EncodeToString(r[:4])}
	for i, s := range []string{"a", "b", "c"} {
		n.ns[i] = "cairn-ns-" + n.suffix + "-" + s
		// 10.x.y.0/24 with x in 16..255, clear of the 10.0.x.y that
		// container runtimes like; the namespaces see no other network.
		n.addr[i] = fmt.Sprintf("10.%d.%d.%d", 16+int(r[4])%240, r[5], i+1)
	}
	n.bridge = "cbr" + n.suffix
	n.remove() // leftovers of the same names, from a run that was killed
	t.Cleanup(func() {
		n.remove()
		if left := n.leftovers(); left != "" {
			t.Errorf("network namespaces left behind after removal: %s", left)
		}
	})
	if out, err := n.ip(ctx, "", "netns", "add", n.ns[0]); err != nil {
		if bytes.Contains(out, []byte("ermission")) || bytes.Contains(out, []byte("not permitted")) {
			t.Skipf("skipping: cannot make a network namespace (%s): needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN (a privileged container)", bytes.TrimSpace(out))
		}
		t.Fatalf("ip netns add %s: %v: %s", n.ns[0], err, out)
	}
	steps := [][]string{
		{"", "netns", "add", n.ns[1]},
		{"", "netns", "add", n.ns[2]},
		{n.ns[0], "link", "add", n.bridge, "type", "bridge"},
		{n.ns[0], "addr", "add", n.addr[0] + "/24", "dev", n.bridge},
		{n.ns[0], "link", "set", n.bridge, "up"},
	}
	for i := range n.ns {
		steps = append(steps, []string{n.ns[i], "link", "set", "lo", "up"})
	}
	for i, s := range []string{"b", "c"} {
		hub, host := "cv"+n.suffix+s, "ce"+n.suffix+s // bridge side in a, host side in b or c
		ns := n.ns[i+1]
		steps = append(steps,
			[]string{n.ns[0], "link", "add", hub, "type", "veth", "peer", "name", host, "netns", ns},
			[]string{n.ns[0], "link", "set", hub, "master", n.bridge},
			[]string{n.ns[0], "link", "set", hub, "up"},
			[]string{ns, "addr", "add", n.addr[i+1] + "/24", "dev", host},
			[]string{ns, "link", "set", host, "up"},
		)
	}
	for _, s := range steps {
		if out, err := n.ip(ctx, s[0], s[1:]...); err != nil {
			t.Fatalf("making the test network: ip %s: %v: %s", strings.Join(s[1:], " "), err, out)
		}
	}
	return n
}

// ip runs ip with args, inside namespace ns unless ns is empty.
func (n *testNet) ip(ctx context.Context, ns string, args ...string) ([]byte, error) {
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "ip", args...).CombinedOutput()
}

// remove deletes the namespaces, and with them the bridge and the veth
// pairs inside them. Processes still inside keep a namespace alive until
// they exit, so callers stop theirs first.
func (n *testNet) remove() {
	for _, ns := range n.ns {
		if ns != "" {
			_, _ = n.ip(context.Background(), "", "netns", "delete", ns)
		}
	}
}

// leftovers lists this network's namespaces that still exist.
func (n *testNet) leftovers() string {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return fmt.Sprintf("(ip netns list: %v)", err)
	}
	var left []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.Contains(f[0], n.suffix) {
			left = append(left, f[0])
		}
	}
	return strings.Join(left, ", ")
}

// command returns a command that runs name with args inside namespace ns
// (`ip netns exec`, which execs in place: the process keeps the command's
// PID).
func (n *testNet) command(ctx context.Context, ns, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}
