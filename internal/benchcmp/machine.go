package benchcmp

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a comparison ran, for the report's header.
type Machine struct {
	CPU        string  `json:"cpu"`
	CPUs       int     `json:"cpus"`
	GOMAXPROCS int     `json:"gomaxprocs"`
	MemoryGiB  float64 `json:"memory_gib"`
	OS         string  `json:"os"`
	Arch       string  `json:"arch"`
	Go         string  `json:"go"`
	// LoadStart and LoadEnd are the 1-, 5- and 15-minute load averages
	// when the run started and ended (Linux; empty elsewhere).
	LoadStart string `json:"load_start,omitempty"`
	LoadEnd   string `json:"load_end,omitempty"`
}

// thisMachine describes the machine this process runs on.
func thisMachine() Machine {
	m := Machine{
		CPU: cpuModel(), CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version(), LoadStart: loadAvg(),
	}
	if kb := meminfoKB("MemTotal"); kb > 0 {
		m.MemoryGiB = float64(kb) / (1 << 20)
	}
	return m
}

// String is the machine in one line.
func (m Machine) String() string {
	s := fmt.Sprintf("%d CPUs (%s), GOMAXPROCS %d, %.0f GiB, %s/%s, %s",
		m.CPUs, m.CPU, m.GOMAXPROCS, m.MemoryGiB, m.OS, m.Arch, m.Go)
	if m.LoadStart != "" {
		s += fmt.Sprintf("; load average %s at the start, %s at the end", m.LoadStart, m.LoadEnd)
	}
	return s
}

// loadAvg returns the three load averages of /proc/loadavg, or "".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		return v
	}
	return "unknown CPU"
}

func meminfoKB(key string) int64 {
	v := strings.TrimSuffix(procField("/proc/meminfo", key), " kB")
	n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n
}

// procField returns the value of the first "key: value" line of a /proc
// file, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
