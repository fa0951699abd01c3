package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// machine describes where and when the run happened, and how busy the
// machine was.
type machine struct {
	CPUs      int
	CPUModel  string
	GoVersion string
	OS, Arch  string
	Start     time.Time
	Duration  time.Duration
	LoadStart string // /proc/loadavg at the start
	LoadEnd   string // /proc/loadavg at the end
	// OtherCores is the average number of cores busy with work that was not
	// this run's (from /proc/stat, less this process and its children).
	OtherCores float64
}

// lines returns the machine description as table lines.
func (m machine) lines() [][]string {
	other := "unknown"
	if m.OtherCores >= 0 {
		other = fmt.Sprintf("%.2f of %d cores on average", m.OtherCores, m.CPUs)
	}
	return [][]string{
		{"CPUs (nproc)", strconv.Itoa(m.CPUs)},
		{"CPU model", m.CPUModel},
		{"Go", m.GoVersion + " " + m.OS + "/" + m.Arch},
		{"date", m.Start.UTC().Format(time.RFC3339)},
		{"run time", m.Duration.Round(time.Second).String()},
		{"load average at start", m.LoadStart},
		{"load average at end", m.LoadEnd},
		{"other processes' CPU during the run", other},
	}
}

// cpuModel returns the first "model name" of a /proc/cpuinfo document.
func cpuModel(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

// loadAverage returns the three load averages of a /proc/loadavg document.
func loadAverage(doc string) string {
	f := strings.Fields(doc)
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// busyTicks returns the busy and total jiffies of the "cpu" line of a
// /proc/stat document.
func busyTicks(doc string) (busy, total uint64, ok bool) {
	for _, line := range strings.Split(doc, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || f[0] != "cpu" {
			continue
		}
		for i, s := range f[1:] {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return 0, 0, false
			}
			if i < 8 { // user nice system idle iowait irq softirq steal
				total += v
				if i != 3 && i != 4 {
					busy += v
				}
			}
		}
		return busy, total, true
	}
	return 0, 0, false
}

// ownCPU returns the CPU time used by this process and its waited-for
// children.
func ownCPU() time.Duration {
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

// clockTicks is USER_HZ, the unit of /proc/stat on Linux.
const clockTicks = 100

// loadMeter measures how busy the machine was with other work.
type loadMeter struct {
	start      time.Time
	busy       uint64
	ok         bool
	own        time.Duration
	loadAtBoot string
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// startMachine records the machine and the starting load.
func startMachine() (machine, *loadMeter) {
	m := machine{
		CPUs:      runtime.NumCPU(),
		CPUModel:  "unknown",
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		Start:     time.Now(),
		LoadStart: loadAverage(readFile("/proc/loadavg")),
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		m.CPUModel = cpuModel(f)
		f.Close()
	}
	lm := &loadMeter{start: m.Start, own: ownCPU()}
	lm.busy, _, lm.ok = busyTicks(readFile("/proc/stat"))
	return m, lm
}

// finish fills in the end of the run.
func (lm *loadMeter) finish(m *machine) {
	m.Duration = time.Since(lm.start)
	m.LoadEnd = loadAverage(readFile("/proc/loadavg"))
	m.OtherCores = -1
	busy, _, ok := busyTicks(readFile("/proc/stat"))
	if !ok || !lm.ok || m.Duration <= 0 {
		return
	}
	all := time.Duration(busy-lm.busy) * time.Second / clockTicks
	other := all - (ownCPU() - lm.own)
	m.OtherCores = max(0, other.Seconds()/m.Duration.Seconds())
}
