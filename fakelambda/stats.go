package fakelambda

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Stats describes what a function has done since Start.
type Stats struct {
	// Instances is how many processes were started (each one an init).
	Instances int
	// Live is how many are running now.
	Live int
	// Invocations counts invocations handed to a runtime.
	Invocations int
	// Inits holds, per instance that reached its first
	// /runtime/invocation/next, the time from exec to that request.
	Inits []time.Duration
	// ColdStarts holds, per instance that answered its first invocation,
	// Init plus that invocation's duration (delivery to response or error):
	// what a caller of a cold function waits for beyond its own latency.
	ColdStarts []time.Duration
	// PeakRSS is the largest peak resident set size, in bytes, of any one
	// instance: the sum of the kernel's high-water marks (VmHWM) over its
	// process tree, not counting the `sh` that runs Command. The marks are
	// read for live instances when Stats is called and before every kill;
	// a process that exits on its own contributes the maxrss the kernel
	// reports for it and the children it waited for.
	PeakRSS uint64
}

// treePeakRSS sums VmHWM over pid and its descendants; skipRoot leaves pid
// itself out (it is the `sh -c` wrapper, still waiting for the function). Processes that vanish while being
// read count as zero. Linux only: elsewhere it returns 0.
func treePeakRSS(pid int, skipRoot bool) uint64 {
	var total uint64
	seen := map[int]bool{}
	var walk func(pid int, count bool)
	walk = func(pid int, count bool) {
		if seen[pid] || len(seen) > 4096 {
			return
		}
		seen[pid] = true
		if count {
			total += vmHWM(pid)
		}
		for _, child := range children(pid) {
			walk(child, true)
		}
	}
	walk(pid, !skipRoot)
	return total
}

// executable returns the resolved path of pid's executable ("" if gone).
func executable(pid int) string {
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return ""
	}
	return exe
}

// vmHWM reads a process's peak resident set size from /proc/PID/status.
func vmHWM(pid int) uint64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// children lists the child processes of every thread of pid.
func children(pid int) []int {
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if err != nil {
		return nil
	}
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
