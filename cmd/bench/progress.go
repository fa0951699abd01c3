package main

import (
	"fmt"
	"io"
	"time"
)

// progressLog prints one line per step of the run with the time since the
// run began, so that minutes of measuring are not minutes of silence. Its
// zero value prints nothing.
type progressLog struct {
	w     io.Writer
	start time.Time
}

// newProgressLog starts the clock of a run whose progress goes to w.
func newProgressLog(w io.Writer) progressLog {
	return progressLog{w: w, start: time.Now()}
}

// printf prints one progress line: "bench: [m:ss] what".
func (p progressLog) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "bench: [%s] %s\n", clock(time.Since(p.start)), fmt.Sprintf(format, args...))
}

// clock formats an elapsed time as minutes and seconds, m:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
